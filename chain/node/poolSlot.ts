/**
 * The node's transaction pool, in a slot: dev mode replaces the whole pool (snapshot revert, a new
 * base fee or gas limit re-admits everything against the new rules), and whoever holds the slot
 * sees the new one. It also carries the one stream of "a transaction became executable" events,
 * whichever pool (or dev mode's impersonated transactions) it comes from: the consensus engine wakes
 * on it, and the RPC layer's pending-transaction subscriptions feed from it.
 */
import { EventEmitter } from "node:events";
import type { TxPool } from "../txpool/index.ts";
import type { Hex } from "../types.ts";

export class PoolSlot {
  #pool: TxPool;
  readonly #executable = new EventEmitter<{ pending: [hash: Hex] }>();
  #bursts = 0;

  constructor(private readonly create: () => TxPool) {
    this.#pool = this.#attach(create());
  }

  get current(): TxPool {
    return this.#pool;
  }

  /** Puts a new, empty pool in the slot and detaches the old one. */
  replace(): TxPool {
    this.#pool.removeAllListeners();
    this.#pool = this.#attach(this.create());
    return this.#pool;
  }

  /** Calls `listener` whenever a transaction becomes executable; returns the unsubscribe function. */
  onExecutable(listener: (hash: Hex) => void): () => void {
    this.#executable.on("pending", listener);
    return () => this.#executable.off("pending", listener);
  }

  /**
   * Marks a client's burst (a JSON-RPC batch) as still arriving until the returned function is
   * called: the engine's gathering waits for it, so that the burst shares one block.
   */
  beginBurst(): () => void {
    this.#bursts++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#bursts--;
    };
  }

  /** Bursts still arriving. */
  get burstsInProgress(): number {
    return this.#bursts;
  }

  /** A transaction held outside the pool became executable (dev mode's impersonated ones). */
  announce(hash: Hex): void {
    this.#executable.emit("pending", hash);
  }

  #attach(pool: TxPool): TxPool {
    pool.on("pending", (hash) => this.#executable.emit("pending", hash));
    return pool;
  }
}
