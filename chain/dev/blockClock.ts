/**
 * Block time on a dev chain, as Hardhat keeps it: the wall clock plus an offset that
 * evm_increaseTime moves, and an optional timestamp for the next block (evm_setNextBlockTimestamp).
 *
 * - A block's timestamp is the next timestamp if one is set, else max(now + offset, parent + 1).
 * - Mining a block at a chosen timestamp re-anchors the offset so that the clock continues from
 *   there: blocks mined afterwards follow it as time passes, not the old offset.
 * - Reverting to a snapshot winds the clock back to the moment the snapshot was taken, so a fixture
 *   restored by loadFixture starts every test at the same block time (Hardhat does the same).
 */

export interface ClockState {
  offset: bigint;
  nextTimestamp: bigint | undefined;
  /** Wall-clock milliseconds when the state was captured. */
  capturedAtMs: number;
}

export class BlockClock {
  #offset = 0n;
  #nextTimestamp: bigint | undefined;

  constructor(private readonly wallClockMs: () => number = Date.now) {}

  /** Seconds the clock runs ahead of the wall clock. */
  get offset(): bigint {
    return this.#offset;
  }

  get nextTimestamp(): bigint | undefined {
    return this.#nextTimestamp;
  }

  /** Block time now: wall clock + offset, in seconds. */
  now(): bigint {
    return this.#wallSeconds() + this.#offset;
  }

  /** What the next block's time is based on (the producer still keeps it above the parent's). */
  nextBlockTime(): bigint {
    return this.#nextTimestamp ?? this.now();
  }

  /** evm_increaseTime: returns the total offset. */
  increase(seconds: bigint): bigint {
    this.#offset += seconds;
    return this.#offset;
  }

  /** The caller has checked `timestamp` against the latest block. */
  setNextTimestamp(timestamp: bigint): void {
    this.#nextTimestamp = timestamp;
  }

  /**
   * After every committed block: the next timestamp is used up, and a block mined at a chosen time
   * moves the offset so that now + offset equals that time.
   */
  onBlockCommitted(timestamp: bigint, chosen: boolean): void {
    if (chosen) this.#offset = timestamp - this.#wallSeconds();
    this.#nextTimestamp = undefined;
  }

  capture(): ClockState {
    return { offset: this.#offset, nextTimestamp: this.#nextTimestamp, capturedAtMs: this.wallClockMs() };
  }

  /** Back to `state`, with the time that passed since it was captured taken off the offset. */
  restore(state: ClockState): void {
    const elapsedMs = this.wallClockMs() - state.capturedAtMs;
    this.#offset = state.offset - BigInt(Math.floor(elapsedMs / 1000));
    this.#nextTimestamp = state.nextTimestamp;
  }

  #wallSeconds(): bigint {
    return BigInt(Math.floor(this.wallClockMs() / 1000));
  }
}
