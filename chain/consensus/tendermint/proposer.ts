/**
 * Who proposes at (height, round): CometBFT's proposer-priority weighted round robin, computed by
 * every validator from the validator set alone, without messages.
 *
 * Each validator has a priority. One increment adds every validator's voting power to its priority,
 * picks the highest priority (ties: the lowest address) as proposer, and takes the total power off
 * the proposer's priority. Over any window each validator proposes in proportion to its power. As in
 * CometBFT, priorities are kept centred on zero and their spread bounded to twice the total power, so
 * a newcomer is neither starved nor flooded.
 *
 * CometBFT carries the priorities in its state from block to block, incrementing once per height,
 * and once more per round inside a height. Concord derives them instead: the priorities for
 * (height, round) are those after `height + round` increments from zero for that validator set,
 * which gives the same rotation without a priority state to store, sync or agree on. A schedule keeps
 * the priorities of the last height it was asked about, so consecutive heights cost one increment,
 * and a checkpoint every CHECKPOINT_STEPS increments, so asking about an earlier height (validators
 * of a simulation at different heights, a node catching up) does not start again from zero.
 * `ProposerSchedule.of(validators)` shares one schedule per validator set: a state machine lives for
 * one height, the schedule for as long as its set (without it, every height would redo all the
 * increments since genesis, a cost that grows with the chain).
 *
 * From zero, the priorities come back to zero after total power / gcd(powers) increments (each
 * validator chosen exactly power / gcd times: the rotation of a smooth weighted round robin), and the
 * sequence repeats. When that period is at most MAX_ROTATION, a schedule counts it out once and
 * answers every (height, round) from the table: O(1) at any height, so a node that starts, or a set
 * that changes, at height 10,000,000 does not first count ten million increments. Stakes in wei
 * share large factors (4 validators of 1,000 ETH: a period of 4), so real sets have short periods;
 * a set whose period is longer falls back to counting, with checkpoints.
 */
import type { Hex } from "../../types.ts";
import type { Validator } from "../engine.ts";

const CHECKPOINT_STEPS = 1024n;
const MAX_CHECKPOINTS = 1024;
const MAX_SHARED_SCHEDULES = 16;
/** Longest rotation kept as a table (4 bytes an entry). */
export const MAX_ROTATION = 1 << 20;
const shared = new Map<string, ProposerSchedule>();

export class ProposerSchedule {
  private readonly validators: readonly Validator[];
  private readonly total: bigint;
  /** Priorities after `steps` increments from zero. */
  private cached: { steps: bigint; priorities: bigint[] };
  /** Priorities after k x CHECKPOINT_STEPS increments, by k x CHECKPOINT_STEPS (bounded). */
  private readonly checkpoints = new Map<bigint, bigint[]>();
  /** The proposer index chosen by increment s + 1, for s over one period; undefined: count instead. */
  private readonly rotation: Uint32Array | undefined;

  /** The schedule of this validator set, shared by every caller that asks for the same set. */
  static of(validators: readonly Validator[]): ProposerSchedule {
    const key = validators
      .map((v) => `${v.address.toLowerCase()}:${v.votingPower}`)
      .sort()
      .join(",");
    let schedule = shared.get(key);
    if (schedule === undefined) {
      schedule = new ProposerSchedule(validators);
      if (shared.size >= MAX_SHARED_SCHEDULES) shared.delete(shared.keys().next().value!);
    } else {
      shared.delete(key); // re-inserted below: most recently used last
    }
    shared.set(key, schedule);
    return schedule;
  }

  /** `maxRotation`: the longest period tabulated (tests set 0 to compare with counting). */
  constructor(validators: readonly Validator[], maxRotation = MAX_ROTATION) {
    if (validators.length === 0) throw new RangeError("a proposer schedule needs at least one validator");
    if (validators.some((v) => v.votingPower <= 0n)) throw new RangeError("every validator needs positive voting power");
    // Address order, so every node indexes the set the same way whatever order it was given in.
    this.validators = [...validators].sort((a, b) => compareAddresses(a.address, b.address));
    this.total = this.validators.reduce((sum, v) => sum + v.votingPower, 0n);
    this.cached = { steps: 0n, priorities: this.validators.map(() => 0n) };
    this.rotation = this.countRotation(maxRotation);
  }

