/**
 * A transaction's canonical encoding, remembered from the bytes it arrived in.
 *
 * ethereumjs re-encodes a transaction every time it is asked for its bytes (`serialize()`: every
 * integer field converted back to bytes, then RLP) and for its hash the first time. A transaction
 * that reached the node as raw bytes (`eth_sendRawTransaction`, a peer's block) already has them:
 * the pool hashes it, the block's transactions root, the stored block body and `eth_getBlock`'s size
 * all need them again. Profiled on the JSON-RPC benchmark, the re-encodings were ~6% of the node's
 * main thread for ETH transfers.
 *
 * The decoder rejects every non-canonical encoding (leading zeroes, non-minimal RLP lengths,
 * wrong field counts), so the bytes a decoded transaction came from ARE its `serialize()`:
 * test/chain/execution/transactionEncoding.test.ts checks that for every transaction type.
 * Only frozen transactions (ethereumjs' default, immutable) are remembered.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import { keccak256 } from "../crypto.ts";

const encodings = new WeakMap<TypedTransaction, Uint8Array>();

/** Records that `tx` was decoded from `serialized` (its canonical encoding) and seeds its hash. */
export function rememberEncoding(tx: TypedTransaction, serialized: Uint8Array): void {
  if (!Object.isFrozen(tx)) return;
  encodings.set(tx, serialized);
  // ethereumjs keeps a frozen signed transaction's hash in `cache.hash` (keccak of serialize()).
  const cache = (tx as unknown as { cache?: { hash?: Uint8Array } }).cache;
  if (cache !== undefined && cache.hash === undefined && tx.isSigned()) cache.hash = keccak256(serialized);
}

/** `tx.serialize()`, without encoding again what is known. */
export function encodeTransaction(tx: TypedTransaction): Uint8Array {
  let serialized = encodings.get(tx);
  if (serialized === undefined) {
    serialized = tx.serialize();
    if (Object.isFrozen(tx)) encodings.set(tx, serialized);
  }
  return serialized;
}
