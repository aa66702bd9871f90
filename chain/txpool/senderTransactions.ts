import type { FeeCaps } from "./fees.ts";
import type { PooledTransaction } from "./types.ts";

/** A pooled transaction with what the pool computed once on entry. */
export interface PoolEntry extends PooledTransaction, FeeCaps {
  nonce: bigint;
  /** gas * fee cap + value: what the sender's balance must cover. */
  cost: bigint;
  /** Arrival order: breaks ties between equal tips (first come, first served). */
  seq: number;
  /** Executable now: nonce contiguous from the account nonce, and affordable. */
  pending: boolean;
}

export interface ResetOutcome {
  /** Entries whose nonce the account has already used: gone from this sender. */
  stale: PoolEntry[];
  promoted: PoolEntry[];
  demoted: PoolEntry[];
}

/**
 * One sender's transactions by nonce. Pending is always the run [stateNonce, pendingEnd): nonces
 * without a gap from the account nonce, each affordable with the account balance (checked per
 * transaction, as geth does). Everything else is queued. Entries below stateNonce never stay.
 */
export class SenderTransactions {
  readonly byNonce = new Map<bigint, PoolEntry>();
  stateNonce: bigint;
  balance: bigint;
  /** First nonce that is not pending (the sender's next nonce counting executable pooled txs). */
  pendingEnd: bigint;

  constructor(stateNonce: bigint, balance: bigint) {
    this.stateNonce = stateNonce;
    this.balance = balance;
    this.pendingEnd = stateNonce;
  }

  get size(): number {
    return this.byNonce.size;
  }

  get pendingCount(): number {
    return Number(this.pendingEnd - this.stateNonce);
  }

  /** Adds an entry at a free nonce; returns the entries that became pending (possibly it). */
  insert(entry: PoolEntry): PoolEntry[] {
    entry.pending = false;
    this.byNonce.set(entry.nonce, entry);
    return this.#promote();
  }

  /** Puts `next` in place of `old` (same nonce); returns the entries that became pending. */
  replace(old: PoolEntry, next: PoolEntry): PoolEntry[] {
    this.byNonce.set(next.nonce, next);
    if (old.pending) {
      next.pending = true;
      return [next];
    }
    next.pending = false;
    return this.#promote();
  }

  /** Removes one entry; the pending ones after it lose their predecessor and are returned demoted. */
  remove(entry: PoolEntry): PoolEntry[] {
    this.byNonce.delete(entry.nonce);
    if (!entry.pending) return [];
    const demoted: PoolEntry[] = [];
    for (let nonce = entry.nonce + 1n; nonce < this.pendingEnd; nonce++) {
      const next = this.byNonce.get(nonce)!;
      next.pending = false;
      demoted.push(next);
    }
    this.pendingEnd = entry.nonce;
    return demoted;
  }

  /** Re-reads the account: drops used nonces, recomputes which transactions are executable. */
  reset(stateNonce: bigint, balance: bigint): ResetOutcome {
    const outcome: ResetOutcome = { stale: [], promoted: [], demoted: [] };
    if (stateNonce > this.stateNonce) {
      for (const [nonce, entry] of this.byNonce) {
        if (nonce < stateNonce) {
          this.byNonce.delete(nonce);
          outcome.stale.push(entry);
        }
      }
    }
    this.stateNonce = stateNonce;
    this.balance = balance;
    let nonce = stateNonce;
    for (let entry = this.byNonce.get(nonce); entry !== undefined && entry.cost <= balance; ) {
      if (!entry.pending) {
        entry.pending = true;
        outcome.promoted.push(entry);
      }
      entry = this.byNonce.get(++nonce);
    }
    this.pendingEnd = nonce;
    for (const entry of this.byNonce.values()) {
      if (entry.pending && entry.nonce >= nonce) {
        entry.pending = false;
        outcome.demoted.push(entry);
      }
    }
    return outcome;
  }

  /** The pending entries in nonce order. */
  *pending(): IterableIterator<PoolEntry> {
    for (let nonce = this.stateNonce; nonce < this.pendingEnd; nonce++) yield this.byNonce.get(nonce)!;
  }

  /** The queued entries in nonce order. */
  queued(): PoolEntry[] {
    return [...this.byNonce.values()].filter((entry) => !entry.pending).sort((a, b) => (a.nonce < b.nonce ? -1 : 1));
  }

  highest(): PoolEntry | undefined {
    let highest: PoolEntry | undefined;
    for (const entry of this.byNonce.values()) if (highest === undefined || entry.nonce > highest.nonce) highest = entry;
    return highest;
  }

  #promote(): PoolEntry[] {
    const promoted: PoolEntry[] = [];
    for (let entry = this.byNonce.get(this.pendingEnd); entry !== undefined && entry.cost <= this.balance; ) {
      entry.pending = true;
      promoted.push(entry);
      entry = this.byNonce.get(++this.pendingEnd);
    }
    return promoted;
  }
}
