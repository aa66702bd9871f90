/**
 * The votes of one type (prevote or precommit) for one (height, round), counted by voting power.
 *
 * Thresholds are Tendermint's: a quorum is MORE than 2/3 of the total power (2f+1 of 3f+1), and
 * "more than 1/3" (f+1) is enough to know that at least one honest validator is there.
 *
 * A validator that votes for two different blocks equivocates: both votes are kept as evidence, and,
 * as in the paper's model (a correct process "receives" every message a faulty one sends), each counts
 * toward its own block's tally, while "votes for anything" counts the validator once. Counting only the
 * first vote would be unsafe for liveness: an equivocator that sends v to some and nil to others would
 * leave honest validators with tallies that never meet, one locked on v and the others unable to see
 * the quorum that justified the lock. Safety is unaffected: with less than 1/3 of the power faulty, two
 * quorums for different blocks still share an honest validator. A validator's distinct votes are capped
 * (MAX_VALUES_PER_VALIDATOR), so an equivocator cannot grow a vote set without bound.
 */
import type { Hex } from "../../types.ts";
import type { Validator } from "../engine.ts";
import type { Vote } from "../messages.ts";

export interface CountedVote {
  signer: Hex;
  blockHash: Hex | null;
  signature: Hex;
}

/** Two conflicting votes signed by one validator at one (height, round, type). */
export interface Equivocation {
  signer: Hex;
  first: CountedVote;
  second: CountedVote;
}

export type AddResult = "added" | "duplicate" | "equivocation" | "not-a-validator" | "over-limit";

/** Where nil votes are counted in the per-value maps. */
const NIL = "nil";
/** The distinct values one validator's votes are kept for (honest: 1). */
export const MAX_VALUES_PER_VALIDATOR = 4;

export class VoteSet {
  /** Every vote kept, by value then signer. */
  private readonly byValue = new Map<string, Map<string, CountedVote>>();
  /** The values each signer voted for, in arrival order. */
  private readonly valuesBySigner = new Map<string, string[]>();
  private readonly powerByValue = new Map<string, bigint>();
  private anyPower = 0n;
  readonly equivocations: Equivocation[] = [];

  constructor(
    readonly type: Vote["type"],
    private readonly power: ReadonlyMap<string, bigint>,
    private readonly total: bigint,
  ) {}

  static forValidators(type: Vote["type"], validators: readonly Validator[]): VoteSet {
    const power = new Map(validators.map((v) => [v.address.toLowerCase(), v.votingPower]));
    return new VoteSet(type, power, validators.reduce((sum, v) => sum + v.votingPower, 0n));
  }

  add(vote: CountedVote): AddResult {
    const signer = vote.signer.toLowerCase();
    const weight = this.power.get(signer);
    if (weight === undefined) return "not-a-validator";
    const value = vote.blockHash === null ? null : (vote.blockHash.toLowerCase() as Hex);
    const key = value ?? NIL;
    const counted: CountedVote = { signer: signer as Hex, blockHash: value, signature: vote.signature };
    const values = this.valuesBySigner.get(signer) ?? [];
    if (values.includes(key)) return "duplicate";
    if (values.length >= MAX_VALUES_PER_VALIDATOR) return "over-limit";
    if (values.length === 0) this.anyPower += weight;
    else this.equivocations.push({ signer: signer as Hex, first: this.byValue.get(values[0]!)!.get(signer)!, second: counted });
    values.push(key);
    this.valuesBySigner.set(signer, values);
    let voters = this.byValue.get(key);
    if (voters === undefined) this.byValue.set(key, (voters = new Map()));
    voters.set(signer, counted);
    this.powerByValue.set(key, (this.powerByValue.get(key) ?? 0n) + weight);
    return values.length === 1 ? "added" : "equivocation";
  }

  /** More than 2/3 of the power voted for `value` (a block hash, or null for nil). */
  hasQuorumFor(value: Hex | null): boolean {
    return isQuorum(this.powerByValue.get(value === null ? NIL : value.toLowerCase()) ?? 0n, this.total);
  }

  /** More than 2/3 of the power voted, for anything (each validator counted once). */
  hasQuorumForAny(): boolean {
    return isQuorum(this.anyPower, this.total);
  }

  /** The block (or nil) with more than 2/3 of the power, if there is one. */
  quorumValue(): Hex | null | undefined {
    for (const [key, power] of this.powerByValue) if (isQuorum(power, this.total)) return key === NIL ? null : (key as Hex);
    return undefined;
  }

  /** The votes for `value`: for a precommit quorum, the commit certificate's signatures. */
  votesFor(value: Hex | null): CountedVote[] {
    return [...(this.byValue.get(value === null ? NIL : value.toLowerCase())?.values() ?? [])];
  }

  /** The validators that voted, each once. */
  signers(): Hex[] {
    return [...this.valuesBySigner.keys()] as Hex[];
  }
}

/** More than 2/3 of `total`. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n;
}

/** More than 1/3 of `total`: at least one honest validator among them. */
export function isOneThirdPlus(power: bigint, total: bigint): boolean {
  return power * 3n > total;
}
