/**
 * eth_subscribe over WebSocket: newHeads, logs (address/topics), newPendingTransactions.
 *
 * One hub per server listens to the backend once per event kind and fans out, so the number of
 * subscriptions does not multiply listeners on the node's emitter; a head or a log is formatted once
 * however many subscribers get it.
 */
import { randomBytes } from "node:crypto";
import type { Block } from "@ethereumjs/block";
import type { LogRecord, RpcBackend } from "./backend.ts";
import { RpcError, RpcErrorCode } from "./errors.ts";
import { formatHeader } from "./format/block.ts";
import { formatLog } from "./format/log.ts";
import { formatTransaction } from "./format/transaction.ts";
import { LogCriteriaBudget } from "./logCriteriaBudget.ts";
import { logMatches, type LogCriteria, type LogCriteriaInput } from "./logMatch.ts";
import type { Hex } from "../types.ts";

export type SubscriptionKind = "newHeads" | "logs" | "newPendingTransactions";

/** Sends one `eth_subscription` notification's result to the connection that subscribed. */
export type NotificationSink = (subscription: Hex, result: unknown) => void;

interface Subscription {
  kind: SubscriptionKind;
  connectionId: number;
  sink: NotificationSink;
  criteria?: LogCriteria;
  fullTransactions?: boolean;
}

export class SubscriptionHub {
  readonly #subscriptions = new Map<Hex, Subscription>();
  readonly #sinks = new Map<number, NotificationSink>();
  readonly #onHead = (block: Block) => {
    let header: Record<string, unknown> | undefined;
    for (const [id, subscription] of this.#subscriptions) {
      if (subscription.kind !== "newHeads") continue;
      header ??= formatHeader(block.header);
      subscription.sink(id, header);
    }
  };
  readonly #onLogs = (logs: LogRecord[]) => {
    const formatted = new Map<LogRecord, Record<string, unknown>>();
    for (const [id, subscription] of this.#subscriptions) {
      if (subscription.kind !== "logs") continue;
      for (const log of logs) {
        if (!logMatches(log, subscription.criteria!)) continue;
        let json = formatted.get(log);
        if (json === undefined) formatted.set(log, (json = formatLog(log)));
        subscription.sink(id, json);
      }
    }
  };
  readonly #onPending = (hash: Hex) => {
    let wantsFull = false;
    for (const [id, subscription] of this.#subscriptions) {
      if (subscription.kind !== "newPendingTransactions") continue;
      if (subscription.fullTransactions) wantsFull = true;
      else subscription.sink(id, hash);
    }
    if (wantsFull) void this.#sendFullPending(hash);
  };

  // The node emits these from its commit path: nothing thrown here may reach it.
  readonly #guardedHead = guard(this.#onHead);
  readonly #guardedLogs = guard(this.#onLogs);
  readonly #guardedPending = guard(this.#onPending);

  constructor(
    private readonly backend: RpcBackend,
    private readonly maxPerConnection = 1_000,
    /** Shared with the server's filters: one budget for every installed address and topic. */
    private readonly budget = new LogCriteriaBudget(),
  ) {
    backend.events.on("newHead", this.#guardedHead);
    backend.events.on("logs", this.#guardedLogs);
    backend.events.on("pendingTransaction", this.#guardedPending);
  }

  /** A WebSocket connection opened: where its notifications go. */
  attach(connectionId: number, sink: NotificationSink): void {
    this.#sinks.set(connectionId, sink);
  }

  /** A connection closed: its subscriptions end with it. */
  detach(connectionId: number): void {
    this.#sinks.delete(connectionId);
    for (const [id, subscription] of this.#subscriptions) {
      if (subscription.connectionId === connectionId) this.#remove(id);
    }
  }

  subscribe(
    connectionId: number | undefined,
    kind: SubscriptionKind,
    options: { criteria?: LogCriteriaInput; fullTransactions?: boolean } = {},
  ): Hex {
    const sink = connectionId === undefined ? undefined : this.#sinks.get(connectionId);
    if (connectionId === undefined || sink === undefined) {
      // geth's words: subscriptions need a connection that can carry notifications.
      throw new RpcError(RpcErrorCode.MethodNotFound, "notifications not supported: use a WebSocket connection for eth_subscribe");
    }
    let count = 0;
    for (const subscription of this.#subscriptions.values()) if (subscription.connectionId === connectionId) count++;
    if (count >= this.maxPerConnection) {
      throw new RpcError(RpcErrorCode.LimitExceeded, `too many subscriptions on this connection (at most ${this.maxPerConnection})`);
    }
    const id = `0x${randomBytes(16).toString("hex")}` as Hex;
    const criteria = options.criteria === undefined ? undefined : this.budget.acquire(options.criteria);
    this.#subscriptions.set(id, { kind, connectionId, sink, criteria, fullTransactions: options.fullTransactions });
    return id;
  }

  /** Only the connection that subscribed may unsubscribe; false for an unknown id (as geth). */
  unsubscribe(connectionId: number | undefined, id: string): boolean {
    const key = id.toLowerCase() as Hex;
    const subscription = this.#subscriptions.get(key);
    if (subscription === undefined || subscription.connectionId !== connectionId) return false;
    return this.#remove(key);
  }

  #remove(id: Hex): boolean {
    const subscription = this.#subscriptions.get(id);
    if (subscription === undefined) return false;
    this.#subscriptions.delete(id);
    if (subscription.criteria !== undefined) this.budget.release(subscription.criteria);
    return true;
  }

  close(): void {
    this.backend.events.off("newHead", this.#guardedHead);
    this.backend.events.off("logs", this.#guardedLogs);
    this.backend.events.off("pendingTransaction", this.#guardedPending);
    for (const id of [...this.#subscriptions.keys()]) this.#remove(id);
    this.#sinks.clear();
  }

  async #sendFullPending(hash: Hex): Promise<void> {
    try {
      const located = await this.backend.getTransaction(hash);
      if (located === undefined) return;
      const json = formatTransaction(located.tx, located.sender);
      for (const [id, subscription] of this.#subscriptions) {
        if (subscription.kind === "newPendingTransactions" && subscription.fullTransactions) subscription.sink(id, json);
      }
    } catch {
      // The transaction left the pool (or the lookup failed) before it could be sent: nothing to notify.
    }
  }
}

/** Runs a listener so that a failure is reported, never thrown into the emitter. */
export function guard<A extends unknown[]>(listener: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      listener(...args);
    } catch (error) {
      process.emitWarning(`concord rpc: notification listener failed: ${String(error)}`);
    }
  };
}
