/**
 * Concord's transaction pool: admission (every refusal geth's clients know), per-sender nonce
 * sequences split into pending (executable) and queued (nonce gap or unaffordable), replacement by
 * fee bump, limits with price-based eviction, and the price-and-nonce ordered selection a block
 * producer takes.
 *
 * Costs: admission is one sender recovery plus O(log n) heap work; nothing re-sorts the pool per
 * transaction. Eviction heaps are keyed by effective tip at the latest base fee and rebuilt once
 * per committed block (O(n)), the way geth re-heaps its priced list on a new head.
 *
 * Concurrency: every mutation runs under one internal queue and applies its changes synchronously
 * after its state read, so synchronous readers (`selectForBlock`, `get`, `content`) always see a
 * consistent pool, and an `add` cannot interleave with `onBlockCommitted`.
 */
import { EventEmitter } from "node:events";
import type { Common } from "@ethereumjs/common";
import type { TransactionCache, TypedTransaction } from "@ethereumjs/tx";
import { bigIntToBytes, bytesToHex, publicToAddress } from "@ethereumjs/util";
import { BinaryHeap } from "./binaryHeap.ts";
import { decodeRawTransaction, transactionCommon } from "./decodeRawTransaction.ts";
import { txPoolErrors } from "./errors.ts";
import { effectiveTip, maxCostOf, meetsReplacementThreshold, replacementThreshold } from "./fees.ts";
import { resolveTxPoolOptions, type ResolvedTxPoolOptions, type TxPoolOptions } from "./options.ts";
import { selectForBlock } from "./selectForBlock.ts";
import { sharedSenderRecovery } from "./senderRecovery.ts";
import { SenderTransactions, type PoolEntry, type ResetOutcome } from "./senderTransactions.ts";
import type { PooledTransaction, PoolStateReader } from "./types.ts";
import { validateTransaction, type StatelessRules } from "./validateTransaction.ts";
import type { Hex } from "../types.ts";

export interface TxPoolParams extends Partial<TxPoolOptions> {
  common: Common;
  blockGasLimit: bigint;
  /** Base fee of the next block. */
  baseFee: () => bigint;
}

export interface TxPoolEvents {
  /** A transaction became executable (entered pending): on admission, promotion or replacement. */
  pending: [hash: Hex];
}

interface EvictionItem {
  entry: PoolEntry;
  tip: bigint;
  pending: boolean;
}

const cheapestFirst = (a: EvictionItem, b: EvictionItem) => a.tip < b.tip || (a.tip === b.tip && a.entry.seq > b.entry.seq);

export class TxPool extends EventEmitter<TxPoolEvents> {
  readonly options: ResolvedTxPoolOptions;
  readonly #common: Common;
  readonly #chainId: bigint;
  readonly #blockGasLimit: bigint;
  readonly #baseFee: () => bigint;
  readonly #state: PoolStateReader;
  readonly #keccak256: ((data: Uint8Array) => Uint8Array) | undefined;
  readonly #addressOf: (publicKey: Uint8Array) => Uint8Array;

