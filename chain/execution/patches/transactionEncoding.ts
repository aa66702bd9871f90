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
 *
 * The same goes for a transaction's sender address: ethereumjs' `getSenderAddress()` hashes the
 * (cached) public key again on every call, with the bundled pure-JS keccak (~20-40 us here), and a
 * transaction's sender is asked for when it is run, when a block is re-executed by a validator and
 * when RPC formats it. `installSenderAddressMemo` makes every transaction class answer from a
 * remembered address, hashed once with the node's keccak (process-wide; installPatches.ts checks it).
 */
import { AccessList2930Tx, Blob4844Tx, EOACode7702Tx, FeeMarket1559Tx, LegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
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

const senderAddresses = new WeakMap<TypedTransaction, Uint8Array>();
const TRANSACTION_CLASSES = [LegacyTx, AccessList2930Tx, FeeMarket1559Tx, Blob4844Tx, EOACode7702Tx];

/** `publicToAddress(getSenderPublicKey())` as ethereumjs computes it, remembered for frozen transactions. */
function rememberedSenderAddress(this: TypedTransaction): Address {
  let address = senderAddresses.get(this);
  if (address === undefined) {
    // getSenderPublicKey throws for an invalid signature, as the stock method does; it is 64 bytes.
    address = keccak256(this.getSenderPublicKey()).subarray(12);
    if (Object.isFrozen(this)) senderAddresses.set(this, address);
  }
  return new Address(address.slice()); // a copy each time: Address is mutable, the memo must not be
}

/**
 * Replaces `getSenderAddress` on every transaction class (idempotent; `crypto.ts`' keccak must be
 * initialised). Returns false when a class does not have the method the memo replaces.
 */
export function installSenderAddressMemo(): boolean {
  for (const cls of TRANSACTION_CLASSES) {
    const prototype = cls.prototype as unknown as { getSenderAddress?: ((this: TypedTransaction) => Address) & { original?: unknown } };
    if (typeof prototype.getSenderAddress !== "function") return false;
    if (prototype.getSenderAddress.original !== undefined) continue;
    const replacement = function (this: TypedTransaction) {
      return rememberedSenderAddress.call(this);
    } as ((this: TypedTransaction) => Address) & { original?: unknown };
    replacement.original = prototype.getSenderAddress;
    prototype.getSenderAddress = replacement;
  }
  return true;
}
