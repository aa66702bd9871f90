import { publicKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { CONCORD_IPFS_AGENT } from "../../defaults.ts";
import { IpfsError } from "../../errors.ts";
import type { Command } from "../command.ts";

/** `id`: this node's identity, addresses and protocols, or what the peer store knows of another peer. */
export const idCommand: Command = {
  argument: { name: "peerid", required: false, variadic: false },
  options: { format: { type: "string", aliases: ["f"] }, "peerid-base": { type: "string" } },
  async run({ services, args, response }) {
    const { libp2p } = services;
    let target: PeerId = libp2p.peerId;
    if (args.length > 0) {
      try {
        target = peerIdFromString(args[0]);
      } catch (error) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid peer id: ${(error as Error).message}`, { peerId: args[0] });
      }
    }
    if (target.equals(libp2p.peerId)) {
      response.json({
        ID: libp2p.peerId.toString(),
        PublicKey: encodeKey(libp2p.peerId),
        Addresses: libp2p.getMultiaddrs().map(String),
        AgentVersion: CONCORD_IPFS_AGENT,
        Protocols: [...libp2p.getProtocols()].sort(),
      });
      return;
    }
    let peer;
    try {
      peer = await libp2p.peerStore.get(target);
    } catch {
      throw new IpfsError("IPFS_PATH_NOT_FOUND", "routing: not found", { peerId: target.toString() });
    }
    const agent = peer.metadata.get("AgentVersion");
    response.json({
      ID: target.toString(),
      PublicKey: encodeKey(target),
      Addresses: peer.addresses.map(({ multiaddr }) => `${multiaddr}/p2p/${target}`),
      AgentVersion: agent === undefined ? "" : new TextDecoder().decode(agent),
      Protocols: [...peer.protocols].sort(),
    });
  },
};

function encodeKey(peerId: PeerId): string {
  return peerId.publicKey === undefined ? "" : Buffer.from(publicKeyToProtobuf(peerId.publicKey)).toString("base64");
}
