/**
 * What the RPC layer's dev methods need from a node beyond `RpcBackend`: its dev-mode controls (absent
 * on a node without dev mode) and the chain's identity for hardhat_metadata / anvil_metadata.
 * Recognised by shape, so `RpcBackend` itself stays the same for every backend.
 */
import type { DevChain } from "./devChain.ts";
import type { Hex } from "../types.ts";

export interface ChainMetadata {
  clientVersion: string;
  chainId: bigint;
  /** 32 random bytes made with the chain and kept with it (chain/storage). */
  instanceId: Hex;
  latestBlockNumber: bigint;
  latestBlockHash: Hex;
}

export interface DevModeBackend {
  readonly dev: DevChain | undefined;
  metadata(): ChainMetadata;
}

export function asDevModeBackend(backend: object): DevModeBackend | undefined {
  const candidate = backend as Partial<DevModeBackend>;
  return typeof candidate.metadata === "function" && "dev" in candidate ? (candidate as DevModeBackend) : undefined;
}
