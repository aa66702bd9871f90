/**
 * Tendermint's consensus algorithm for one validator at one height: Algorithm 1 of Buchman, Kwon and
 * Milosevic, "The latest gossip on BFT consensus" (2018). Line numbers below are the paper's.
 *
 * The machine is pure: no network, storage, VM or clock inside. `apply(event)` takes one input (a
 * verified proposal or vote, a timeout that fired, the result of building or verifying a block) and
 * returns the effects the driver must perform, in order: sign and send a proposal or vote, verify a
 * block, build one, schedule a timeout, commit. Given the same events in the same order it returns the
 * same effects, which is what makes the simulation and the replay of a write-ahead log possible.
 * Messages must arrive with their signature already checked and their signer a validator of this
 * height (the driver does that); the machine checks everything about their content.
 *
 * The paper's "upon" rules are conditions on the messages received; after every event the machine
 * re-evaluates them until none fires, and keeps the paper's "for the first time" flags per round.
 * A value is a block, named by its hash; `valid(v)` is the host's re-execution of the block
 * (verifyBlock), asked once per block and awaited: a validator never prevotes a block it has not run.
 *
 * Safety needs less than 1/3 of the voting power faulty; liveness needs, in addition, that messages
 * eventually arrive within the timeouts, which grow with the round (timeouts.ts).
 */
import type { Hex } from "../../types.ts";
import type { Validator } from "../engine.ts";
import type { Proposal, Vote } from "../messages.ts";
import { ProposerSchedule } from "./proposer.ts";
import { roundTimeout, type TimeoutConfig, type TimeoutStep } from "./timeouts.ts";
import { isOneThirdPlus, VoteSet, type CountedVote, type Equivocation } from "./voteSet.ts";

export type Step = "propose" | "prevote" | "precommit" | "decided";

export type ConsensusEvent =
  /** A proposal whose signature was checked; `signer` must be a validator of this height. */
  | { type: "proposal"; proposal: Proposal; signer: Hex; signature: Hex }
  | { type: "vote"; vote: Vote; signer: Hex; signature: Hex }
  | { type: "timeout"; step: TimeoutStep; height: bigint; round: number }
  /** The block this validator was asked to build (it proposes it). */
  | { type: "blockBuilt"; height: bigint; round: number; blockHash: Hex; block: Uint8Array }
  /** The block could not be built (the validator proposes nothing this round; timeouts move on). */
  | { type: "buildFailed"; height: bigint; round: number }
  /** The host re-executed the block: valid or not. */
  | { type: "blockVerified"; blockHash: Hex; valid: boolean };

export type ConsensusEffect =
  | { type: "buildBlock"; height: bigint; round: number }
  | { type: "propose"; proposal: Proposal }
  | { type: "vote"; vote: Vote }
  | { type: "verifyBlock"; blockHash: Hex; block: Uint8Array }
  | { type: "scheduleTimeout"; step: TimeoutStep; height: bigint; round: number; ms: number }
  /** The height is decided: commit `block` with these precommits as its certificate. */
  | { type: "commit"; height: bigint; round: number; blockHash: Hex; block: Uint8Array; signatures: CountedVote[] }
  /** Precommits of +2/3 for a block this validator never received: fetch it (block sync). */
  | { type: "missingBlock"; height: bigint; round: number; blockHash: Hex }
  | { type: "equivocation"; evidence: Equivocation; voteType: Vote["type"]; height: bigint; round: number };

export interface StateMachineOptions {
  height: bigint;
  validators: readonly Validator[];
  /** This validator's address; undefined for a node that follows without voting. */
  self: Hex | undefined;
  timeouts: TimeoutConfig;
  /** How many rounds ahead of the current one messages are kept (bounds memory). */
  maxRoundsAhead?: number;
}

interface ProposalRecord {
  proposal: Proposal;
  signature: Hex;
}

