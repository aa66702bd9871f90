/**
 * Kubo's GC lock (boxo blockstore.GCLocker): a command that writes blocks and then makes them
 * reachable (add then pin, dag/put --pin, a files/* change, pin/add fetching a DAG) holds it shared
 * from its first block to its last reference; repo/gc holds it exclusively from marking to the last
 * deletion. Without it, gc could mark before a new MFS root or pin exists and sweep its fresh blocks.
 *
 * A waiting gc goes first: commands that arrive after it wait, so a stream of writes cannot starve it.
 */
export class GcLock {
  #sharedHolders = 0;
  #exclusiveHeld = false;
  #waiting: Array<{ exclusive: boolean; grant: () => void }> = [];

  async shared<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire(false);
    try {
      return await work();
    } finally {
      this.#sharedHolders--;
      this.#wake();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire(true);
    try {
      return await work();
    } finally {
      this.#exclusiveHeld = false;
      this.#wake();
    }
  }

  #acquire(exclusive: boolean): Promise<void> {
    if (this.#waiting.length === 0 && this.#grantable(exclusive)) {
      this.#take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ exclusive, grant: resolve }));
  }

  #grantable(exclusive: boolean): boolean {
    return !this.#exclusiveHeld && (!exclusive || this.#sharedHolders === 0);
  }

  #take(exclusive: boolean): void {
    if (exclusive) this.#exclusiveHeld = true;
    else this.#sharedHolders++;
  }

  /** Grants waiters in arrival order while they fit: a run of shared ones together, an exclusive one alone. */
  #wake(): void {
    while (this.#waiting.length > 0 && this.#grantable(this.#waiting[0].exclusive)) {
      const next = this.#waiting.shift()!;
      this.#take(next.exclusive);
      next.grant();
    }
  }
}
