/**
 * The memory that installed log filters and `logs` subscriptions may hold, all clients together.
 *
 * Counting filters is not enough: one filter may name 1,000 addresses and 4 x 1,000 topics, and a
 * few thousand such filters once took a node past 3 GB. So every address and topic alternative
 * installed counts against one budget (100,000 by default: maxLogCriteriaEntries in server.ts), a request that
 * would pass it is refused with -32005 naming it, and entries are given back when a filter is
 * uninstalled or expires or a subscription ends. Criteria are kept compact: as Sets (a lookup per
 * log instead of a scan) of strings interned in one table, so a thousand filters watching the same
 * token hold one copy of its address.
 */
import { RpcError, RpcErrorCode } from "./errors.ts";
import type { LogCriteria, LogCriteriaInput } from "./logMatch.ts";
import type { Hex } from "../types.ts";

export const DEFAULT_MAX_CRITERIA_ENTRIES = 100_000;

export class LogCriteriaBudget {
  readonly #interned = new Map<string, { value: Hex; holders: number }>();
  #used = 0;

  constructor(readonly maxEntries = DEFAULT_MAX_CRITERIA_ENTRIES) {}

  /** Entries held by every installed filter and subscription. */
  get used(): number {
    return this.#used;
  }

  /** Compact criteria for a new filter or subscription, charged to the budget; throws -32005 past it. */
  acquire(input: LogCriteriaInput): LogCriteria {
    const entries = input.addresses.length + input.topics.reduce((sum, position) => sum + (position?.length ?? 0), 0);
    if (this.#used + entries > this.maxEntries) {
      throw new RpcError(
        RpcErrorCode.LimitExceeded,
        `log filters and subscriptions would hold more than ${this.maxEntries} addresses and topics (${this.#used} installed, this one has ${entries}); uninstall unused filters or narrow the criteria`,
      );
    }
    this.#used += entries;
    const criteria: LogCriteria = {
      addresses: input.addresses.length === 0 ? undefined : new Set(input.addresses.map((entry) => this.#intern(entry))),
      topics: input.topics.map((position) => (position === null ? null : new Set(position.map((entry) => this.#intern(entry))))),
      entries,
    };
    if (input.fromBlock !== undefined) criteria.fromBlock = input.fromBlock;
    if (input.toBlock !== undefined) criteria.toBlock = input.toBlock;
    if (input.blockHash !== undefined) criteria.blockHash = input.blockHash;
    return criteria;
  }

  /** Gives back what `acquire` charged (a filter uninstalled or expired, a subscription ended). */
  release(criteria: LogCriteria): void {
    this.#used -= criteria.entries;
    for (const entry of criteria.addresses ?? []) this.#forget(entry);
    for (const position of criteria.topics) for (const entry of position ?? []) this.#forget(entry);
  }

  #intern(entry: Hex): Hex {
    const held = this.#interned.get(entry);
    if (held !== undefined) {
      held.holders++;
      return held.value;
    }
    this.#interned.set(entry, { value: entry, holders: 1 });
    return entry;
  }

  #forget(entry: Hex): void {
    const held = this.#interned.get(entry);
    if (held === undefined) return;
    if (--held.holders === 0) this.#interned.delete(entry);
  }
}