interface RoundMessages {
  proposal?: ProposalRecord;
  prevotes: VoteSet;
  precommits: VoteSet;
  /** Power of the distinct validators that sent anything for this round (line 55). */
  senders: Set<string>;
  prevoteTimeoutScheduled: boolean; // line 34
  precommitTimeoutScheduled: boolean; // line 47
  lockedOnQuorum: boolean; // line 36
}

export class TendermintStateMachine {
  readonly height: bigint;
  private round = 0;
  private step: Step = "propose";
  private lockedValue: Hex | null = null;
  private lockedRound = -1;
  private validValue: Hex | null = null;
  private validRound = -1;
  private readonly rounds = new Map<number, RoundMessages>();
  /** Blocks by hash, from proposals or our own build. */
  private readonly blocks = new Map<string, Uint8Array>();
  /** verifyBlock results; a pending entry means asked, not answered. */
  private readonly validity = new Map<string, boolean | "pending">();
  private readonly missingAsked = new Set<string>();
  private readonly schedule: ProposerSchedule;
  private readonly power: Map<string, bigint>;
  private readonly total: bigint;
  private readonly maxRoundsAhead: number;
  private started = false;
  private decision: { round: number; blockHash: Hex } | undefined;

  constructor(private readonly options: StateMachineOptions) {
    this.height = options.height;
    this.schedule = ProposerSchedule.of(options.validators);
    this.power = new Map(options.validators.map((v) => [v.address.toLowerCase(), v.votingPower]));
    this.total = options.validators.reduce((sum, v) => sum + v.votingPower, 0n);
    this.maxRoundsAhead = options.maxRoundsAhead ?? 10;
  }

  /** Where the machine is (for status, logs and tests). */
  status(): { height: bigint; round: number; step: Step; lockedRound: number; lockedValue: Hex | null; validRound: number; validValue: Hex | null } {
    return { height: this.height, round: this.round, step: this.step, lockedRound: this.lockedRound, lockedValue: this.lockedValue, validRound: this.validRound, validValue: this.validValue };
  }

  decided(): { round: number; blockHash: Hex } | undefined {
    return this.decision;
  }

  proposer(round: number): Hex {
    return this.schedule.proposer(this.height, round);
  }

  /** StartRound(0) (line 10). */
  start(): ConsensusEffect[] {
    if (this.started) return [];
    this.started = true;
    const effects: ConsensusEffect[] = [];
    this.startRound(0, effects);
    this.evaluate(effects);
    return effects;
  }

  apply(event: ConsensusEvent): ConsensusEffect[] {
    const effects = this.start();
    switch (event.type) {
      case "proposal":
        this.onProposal(event, effects);
        break;
      case "vote":
        this.onVote(event, effects);
        break;
      case "timeout":
        this.onTimeout(event, effects);
        break;
      case "blockBuilt":
        if (event.height === this.height && event.round === this.round && this.step === "propose" && this.isProposer(this.round)) {
          this.blocks.set(event.blockHash.toLowerCase(), event.block);
          // Our own block was built by our host: it is valid by construction.
          this.validity.set(event.blockHash.toLowerCase(), true);
          effects.push({ type: "propose", proposal: { type: "proposal", height: this.height, round: this.round, polRound: this.validRound, blockHash: event.blockHash, block: event.block } });
        }
        break;
      case "buildFailed":
        break;
      case "blockVerified":
        if (this.validity.get(event.blockHash.toLowerCase()) === "pending") this.validity.set(event.blockHash.toLowerCase(), event.valid);
        break;
    }
    this.evaluate(effects);
    return effects;
  }

  // ---- inputs ----

  private onProposal(event: Extract<ConsensusEvent, { type: "proposal" }>, effects: ConsensusEffect[]): void {
    const { proposal } = event;
    if (proposal.height !== this.height || !this.acceptsRound(proposal.round)) return;
    if (event.signer.toLowerCase() !== this.proposer(proposal.round).toLowerCase()) return; // only the round's proposer proposes
    const messages = this.messagesOf(proposal.round);
    messages.senders.add(event.signer.toLowerCase());
    if (messages.proposal !== undefined) return; // the first proposal of a round stands (a second is equivocation, ignored)
    messages.proposal = { proposal, signature: event.signature };
    const key = proposal.blockHash.toLowerCase();
    if (!this.blocks.has(key)) this.blocks.set(key, proposal.block);
    this.requestVerification(proposal.blockHash, effects);
  }

