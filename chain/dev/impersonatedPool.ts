/**
 * Where transactions of impersonated accounts wait for a block. The node's transaction pool admits
 * only transactions whose sender it recovers from a signature; these have none (impersonation.ts),
 * so they wait here, under the same admission rules (chain/txpool's stateless checks, then nonce
 * and funds against the account as "latest" reads it) and with the same errors.
 *
 * Per sender, the transactions from the account nonce upwards without a gap are executable; the
 * block producer takes them after the pool's own, in nonce order. Only a dev chain has one, and it
 * normally holds a transaction for a few milliseconds (automine) or until the next evm_mine.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { txPoolErrors } from "../txpool/errors.ts";
import { feeCapsOf, maxCostOf, meetsReplacementThreshold, replacementThreshold, type FeeCaps } from "../txpool/fees.ts";
import { validateTransaction, type StatelessRules } from "../txpool/validateTransaction.ts";
import type { Hex } from "../types.ts";

export interface ImpersonatedEntry {
  tx: TypedTransaction;
  hash: Hex;
  sender: Hex;
}

export interface AccountView {
  nonce: bigint;
  balance: bigint;
}

interface SenderQueue {
  /** The account nonce when last synced. */
  stateNonce: bigint;
  byNonce: Map<bigint, ImpersonatedEntry>;
}

const PRICE_BUMP_PERCENT = 10;

export class ImpersonatedPool {
  readonly #senders = new Map<Hex, SenderQueue>();
  readonly #byHash = new Map<Hex, ImpersonatedEntry>();

  get size(): number {
    return this.#byHash.size;
  }

  /**
   * Admits `tx` (bound to `sender`) against `account`; returns whether it is executable now.
   * Throws the pool's typed errors (nonce too low, insufficient funds, underpriced replacement...).
   */
  add(tx: TypedTransaction, sender: Hex, account: AccountView, rules: StatelessRules): { hash: Hex; executable: boolean } {
    const hash = bytesToHex(tx.hash()) as Hex;
    if (this.#byHash.has(hash)) throw txPoolErrors.alreadyKnown(hash);
    const caps = validateTransaction(tx, tx.serialize().length, rules);
    if (tx.nonce < account.nonce) throw txPoolErrors.nonceTooLow(account.nonce, tx.nonce);
    const cost = maxCostOf(tx, caps);
    if (cost > account.balance) throw txPoolErrors.insufficientFunds(account.balance, cost);
    let queue = this.#senders.get(sender);
    if (queue === undefined) {
      queue = { stateNonce: account.nonce, byNonce: new Map() };
      this.#senders.set(sender, queue);
    }
    queue.stateNonce = account.nonce;
    const old = queue.byNonce.get(tx.nonce);
    if (old !== undefined) {
      const threshold = replacementThreshold(feeCapsOf(old.tx) as FeeCaps, PRICE_BUMP_PERCENT);
      if (!meetsReplacementThreshold(caps, threshold)) {
        throw txPoolErrors.replacementUnderpriced({ maxFeePerGas: threshold.feeCap, maxPriorityFeePerGas: threshold.tipCap });
      }
      this.#byHash.delete(old.hash);
    }
    const entry = { tx, hash, sender };
    queue.byNonce.set(tx.nonce, entry);
    this.#byHash.set(hash, entry);
    return { hash, executable: tx.nonce < this.#runEnd(queue) };
  }

  get(hash: Hex): ImpersonatedEntry | undefined {
    return this.#byHash.get(hash);
  }

  remove(hash: Hex): boolean {
    const entry = this.#byHash.get(hash);
    if (entry === undefined) return false;
    this.#byHash.delete(hash);
    const queue = this.#senders.get(entry.sender)!;
    queue.byNonce.delete(entry.tx.nonce);
    if (queue.byNonce.size === 0) this.#senders.delete(entry.sender);
    return true;
  }

  /** Executable transactions: per sender, nonce order from the account nonce without a gap. */
  executable(): ImpersonatedEntry[] {
    const out: ImpersonatedEntry[] = [];
    for (const queue of this.#senders.values()) {
      for (let nonce = queue.stateNonce; queue.byNonce.has(nonce); nonce++) out.push(queue.byNonce.get(nonce)!);
    }
    return out;
  }

  executableCount(): number {
    let count = 0;
    for (const queue of this.#senders.values()) count += Number(this.#runEnd(queue) - queue.stateNonce);
    return count;
  }

  /** The next nonce of `sender` counting its executable transactions here (undefined: none here). */
  pendingNonce(sender: Hex): bigint | undefined {
    const queue = this.#senders.get(sender);
    return queue === undefined ? undefined : this.#runEnd(queue);
  }

  senders(): Hex[] {
    return [...this.#senders.keys()];
  }

  /** After a block or a state change: forget used nonces, and re-base each sender on its account. */
  resync(accounts: ReadonlyMap<Hex, AccountView>): void {
    for (const [sender, queue] of this.#senders) {
      const account = accounts.get(sender);
      if (account === undefined) continue;
      queue.stateNonce = account.nonce;
      for (const [nonce, entry] of queue.byNonce) {
        if (nonce < account.nonce) {
          queue.byNonce.delete(nonce);
          this.#byHash.delete(entry.hash);
        }
      }
      if (queue.byNonce.size === 0) this.#senders.delete(sender);
    }
  }

  entries(): ImpersonatedEntry[] {
    return [...this.#byHash.values()];
  }

  /** Replaces the content (evm_revert); the caller resyncs nonces afterwards. */
  restore(entries: readonly ImpersonatedEntry[]): void {
    this.#senders.clear();
    this.#byHash.clear();
    for (const entry of entries) {
      let queue = this.#senders.get(entry.sender);
      if (queue === undefined) {
        queue = { stateNonce: entry.tx.nonce, byNonce: new Map() };
        this.#senders.set(entry.sender, queue);
      }
      if (entry.tx.nonce < queue.stateNonce) queue.stateNonce = entry.tx.nonce;
      queue.byNonce.set(entry.tx.nonce, entry);
      this.#byHash.set(entry.hash, entry);
    }
  }

  #runEnd(queue: SenderQueue): bigint {
    let nonce = queue.stateNonce;
    while (queue.byNonce.has(nonce)) nonce++;
    return nonce;
  }
}