  readonly #byHash = new Map<Hex, PoolEntry>();
  readonly #senders = new Map<Hex, SenderTransactions>();
  /** Lazily cleaned: an item counts only while its entry is pooled with the same status. */
  #pendingByPrice = new BinaryHeap<EvictionItem>(cheapestFirst);
  #queuedByPrice = new BinaryHeap<EvictionItem>(cheapestFirst);
  #evictionBaseFee: bigint;
  #seq = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(params: TxPoolParams, state: PoolStateReader) {
    super();
    const { common, blockGasLimit, baseFee, ...options } = params;
    this.options = resolveTxPoolOptions(options);
    this.#common = transactionCommon(common);
    this.#chainId = common.chainId();
    this.#blockGasLimit = blockGasLimit;
    this.#baseFee = baseFee;
    this.#state = state;
    const keccak256 = common.customCrypto.keccak256;
    this.#keccak256 = keccak256;
    this.#addressOf = keccak256 ? (publicKey) => keccak256(publicKey).subarray(12) : (publicKey) => publicToAddress(publicKey);
    this.#evictionBaseFee = baseFee();
  }

  get size(): number {
    return this.#byHash.size;
  }

  /** Decodes, validates and admits an EIP-2718 encoded transaction; resolves with its hash. */
  async addRaw(raw: Uint8Array): Promise<Hex> {
    // Gossip delivers each transaction once per peer: a keccak of the bytes spares duplicates the
    // decode and the sender recovery (a pooled hash is the keccak of its canonical encoding).
    if (this.#keccak256 !== undefined) {
      const hash = bytesToHex(this.#keccak256(raw)) as Hex;
      if (this.#byHash.has(hash)) throw txPoolErrors.alreadyKnown(hash);
    }
    const tx = decodeRawTransaction(raw, {
      common: this.#common,
      maxTxBytes: this.options.maxTxBytes,
      allowUnprotected: this.options.allowUnprotected,
    });
    return this.#admit(tx, raw, this.options.recoverSendersOnWorker);
  }

  /** Validates and admits a transaction object (eth_sendTransaction signs one in-process). */
  async add(tx: TypedTransaction): Promise<Hex> {
    if (!tx.isSigned()) throw txPoolErrors.invalidSender("transaction is not signed");
    return this.#admit(tx, tx.serialize(), false);
  }

  get(hash: Hex): PooledTransaction | undefined {
    return this.#byHash.get(hash.toLowerCase() as Hex);
  }

  /** Best first across senders, nonce-ordered per sender, within `gasLimit`. Does not remove. */
  /**
   * Removes a transaction that turned out not to run (a block build refused it); the sender's later
   * ones wait again behind the gap, and its pending nonce counts back to it. false: not here.
   */
  remove(hash: Hex): boolean {
    const entry = this.#byHash.get(hash);
    if (entry === undefined) return false;
    this.#remove(entry);
    return true;
  }

  selectForBlock(baseFee: bigint, gasLimit: bigint): PooledTransaction[] {
    return selectForBlock(this.#senders.values(), baseFee, gasLimit);
  }

  /** The nonce a wallet should use next: the account nonce advanced past the sender's pending txs. */
  pendingNonce(address: Hex): Promise<bigint> {
    const sender = address.toLowerCase() as Hex;
    return this.#exclusive(async () => {
      const account = await this.#state.getAccount(sender);
      const transactions = this.#senders.get(sender);
      if (transactions === undefined) return account.nonce;
      this.#emitPromoted(this.#reset(sender, transactions, account));
      return transactions.pendingEnd;
    });
  }

  /**
   * After a block is final: drop what it included and what its state made stale (used nonces),
   * re-check every sender against the new nonce and balance (promoting and demoting), and re-price
   * the eviction order at the new base fee.
   */
  onBlockCommitted(included: Hex[], baseFee: bigint): Promise<void> {
    return this.#exclusive(async () => {
      // A sender whose every pooled transaction is in the block has nothing left to re-check: it is
      // dropped without reading its account (a state read per sender per block was most of this
      // method when clients wait for each receipt and the pool empties with every block).
      const includedSet = new Set(included.map((hash) => hash.toLowerCase()));
      for (const [address, transactions] of [...this.#senders]) {
        const entries = [...transactions.byNonce.values()];
        if (!entries.every((entry) => includedSet.has(entry.hash))) continue;
        for (const entry of entries) this.#byHash.delete(entry.hash);
        this.#senders.delete(address);
      }
      const senders = [...this.#senders.entries()];
      const accounts = await Promise.all(senders.map(([address]) => this.#state.getAccount(address)));
      const promoted: PoolEntry[] = [];
      senders.forEach(([address, transactions], i) => promoted.push(...this.#reset(address, transactions, accounts[i]!)));
      // Normally the nonce advance already removed them; this covers a state reader that lags.
      for (const hash of included) {
        const entry = this.#byHash.get(hash.toLowerCase() as Hex);
        if (entry !== undefined) this.#remove(entry);
      }
      this.#evictionBaseFee = baseFee;
      this.#rebuildEvictionHeaps();
      this.#emitPromoted(promoted.filter((entry) => entry.pending && this.#byHash.get(entry.hash) === entry));
    });
  }

  /** Pending and queued transactions per sender, each in nonce order (txpool_content). */
  content(): { pending: Map<Hex, TypedTransaction[]>; queued: Map<Hex, TypedTransaction[]> } {
    const pending = new Map<Hex, TypedTransaction[]>();
    const queued = new Map<Hex, TypedTransaction[]>();
    for (const [address, transactions] of this.#senders) {
      if (transactions.pendingCount > 0) pending.set(address, [...transactions.pending()].map((entry) => entry.tx));
      const waiting = transactions.queued();
      if (waiting.length > 0) queued.set(address, waiting.map((entry) => entry.tx));
    }
    return { pending, queued };
  }

  /** Counts for txpool_status. */
  status(): { pending: number; queued: number } {
    let pending = 0;
    for (const transactions of this.#senders.values()) pending += transactions.pendingCount;
    return { pending, queued: this.#byHash.size - pending };
  }

  async #admit(tx: TypedTransaction, raw: Uint8Array, recoverOnWorker: boolean): Promise<Hex> {
    const hash = bytesToHex(tx.hash()) as Hex;
    if (this.#byHash.has(hash)) throw txPoolErrors.alreadyKnown(hash);
    const caps = validateTransaction(tx, raw.length, this.#rules());
    const sender = recoverOnWorker ? await this.#recoverSenderOnWorker(tx) : this.#recoverSender(tx);
    const entry: PoolEntry = {
      tx,
      hash,
      sender,
      raw,
      nonce: tx.nonce,
      feeCap: caps.feeCap,
      tipCap: caps.tipCap,
      cost: maxCostOf(tx, caps),
      seq: 0,
      pending: false,
    };
    return this.#exclusive(async () => {
      const account = await this.#state.getAccount(sender);
      const promoted: PoolEntry[] = [];
      try {
        this.#insert(entry, account, promoted);
      } finally {
        this.#emitPromoted(promoted);
      }
      return hash;
    });
  }

  /** Everything after the state read: synchronous, so the pool is never seen half-changed. */
  #insert(entry: PoolEntry, account: { nonce: bigint; balance: bigint }, promoted: PoolEntry[]): void {
    if (this.#byHash.has(entry.hash)) throw txPoolErrors.alreadyKnown(entry.hash);
    let transactions = this.#senders.get(entry.sender);
    if (transactions !== undefined) promoted.push(...this.#reset(entry.sender, transactions, account));
    if (entry.nonce < account.nonce) throw txPoolErrors.nonceTooLow(account.nonce, entry.nonce);
    if (entry.cost > account.balance) throw txPoolErrors.insufficientFunds(account.balance, entry.cost);

    const old = transactions?.byNonce.get(entry.nonce);
    if (transactions !== undefined && old !== undefined) {
      const threshold = replacementThreshold(old, this.options.priceBumpPercent);
      if (!meetsReplacementThreshold(entry, threshold)) {
        throw txPoolErrors.replacementUnderpriced({ maxFeePerGas: threshold.feeCap, maxPriorityFeePerGas: threshold.tipCap });
      }
      entry.seq = this.#seq++;
      this.#byHash.delete(old.hash);
      this.#byHash.set(entry.hash, entry);
      const nowPending = transactions.replace(old, entry);
      this.#track(entry);
      for (const other of nowPending) if (other !== entry) this.#track(other);
      promoted.push(...nowPending);
      return;
    }

    const next = transactions?.pendingEnd ?? account.nonce;
    if (entry.nonce - next > BigInt(this.options.maxNonceGap)) {
      throw txPoolErrors.nonceTooHigh(next, entry.nonce, this.options.maxNonceGap);
    }
    if (transactions !== undefined && transactions.size >= this.options.maxPerSender) {
      // A lower nonce is worth more to this sender than its furthest one: that one makes room.
      const highest = transactions.highest()!;
      if (entry.nonce > highest.nonce) throw txPoolErrors.accountLimitExceeded(transactions.size, this.options.maxPerSender);
      this.#remove(highest);
    }
    if (this.#byHash.size >= this.options.maxTotal) this.#evictFor(entry, transactions?.pendingEnd ?? account.nonce);

    if (transactions === undefined || this.#senders.get(entry.sender) !== transactions) {
      transactions = new SenderTransactions(account.nonce, account.balance);
      this.#senders.set(entry.sender, transactions);
    }
    entry.seq = this.#seq++;
    this.#byHash.set(entry.hash, entry);
    const nowPending = transactions.insert(entry);
    this.#track(entry);
    for (const other of nowPending) if (other !== entry) this.#track(other);
    promoted.push(...nowPending);
  }

  /**
   * Makes room in a full pool: queued transactions go first (they cannot be mined yet), then the
   * cheapest pending one. The newcomer must pay a strictly higher tip than its victim, except that an
   * executable newcomer always outranks a queued victim.
   */
  #evictFor(entry: PoolEntry, senderNext: bigint): void {
    const victim = this.#cheapest(this.#queuedByPrice, false) ?? this.#cheapest(this.#pendingByPrice, true);
    if (victim === undefined) throw txPoolErrors.poolFull(this.options.maxTotal);
    const tip = effectiveTip(entry, this.#evictionBaseFee);
    const executable = entry.nonce === senderNext;
    if (!(tip > victim.tip || (!victim.pending && executable))) throw txPoolErrors.poolFull(this.options.maxTotal);
    this.#remove(victim.entry);
  }

  #cheapest(heap: BinaryHeap<EvictionItem>, pending: boolean): EvictionItem | undefined {
    for (let item = heap.peek(); item !== undefined; item = heap.peek()) {
      if (this.#byHash.get(item.entry.hash) === item.entry && item.entry.pending === pending) return item;
      heap.pop();
    }
    return undefined;
  }

  #remove(entry: PoolEntry): void {
    const transactions = this.#senders.get(entry.sender)!;
    this.#byHash.delete(entry.hash);
    for (const demoted of transactions.remove(entry)) this.#track(demoted);
    if (transactions.size === 0) this.#senders.delete(entry.sender);
  }

  /** Brings a sender up to date with its account; returns the entries that became pending. */
  #reset(address: Hex, transactions: SenderTransactions, account: { nonce: bigint; balance: bigint }): PoolEntry[] {
    if (transactions.stateNonce === account.nonce && transactions.balance === account.balance) return [];
    const outcome: ResetOutcome = transactions.reset(account.nonce, account.balance);
    for (const stale of outcome.stale) this.#byHash.delete(stale.hash);
    for (const changed of outcome.promoted) this.#track(changed);
    for (const changed of outcome.demoted) this.#track(changed);
    if (transactions.size === 0) this.#senders.delete(address);
    return outcome.promoted;
  }

  /** Records an entry's current status in the eviction order. */
  #track(entry: PoolEntry): void {
    const item = { entry, tip: effectiveTip(entry, this.#evictionBaseFee), pending: entry.pending };
    (entry.pending ? this.#pendingByPrice : this.#queuedByPrice).push(item);
    // Superseded items are only dropped when they surface; rebuild before they outweigh live ones.
    if (this.#pendingByPrice.size + this.#queuedByPrice.size > 2 * this.#byHash.size + 1024) this.#rebuildEvictionHeaps();
  }

  #rebuildEvictionHeaps(): void {
    const pending: EvictionItem[] = [];
    const queued: EvictionItem[] = [];
    for (const entry of this.#byHash.values()) {
      (entry.pending ? pending : queued).push({ entry, tip: effectiveTip(entry, this.#evictionBaseFee), pending: entry.pending });
    }
    this.#pendingByPrice = new BinaryHeap(cheapestFirst, pending);
    this.#queuedByPrice = new BinaryHeap(cheapestFirst, queued);
  }

  /**
   * The one sender recovery a transaction gets. The public key stays cached on the tx object; the
   * address is hashed with the Common's keccak (WebAssembly) rather than ethereumjs' JS one.
   */
  #recoverSender(tx: TypedTransaction): Hex {
    let publicKey: Uint8Array;
    try {
      publicKey = tx.getSenderPublicKey();
    } catch (error) {
      throw txPoolErrors.invalidSender("invalid signature", error);
    }
    return bytesToHex(this.#addressOf(publicKey)) as Hex;
  }

  /**
   * The same recovery on the shared worker thread (senderRecovery.ts). The key it returns is put in
   * the tx's cache exactly where ethereumjs' own `getSenderPublicKey` would have put it. Only for
   * decoded raw transactions: decoding already refused high-s signatures and bad v values.
   */
  async #recoverSenderOnWorker(tx: TypedTransaction): Promise<Hex> {
    const cache = tx.cache as TransactionCache;
    if (cache.senderPubKey !== undefined) return bytesToHex(this.#addressOf(cache.senderPubKey)) as Hex;
    const v = tx.v!;
    // Typed: y-parity. Legacy: 27/28, or EIP-155's chainId * 2 + 35/36 (decoding checked the chain id).
    const recoveryId = v <= 1n ? v : v <= 28n ? v - 27n : v - (this.#chainId * 2n + 35n);
    const r = word(tx.r!);
    const s = word(tx.s!);
    if ((recoveryId !== 0n && recoveryId !== 1n) || r === undefined || s === undefined) {
      throw txPoolErrors.invalidSender("invalid signature");
    }
    const publicKey = await sharedSenderRecovery().recover({
      messageHash: tx.getMessageToVerifySignature(),
      recoveryId: Number(recoveryId),
      r,
      s,
    });
    if (publicKey === undefined) throw txPoolErrors.invalidSender("invalid signature");
    if (Object.isFrozen(tx)) cache.senderPubKey = publicKey;
    return bytesToHex(this.#addressOf(publicKey)) as Hex;
  }

  #rules(): StatelessRules {
    return {
      chainId: this.#chainId,
      blockGasLimit: this.#blockGasLimit,
      baseFee: this.#baseFee(),
      minPriorityFee: this.options.minPriorityFee,
      maxTxBytes: this.options.maxTxBytes,
      allowUnprotected: this.options.allowUnprotected,
    };
  }

  #emitPromoted(promoted: PoolEntry[]): void {
    for (const entry of promoted) this.emit("pending", entry.hash);
  }

  /** Runs `task` after every earlier mutation has finished (one writer at a time). */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** A 256-bit big-endian word; undefined when the value does not fit. */
function word(value: bigint): Uint8Array | undefined {
  if (value < 0n || value >= 1n << 256n) return undefined;
  const bytes = bigIntToBytes(value);
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}
