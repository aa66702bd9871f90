/**
 * The transactions waiting for a block, behind one port: what the block pipeline takes and what the
 * RPC backend admits and looks up. A plain node's are the transaction pool's; dev mode decorates the
 * port (chain/dev/devTransactionPort.ts) with its impersonated transactions and Hardhat's
 * answer-after-mining submission.
 */
import type { PendingTransaction } from "../execution/blockExecutor.ts";
import type { PoolSlot } from "./poolSlot.ts";
import type { Hex } from "../types.ts";

/** A block candidate: a transaction, its sender, its hash. */
export interface Candidate extends PendingTransaction {
  hash: Hex;
}

export interface TransactionPort {
  /**
   * Decode, validate and admit; resolves with the hash (on a dev chain with automine, or a devnet
   * answering after commit, once the transaction is committed). Throws the pool's typed errors.
   * `onAdmitted` is called as soon as the pool took the transaction, before any wait for its block:
   * a batch sends its next transaction then, so a batch lands in as few blocks as fit it.
   */
  submit(raw: Uint8Array, onAdmitted?: (hash: Hex) => void): Promise<Hex>;
  /** The next block's candidates, best first and nonce-ordered per sender. */
  candidates(baseFee: bigint, gasLimit: bigint): Candidate[];
  /** How many transactions are executable now. */
  executableCount(): number;
  /** A waiting transaction by hash. */
  waiting(hash: Hex): PendingTransaction | undefined;
  /** The nonce the sender's next transaction takes, counting the waiting ones. */
  pendingNonce(sender: Hex): Promise<bigint>;
  /** Removes a waiting transaction that cannot be included (a block build refused it); false if unknown. */
  drop(hash: Hex): boolean;
}

export function poolTransactionPort(pools: PoolSlot): TransactionPort {
  return {
    submit: async (raw, onAdmitted) => {
      const hash = await pools.current.addRaw(raw);
      onAdmitted?.(hash);
      return hash;
    },
    candidates: (baseFee, gasLimit) => pools.current.selectForBlock(baseFee, gasLimit),
    executableCount: () => pools.current.status().pending,
    waiting: (hash) => pools.current.get(hash),
    pendingNonce: (sender) => pools.current.pendingNonce(sender),
    drop: (hash) => pools.current.remove(hash),
  };
}
