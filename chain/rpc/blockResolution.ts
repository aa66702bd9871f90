/**
 * Turning block tags and EIP-1898 selectors into blocks and state references.
 *
 * Committed blocks are final (BFT), so "safe" and "finalized" are the latest block; "pending" reads
 * the latest block except where the backend knows better (the pending nonce).
 */
import type { Block } from "@ethereumjs/block";
import type { BlockTag, RpcBackend } from "./backend.ts";
import { RpcError, RpcErrorCode } from "./errors.ts";
import type { BlockSelector } from "./validation.ts";

export function blockNumberOf(backend: RpcBackend, tag: BlockTag): bigint {
  if (typeof tag === "bigint") return tag;
  return tag === "earliest" ? 0n : backend.latestBlockNumber();
}

/** The block a tag names, or undefined when it is beyond the head. */
export async function blockByTag(backend: RpcBackend, tag: BlockTag): Promise<Block | undefined> {
  const number = blockNumberOf(backend, tag);
  if (number > backend.latestBlockNumber()) return undefined;
  return backend.getBlockByNumber(number);
}

export async function blockBySelector(backend: RpcBackend, selector: BlockSelector): Promise<Block | undefined> {
  return "hash" in selector ? backend.getBlockByHash(selector.hash) : blockByTag(backend, selector.tag);
}

/**
 * The state a read names, as the backend takes it. Named tags pass through; a number past the head
 * or an unknown hash is geth's -32000 "header not found" (a read of state that does not exist).
 */
export async function stateReference(backend: RpcBackend, selector: BlockSelector): Promise<BlockTag> {
  if ("hash" in selector) {
    const block = await backend.getBlockByHash(selector.hash);
    if (block === undefined) throw new RpcError(RpcErrorCode.ServerError, `header for hash ${selector.hash} not found`);
    return block.header.number;
  }
  const { tag } = selector;
  if (tag === "safe" || tag === "finalized") return "latest";
  if (typeof tag === "bigint" && tag > backend.latestBlockNumber()) {
    throw new RpcError(RpcErrorCode.ServerError, `header not found: block ${tag} is beyond the head ${backend.latestBlockNumber()}`);
  }
  return tag;
}
