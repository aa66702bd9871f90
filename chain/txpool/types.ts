import type { TypedTransaction } from "@ethereumjs/tx";
import type { Hex } from "../types.ts";

/** The account fields the pool checks, read from the head (latest committed) state. */
export interface PoolStateReader {
  getAccount(address: Hex): Promise<{ nonce: bigint; balance: bigint }>;
}

/**
 * A transaction as the pool holds it. `sender` was recovered once, on entry; the `tx` object keeps
 * the recovered public key in its cache, so execution calling `tx.getSenderAddress()` on this same
 * object does not recover again.
 */
export interface PooledTransaction {
  tx: TypedTransaction;
  hash: Hex;
  sender: Hex;
  /** The EIP-2718 encoding (what eth_sendRawTransaction carried and what gossip sends). */
  raw: Uint8Array;
}
