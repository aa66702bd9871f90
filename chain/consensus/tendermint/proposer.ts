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
 * the priorities of the last height it was asked about, so consecutive heights cost one increment.
 */
import type { Hex } from "../../types.ts";
import type { Validator } from "../engine.ts";

export class ProposerSchedule {
  private readonly validators: readonly Validator[];
  private readonly total: bigint;
  /** Priorities after `steps` increments from zero. */
  private cached: { steps: bigint; priorities: bigint[] };

  constructor(validators: readonly Validator[]) {
    if (validators.length === 0) throw new RangeError("a proposer schedule needs at least one validator");
    if (validators.some((v) => v.votingPower <= 0n)) throw new RangeError("every validator needs positive voting power");
    // Address order, so every node indexes the set the same way whatever order it was given in.
    this.validators = [...validators].sort((a, b) => compareAddresses(a.address, b.address));
    this.total = this.validators.reduce((sum, v) => sum + v.votingPower, 0n);
    this.cached = { steps: 0n, priorities: this.validators.map(() => 0n) };
  }

  /** The proposer of (height, round). */
  proposer(height: bigint, round: number): Hex {
    if (height < 0n || round < 0) throw new RangeError(`no proposer for height ${height} round ${round}`);
    if (this.cached.steps > height) this.cached = { steps: 0n, priorities: this.validators.map(() => 0n) };
    const base = this.cached.priorities;
    for (; this.cached.steps < height; this.cached.steps++) this.increment(base);
    // Rounds go on a copy: the next height starts again from the height's own priorities.
    const priorities = [...base];
    let chosen = this.increment(priorities);
    for (let r = 0; r < round; r++) chosen = this.increment(priorities);
    return this.validators[chosen]!.address;
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

function compareAddresses(a: Hex, b: Hex): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