  private onVote(event: Extract<ConsensusEvent, { type: "vote" }>, effects: ConsensusEffect[]): void {
    const { vote } = event;
    if (vote.height !== this.height || !this.acceptsRound(vote.round)) return;
    const messages = this.messagesOf(vote.round);
    const set = vote.type === "prevote" ? messages.prevotes : messages.precommits;
    const result = set.add({ signer: event.signer, blockHash: vote.blockHash, signature: event.signature });
    if (result === "equivocation") effects.push({ type: "equivocation", evidence: set.equivocations.at(-1)!, voteType: vote.type, height: this.height, round: vote.round });
    if (result === "added") messages.senders.add(event.signer.toLowerCase());
  }

  private onTimeout(event: Extract<ConsensusEvent, { type: "timeout" }>, effects: ConsensusEffect[]): void {
    if (event.height !== this.height || event.round !== this.round || this.step === "decided") return;
    if (event.step === "propose" && this.step === "propose") {
      // line 57: OnTimeoutPropose
      this.castVote("prevote", null, effects);
      this.step = "prevote";
    } else if (event.step === "prevote" && this.step === "prevote") {
      // line 61: OnTimeoutPrevote
      this.castVote("precommit", null, effects);
      this.step = "precommit";
    } else if (event.step === "precommit") {
      // line 65: OnTimeoutPrecommit
      this.startRound(this.round + 1, effects);
    }
  }

  // ---- the upon rules ----

  /** Applies the rules until none fires. */
  private evaluate(effects: ConsensusEffect[]): void {
    for (let guard = 0; guard < 64; guard++) {
      if (!this.fireOne(effects)) return;
    }
  }

  private fireOne(effects: ConsensusEffect[]): boolean {
    if (this.step === "decided") return false;
    // line 49: a decision, in any round.
    for (const [round, messages] of this.rounds) {
      const value = messages.precommits.quorumValue();
      if (value === undefined || value === null) continue;
      const block = this.blocks.get(value);
      if (block === undefined) {
        if (!this.missingAsked.has(value)) {
          this.missingAsked.add(value);
          effects.push({ type: "missingBlock", height: this.height, round, blockHash: value });
        }
        continue;
      }
      const validity = this.validity.get(value);
      if (validity === undefined || validity === "pending") {
        this.requestVerification(value, effects);
        continue;
      }
      if (validity === false) continue; // +2/3 precommitted an invalid block: more than 1/3 faulty, never commit it
      this.step = "decided";
      this.decision = { round, blockHash: value };
      effects.push({ type: "commit", height: this.height, round, blockHash: value, block, signatures: messages.precommits.votesFor(value) });
      return true;
    }

    // line 55: f+1 of a higher round: skip to it.
    for (const [round, messages] of this.rounds) {
      if (round <= this.round) continue;
      let power = 0n;
      for (const sender of messages.senders) power += this.power.get(sender) ?? 0n;
      if (isOneThirdPlus(power, this.total)) {
        this.startRound(round, effects);
        return true;
      }
    }

    const current = this.messagesOf(this.round);
    const proposal = current.proposal?.proposal;

    if (this.step === "propose" && proposal !== undefined) {
      const value = proposal.blockHash.toLowerCase() as Hex;
      if (proposal.polRound === -1) {
        // line 22
        const validity = this.validity.get(value);
        if (validity === "pending" || validity === undefined) return false;
        const vote = validity && (this.lockedRound === -1 || this.lockedValue === value) ? value : null;
        this.castVote("prevote", vote, effects);
        this.step = "prevote";
        return true;
      }
      // line 28
      const pol = this.rounds.get(proposal.polRound);
      if (proposal.polRound < this.round && pol !== undefined && pol.prevotes.hasQuorumFor(value)) {
        const validity = this.validity.get(value);
        if (validity === "pending" || validity === undefined) return false;
        const vote = validity && (this.lockedRound <= proposal.polRound || this.lockedValue === value) ? value : null;
        this.castVote("prevote", vote, effects);
        this.step = "prevote";
        return true;
      }
    }

    // line 34
    if (this.step === "prevote" && !current.prevoteTimeoutScheduled && current.prevotes.hasQuorumForAny()) {
      current.prevoteTimeoutScheduled = true;
      this.scheduleTimeout("prevote", effects);
      return true;
    }

    // line 36
    if (proposal !== undefined && (this.step === "prevote" || this.step === "precommit") && !current.lockedOnQuorum) {
      const value = proposal.blockHash.toLowerCase() as Hex;
      if (current.prevotes.hasQuorumFor(value) && this.validity.get(value) === true) {
        current.lockedOnQuorum = true;
        if (this.step === "prevote") {
          this.lockedValue = value;
          this.lockedRound = this.round;
          this.castVote("precommit", value, effects);
          this.step = "precommit";
        }
        this.validValue = value;
        this.validRound = this.round;
        return true;
      }
    }

    // line 44
    if (this.step === "prevote" && current.prevotes.hasQuorumFor(null)) {
      this.castVote("precommit", null, effects);
      this.step = "precommit";
      return true;
    }

    // line 47
    if (!current.precommitTimeoutScheduled && current.precommits.hasQuorumForAny()) {
      current.precommitTimeoutScheduled = true;
      this.scheduleTimeout("precommit", effects);
      return true;
    }
    return false;
  }