  /** One period of the rotation, if it is at most `limit` increments and does come back to zero. */
  private countRotation(limit: number): Uint32Array | undefined {
    const divisor = this.validators.reduce((g, v) => gcd(g, v.votingPower), 0n);
    const period = this.total / divisor;
    if (period > BigInt(limit)) return undefined;
    const priorities = this.validators.map(() => 0n);
    const chosen = new Uint32Array(Number(period));
    for (let step = 0; step < chosen.length; step++) chosen[step] = this.increment(priorities);
    // Always true for this algorithm from zero; checked rather than assumed, since a wrong table
    // would pick wrong proposers forever.
    return priorities.every((p) => p === 0n) ? chosen : undefined;
  }

  /** The proposer of (height, round). */
  proposer(height: bigint, round: number): Hex {
    if (height < 0n || round < 0) throw new RangeError(`no proposer for height ${height} round ${round}`);
    if (this.rotation !== undefined) return this.validators[this.rotation[Number((height + BigInt(round)) % BigInt(this.rotation.length))]!]!.address;
    if (this.cached.steps > height) this.rewind(height);
    const base = this.cached.priorities;
    while (this.cached.steps < height) {
      this.increment(base);
      this.cached.steps++;
      if (this.cached.steps % CHECKPOINT_STEPS === 0n && this.checkpoints.size < MAX_CHECKPOINTS) this.checkpoints.set(this.cached.steps, [...base]);
    }
    // Rounds go on a copy: the next height starts again from the height's own priorities.
    const priorities = [...base];
    let chosen = this.increment(priorities);
    for (let r = 0; r < round; r++) chosen = this.increment(priorities);
    return this.validators[chosen]!.address;
  }

  /** Back to the latest checkpoint at or below `height` (zero if none is kept). */
  private rewind(height: bigint): void {
    const at = (height / CHECKPOINT_STEPS) * CHECKPOINT_STEPS;
    const checkpoint = at === 0n ? undefined : this.checkpoints.get(at);
    this.cached = checkpoint === undefined ? { steps: 0n, priorities: this.validators.map(() => 0n) } : { steps: at, priorities: [...checkpoint] };
  }

  /** One increment; returns the index of the proposer it chose. */
  private increment(priorities: bigint[]): number {
    this.rescale(priorities);
    this.centre(priorities);
    let chosen = 0;
    for (let i = 0; i < priorities.length; i++) {
      priorities[i]! += this.validators[i]!.votingPower;
      // Highest priority; on a tie the lower address, which comes first in this.validators.
      if (priorities[i]! > priorities[chosen]!) chosen = i;
    }
    priorities[chosen]! -= this.total;
    return chosen;
  }

  /** Keeps the spread of priorities within 2 x total power (CometBFT's RescalePriorities). */
  private rescale(priorities: bigint[]): void {
    const limit = 2n * this.total;
    let max = priorities[0]!;
    let min = priorities[0]!;
    for (const p of priorities) {
      if (p > max) max = p;
      if (p < min) min = p;
    }
    const spread = max - min;
    if (spread <= limit) return;
    const ratio = (spread + limit - 1n) / limit;
    for (let i = 0; i < priorities.length; i++) priorities[i] = priorities[i]! / ratio;
  }

  /** Shifts priorities so they average zero (CometBFT's shiftByAvgProposerPriority). */
  private centre(priorities: bigint[]): void {
    const sum = priorities.reduce((a, b) => a + b, 0n);
    const n = BigInt(priorities.length);
    // Floor division, as Go's big.Int Div for a positive divisor.
    const average = sum >= 0n ? sum / n : -((-sum + n - 1n) / n);
    for (let i = 0; i < priorities.length; i++) priorities[i] = priorities[i]! - average;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function compareAddresses(a: Hex, b: Hex): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
