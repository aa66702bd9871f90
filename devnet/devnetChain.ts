/**
 * What the devnet command needs of its chain, whichever shape it has: one in-process validator with
 * Hardhat's dev methods (`--validators 1`), or a set of validator processes agreeing over libp2p
 * (devnet/network/validatorProcesses.ts). The rest of the devnet (deployment, IPFS, app, banner)
 * talks to it through its first validator's JSON-RPC.
 */
import type { ConcordNode } from "../chain/node.ts";
import type { Hex } from "../chain/types.ts";

export interface DevnetChain {
  /** The JSON-RPC endpoint tools and the app use (the first validator's). */
  rpcUrl: string;
  wsUrl: string;
  chainId: bigint;
  /** One line per validator for the banner, and the engine line. */
  validatorLines(): string[];
  engineLine(): string;
  blockNumber(): Promise<bigint>;
  balance(address: Hex): Promise<bigint>;
  stop(): Promise<void>;
}

export function inProcessChain(node: ConcordNode): DevnetChain {
  return {
    rpcUrl: node.rpc!.url,
    wsUrl: node.rpc!.wsUrl,
    chainId: node.chainId,
    validatorLines: () => [],
    engineLine: () => "1 (single-validator engine; Hardhat/Anvil dev methods enabled)",
    blockNumber: async () => node.backend.latestBlockNumber(),
    balance: (address) => node.backend.getBalance(address, "latest"),
    stop: () => node.stop(),
  };
}