  // ---- helpers ----

  /** StartRound (line 11). */
  private startRound(round: number, effects: ConsensusEffect[]): void {
    this.round = round;
    this.step = "propose";
    if (this.isProposer(round)) {
      if (this.validValue !== null) {
        const block = this.blocks.get(this.validValue)!;
        effects.push({ type: "propose", proposal: { type: "proposal", height: this.height, round, polRound: this.validRound, blockHash: this.validValue, block } });
      } else {
        effects.push({ type: "buildBlock", height: this.height, round });
      }
    }
    // The proposer schedules the timeout too: if its build fails or is slow, the round still ends.
    this.scheduleTimeout("propose", effects);
  }

  private castVote(type: Vote["type"], blockHash: Hex | null, effects: ConsensusEffect[]): void {
    if (this.options.self === undefined || !this.power.has(this.options.self.toLowerCase())) return;
    effects.push({ type: "vote", vote: { type, height: this.height, round: this.round, blockHash } });
  }

  private scheduleTimeout(step: TimeoutStep, effects: ConsensusEffect[]): void {
    effects.push({ type: "scheduleTimeout", step, height: this.height, round: this.round, ms: roundTimeout(this.options.timeouts, step, this.round) });
  }

  private requestVerification(blockHash: Hex, effects: ConsensusEffect[]): void {
    const key = blockHash.toLowerCase();
    if (this.validity.has(key)) return;
    const block = this.blocks.get(key);
    if (block === undefined) return;
    this.validity.set(key, "pending");
    effects.push({ type: "verifyBlock", blockHash: key as Hex, block });
  }

  private isProposer(round: number): boolean {
    return this.options.self !== undefined && this.proposer(round).toLowerCase() === this.options.self.toLowerCase();
  }

  /** Messages of past rounds and of up to maxRoundsAhead rounds ahead are kept; beyond, dropped. */
  private acceptsRound(round: number): boolean {
    return round >= 0 && round <= this.round + this.maxRoundsAhead;
  }

  private messagesOf(round: number): RoundMessages {
    let messages = this.rounds.get(round);
    if (messages === undefined) {
      messages = {
        prevotes: VoteSet.forValidators("prevote", this.options.validators),
        precommits: VoteSet.forValidators("precommit", this.options.validators),
        senders: new Set(),
        prevoteTimeoutScheduled: false,
        precommitTimeoutScheduled: false,
        lockedOnQuorum: false,
      };
      this.rounds.set(round, messages);
    }
    return messages;
  }
}
