/**
 * Polling filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter).
 *
 * Each filter buffers what happened since its last poll. Like geth, a filter nobody polled for
 * five minutes is removed, so clients that forget to uninstall cannot grow the node's memory without
 * bound; the buffers are bounded too (the oldest entries go first).
 */
import { randomBytes } from "node:crypto";
import type { Block } from "@ethereumjs/block";
import type { LogRecord, RpcBackend } from "./backend.ts";
import { RpcError, RpcErrorCode } from "./errors.ts";
import { bytesToHex } from "./hex.ts";
import { LogCriteriaBudget } from "./logCriteriaBudget.ts";
import { criteriaInput, logMatches, type LogCriteria, type LogCriteriaInput } from "./logMatch.ts";
import { guard } from "./subscriptions.ts";
import type { Hex } from "../types.ts";

export type FilterKind = "logs" | "blocks" | "pendingTransactions";

interface FilterBase {
  lastPolled: number;
}
interface LogFilterEntry extends FilterBase {
  kind: "logs";
  criteria: LogCriteria;
  buffer: LogRecord[];
}
interface HashFilterEntry extends FilterBase {
  kind: "blocks" | "pendingTransactions";
  buffer: Hex[];
}
type FilterEntry = LogFilterEntry | HashFilterEntry;

export interface FilterOptions {
  /** A filter not polled for this long is removed (geth: 5 minutes). */
  idleTimeoutMs: number;
  /** Most filters installed at once, all clients together. */
  maxFilters: number;
  /** Most entries a filter keeps between polls. */
  maxBufferedPerFilter: number;
  /** Clock, for tests of expiry. */
  now?: () => number;
}


export const DEFAULT_FILTER_OPTIONS: FilterOptions = {
  idleTimeoutMs: 5 * 60_000,
  maxFilters: 10_000,
  maxBufferedPerFilter: 100_000,
};

export class FilterNotFoundError extends RpcError {
  constructor(id: string) {
    super(RpcErrorCode.ServerError, `filter not found: ${id}`);
  }
}

export class FilterRegistry {
  readonly #filters = new Map<string, FilterEntry>();
  readonly #options: FilterOptions;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  // Emitted from the node's commit path: guarded so nothing thrown here reaches it.
  readonly #onHead = guard((block: Block) => this.#push("blocks", bytesToHex(block.hash())));
  readonly #onPending = guard((hash: Hex) => this.#push("pendingTransactions", hash));
  readonly #onLogs = guard((logs: LogRecord[]) => {
    for (const filter of this.#filters.values()) {
      if (filter.kind !== "logs") continue;
      for (const log of logs) if (logMatches(log, filter.criteria)) bounded(filter.buffer, log, this.#options.maxBufferedPerFilter);
    }
  });

  constructor(
    private readonly backend: RpcBackend,
    options: Partial<FilterOptions> = {},
    /** Shared with the server's log subscriptions: one budget for every installed address and topic. */
    private readonly budget = new LogCriteriaBudget(),
  ) {
    this.#options = { ...DEFAULT_FILTER_OPTIONS, ...options };
    this.#now = this.#options.now ?? Date.now;
    backend.events.on("newHead", this.#onHead);
    backend.events.on("logs", this.#onLogs);
    backend.events.on("pendingTransaction", this.#onPending);
    this.#sweeper = setInterval(() => this.sweep(), Math.min(30_000, this.#options.idleTimeoutMs)).unref();
  }

  get size(): number {
    return this.#filters.size;
  }

  install(kind: "blocks" | "pendingTransactions"): Hex;
  install(kind: "logs", criteria: LogCriteriaInput): Hex;
  install(kind: FilterKind, criteria?: LogCriteriaInput): Hex {
    this.sweep();
    if (this.#filters.size >= this.#options.maxFilters) {
      throw new RpcError(RpcErrorCode.LimitExceeded, `too many filters installed (at most ${this.#options.maxFilters}); uninstall unused ones`);
    }
    const id = `0x${randomBytes(16).toString("hex")}` as Hex;
    const lastPolled = this.#now();
    this.#filters.set(
      id,
      kind === "logs" ? { kind, criteria: this.budget.acquire(criteria!), buffer: [], lastPolled } : { kind, buffer: [], lastPolled },
    );
    return id;
  }

  /** What happened since the last poll; the buffer empties. */
  changes(id: string): Hex[] | LogRecord[] {
    const filter = this.#get(id);
    const changes = filter.buffer;
    filter.buffer = [];
    return changes;
  }

  /** The log criteria of a log filter (eth_getFilterLogs re-runs them over the chain). */
  criteria(id: string): LogCriteriaInput {
    const filter = this.#get(id);
    if (filter.kind !== "logs") throw new FilterNotFoundError(id);
    return criteriaInput(filter.criteria);
  }

  uninstall(id: string): boolean {
    return this.#remove(id.toLowerCase());
  }

  /** Removes filters idle past the timeout. */
  sweep(): void {
    const deadline = this.#now() - this.#options.idleTimeoutMs;
    for (const [id, filter] of this.#filters) if (filter.lastPolled < deadline) this.#remove(id);
  }

  #remove(id: string): boolean {
    const filter = this.#filters.get(id);
    if (filter === undefined) return false;
    this.#filters.delete(id);
    if (filter.kind === "logs") this.budget.release(filter.criteria);
    return true;
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.backend.events.off("newHead", this.#onHead);
    this.backend.events.off("logs", this.#onLogs);
    this.backend.events.off("pendingTransaction", this.#onPending);
    for (const id of [...this.#filters.keys()]) this.#remove(id);
  }

  #get(id: string): FilterEntry {
    const filter = this.#filters.get(id.toLowerCase());
    if (filter === undefined || filter.lastPolled < this.#now() - this.#options.idleTimeoutMs) {
      this.#remove(id.toLowerCase());
      throw new FilterNotFoundError(id);
    }
    filter.lastPolled = this.#now();
    return filter;
  }

  #push(kind: "blocks" | "pendingTransactions", hash: Hex): void {
    for (const filter of this.#filters.values()) {
      if (filter.kind === kind) bounded(filter.buffer, hash, this.#options.maxBufferedPerFilter);
    }
  }
}

function bounded<T>(buffer: T[], entry: T, max: number): void {
  buffer.push(entry);
  if (buffer.length > max) buffer.splice(0, buffer.length - max);
}
