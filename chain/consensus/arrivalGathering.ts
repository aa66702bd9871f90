/**
 * Before a proposer builds a block, it lets the transactions arriving together with the one that
 * woke it join the block: it waits until none has arrived for `quietMs` (1 ms), at most `maxMs`
 * (5 ms) in all, and while a client is still admitting a JSON-RPC batch, up to `burstMaxMs` (50 ms).
 *
 * Why: transactions of one burst do not become pending in one event-loop turn (HTTP parsing, sender
 * recovery on a worker thread, gossip from the other validators). Building at the first one splits
 * the burst over two blocks, paying a block's fixed cost twice; and when clients wait for their
 * receipts before sending more (send-and-wait, what Hardhat's automine invites), a block that misses
 * half of them makes the clients fall into two cohorts taking turns, halving what a block holds.
 *
 * A lone client gains nothing from a quiet wait (nothing else comes), so the wait is skipped until a
 * block holds several transactions again, or more arrived while one was built. Measured on the
 * single-validator engine: one-at-a-time send to answer 3.9 -> 2.5 ms without the wait, while
 * concurrent senders keep it and their shared blocks.
 */
export interface GatheringOptions {
  /** Wait for arrivals until none came for this long (ms; default 1). */
  gatherQuietMs?: number;
  /** ... but never longer than this in all (ms; default 5; 0 builds at once). */
  gatherMaxMs?: number;
  /** While a client is still admitting a burst (a batch), wait for it up to this long (ms; default 50). */
  gatherBurstMaxMs?: number;
}

export class ArrivalGathering {
  /** Transactions that became pending so far (the wait watches it move). */
  private arrivals = 0;
  /** The last block held several transactions, or more came while it was made: gathering pays. */
  private lastBlockShared = false;
  private readonly quietMs: number;
  private readonly maxMs: number;
  private readonly burstMaxMs: number;

  /** `burstsInProgress`: JSON-RPC batches still being admitted (ConsensusHost.burstsInProgress). */
  constructor(
    options: GatheringOptions,
    private readonly burstsInProgress: () => number,
  ) {
    for (const key of ["gatherQuietMs", "gatherMaxMs", "gatherBurstMaxMs"] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new RangeError(`${key} must be a non-negative number, got ${value}`);
    }
    this.quietMs = options.gatherQuietMs ?? 1;
    this.maxMs = options.gatherMaxMs ?? 5;
    this.burstMaxMs = options.gatherBurstMaxMs ?? 50;
  }

  /** A transaction became pending. */
  arrived(): void {
    this.arrivals++;
  }

  /** Waits for the burst in progress; returns early once `wanted()` turns false (the engine stopped). */
  async gather(wanted: () => boolean): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    const deadline = started + this.maxMs;
    // A batch admits its transactions one after another (nonce order), each in well under a
    // millisecond but all of them in more than the quiet time: while a batch is arriving, wait.
    while (this.burstsInProgress() > 0 && performance.now() < started + this.burstMaxMs && wanted()) {
      await new Promise((resolve) => setTimeout(resolve, 0.5));
    }
    const quiet = this.lastBlockShared ? this.quietMs : 0;
    for (;;) {
      const seen = this.arrivals;
      const wait = Math.min(quiet, deadline - performance.now());
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.arrivals === seen || !wanted()) return;
    }
  }

  /** Call as a build starts; pass the result to `built`. */
  mark(): number {
    return this.arrivals;
  }

  /** A block of `transactions` was built; `mark` is what `mark()` returned when its build started. */
  built(transactions: number, mark: number): void {
    this.lastBlockShared = transactions > 1 || this.arrivals > mark;
  }
}
