/** web3_* and net_*: client identity, hashing, and the network this node is on. */
import { keccak256 } from "ethers";
import { defineMethod, type MethodTable } from "../method.ts";
import { quantity } from "../hex.ts";
import { data } from "../validation.ts";

export const web3NetMethods: MethodTable = {
  web3_clientVersion: defineMethod([], ({ backend }) => backend.clientVersion),
  web3_sha3: defineMethod([data], (_context, [bytes]) => keccak256(bytes)),
  // The network id is the chain id in decimal, as on every post-merge network.
  net_version: defineMethod([], ({ backend }) => backend.chainId.toString(10)),
  net_listening: defineMethod([], () => true),
  net_peerCount: defineMethod([], ({ backend }) => quantity(backend.peers().length)),
};
