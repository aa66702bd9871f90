import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Hex } from "../../../chain/types.ts";
import { ProposerSchedule } from "../../../chain/consensus/tendermint/proposer.ts";
import { TendermintStateMachine, type ConsensusEffect } from "../../../chain/consensus/tendermint/stateMachine.ts";
import { MAX_VALUES_PER_VALIDATOR, VoteSet } from "../../../chain/consensus/tendermint/voteSet.ts";
import { initCrypto } from "../../../chain/execution/crypto.ts";

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Hex;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const SIG = `0x${"00".repeat(65)}` as Hex;
const equal4 = [1, 2, 3, 4].map((n) => ({ address: address(n), votingPower: 10n }));
const TIMEOUTS = { propose: 100, prevote: 50, precommit: 50, delta: 10 };

describe("proposer selection (weighted round robin)", () => {
  it("rotates through equal validators in address order and is the same for everyone", () => {
    const a = new ProposerSchedule(equal4);
    const b = new ProposerSchedule([...equal4].reverse());
    const sequence = Array.from({ length: 8 }, (_, h) => a.proposer(BigInt(h), 0));
    assert.deepEqual(sequence, [1, 2, 3, 4, 1, 2, 3, 4].map(address));
    assert.deepEqual(Array.from({ length: 8 }, (_, h) => b.proposer(BigInt(h), 0)), sequence);
    assert.equal(a.proposer(5n, 1), a.proposer(6n, 0), "a round moves the rotation on by one");
    assert.equal(a.proposer(2n, 0), address(3), "asking about an earlier height again gives the same answer");
  });

  it("gives each validator turns in proportion to its power", () => {
    const schedule = new ProposerSchedule([
      { address: address(1), votingPower: 1n },
      { address: address(2), votingPower: 3n },
      { address: address(3), votingPower: 6n },
    ]);
    const counts = new Map<string, number>();
    for (let h = 0n; h < 1000n; h++) {
      const p = schedule.proposer(h, 0);
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    assert.deepEqual([counts.get(address(1)), counts.get(address(2)), counts.get(address(3))], [100, 300, 600]);
  });

  it("answers from checkpoints and a shared schedule exactly as a fresh one counting from zero", () => {
    const weighted = [
      { address: address(1), votingPower: 5n },
      { address: address(2), votingPower: 3n },
      { address: address(3), votingPower: 11n },
      { address: address(4), votingPower: 1n },
    ];
    const shared = ProposerSchedule.of(weighted);
    assert.equal(ProposerSchedule.of([...weighted].reverse()), shared, "one schedule per validator set, whatever its order");
    assert.notEqual(ProposerSchedule.of(weighted.slice(1)), shared);
    // Forward far, then back and forth across checkpoints, as validators at different heights ask.
    // A counting schedule (no rotation table) goes through its checkpoints.
    const asked = [3000n, 2049n, 1023n, 1024n, 4100n, 5n, 2048n, 3001n];
    const counting = new ProposerSchedule(weighted, 0);
    const answers = asked.map((height) => counting.proposer(height, 2));
    const fresh = asked.map((height) => new ProposerSchedule(weighted, 0).proposer(height, 2));
    assert.deepEqual(answers, fresh);
    assert.deepEqual(asked.map((height) => shared.proposer(height, 2)), fresh);
  });

  it("answers from its rotation table exactly as counting does, at any height, and counts when the period is too long to tabulate", () => {
    const sets = [
      equal4,
      [1n, 2n, 3n, 10n].map((votingPower, i) => ({ address: address(i + 1), votingPower })),
      // Stakes in wei: 1,000 / 2,000 / 3,000 ETH, a period of 6.
      [1000n, 2000n, 3000n].map((eth, i) => ({ address: address(i + 7), votingPower: eth * 10n ** 18n })),
      [5n, 3n, 11n, 1n, 7n, 13n, 2n].map((votingPower, i) => ({ address: address(i + 20), votingPower })),
    ];
    for (const set of sets) {
      const table = new ProposerSchedule(set);
      const counting = new ProposerSchedule(set, 0);
      for (let height = 0n; height < 3000n; height += 7n) {
        for (const round of [0, 1, 5]) assert.equal(table.proposer(height, round), counting.proposer(height, round), `height ${height} round ${round}`);
      }
    }
    // At height 10^15, one answer (counting would take ten quadrillion increments). That it is right
    // rests on the rotation repeating every 16 heights (total power 16): counting, heights 300 periods
    // apart give the same proposer.
    const table = new ProposerSchedule(sets[1]!);
    const counting = new ProposerSchedule(sets[1]!, 0);
    for (let r = 0n; r < 16n; r++) assert.equal(counting.proposer(r + 16n * 300n, 0), counting.proposer(r, 0), `height ${r} and ${r + 4800n}`);
    assert.equal(table.proposer(10n ** 15n, 0), counting.proposer((10n ** 15n % 16n) + 16n * 300n, 0));
    // Coprime powers of a million: a period of ~2 million, above the table's limit: it counts, still right.
    const long = [1_000_003n, 1_000_033n].map((votingPower, i) => ({ address: address(i + 40), votingPower }));
    const schedule = new ProposerSchedule(long);
    const countingLong = new ProposerSchedule(long, 0);
    for (const height of [0n, 1n, 999n, 5000n, 12_345n]) assert.equal(schedule.proposer(height, 1), countingLong.proposer(height, 1));
  });

  it("refuses an empty set or zero power", () => {
    assert.throws(() => new ProposerSchedule([]), RangeError);
    assert.throws(() => new ProposerSchedule([{ address: address(1), votingPower: 0n }]), RangeError);
  });
});

describe("vote sets", () => {
  it("need more than 2/3 of the power, count an equivocator for each value but once for 'any', and cap its values", () => {
    const set = VoteSet.forValidators("prevote", equal4);
    assert.equal(set.add({ signer: address(1), blockHash: hash(1), signature: SIG }), "added");
    assert.equal(set.add({ signer: address(2), blockHash: hash(1), signature: SIG }), "added");
    assert.equal(set.hasQuorumFor(hash(1)), false, "20 of 40 is not a quorum");
    assert.equal(set.add({ signer: address(3), blockHash: null, signature: SIG }), "added");
    assert.equal(set.hasQuorumForAny(), true, "30 of 40 voted");
    assert.equal(set.add({ signer: address(3), blockHash: hash(1), signature: SIG }), "equivocation");
    assert.equal(set.hasQuorumFor(hash(1)), true);
    assert.equal(set.equivocations.length, 1);
    assert.equal(set.add({ signer: address(3), blockHash: hash(1), signature: SIG }), "duplicate");
    assert.equal(set.add({ signer: address(9), blockHash: hash(1), signature: SIG }), "not-a-validator");
    const results = Array.from({ length: MAX_VALUES_PER_VALIDATOR + 1 }, (_, v) => set.add({ signer: address(4), blockHash: hash(100 + v), signature: SIG }));
    assert.deepEqual(results, ["added", ...Array(MAX_VALUES_PER_VALIDATOR - 1).fill("equivocation"), "over-limit"]);
  });
});

describe("the Tendermint state machine", () => {
  before(() => initCrypto());
  const only = <T extends ConsensusEffect["type"]>(effects: ConsensusEffect[], type: T) => effects.filter((e): e is Extract<ConsensusEffect, { type: T }> => e.type === type);
  const machineFor = (self: number) => new TendermintStateMachine({ height: 0n, validators: equal4, self: address(self), timeouts: TIMEOUTS });
  const block = Uint8Array.of(1, 2, 3);

  it("as proposer: builds, proposes, verifies nothing of its own, prevotes, precommits and commits with the quorum's signatures", () => {
    const machine = machineFor(1); // proposer of (0, 0)
    const start = machine.start();
    assert.deepEqual(only(start, "buildBlock"), [{ type: "buildBlock", height: 0n, round: 0 }]);
    assert.equal(only(start, "scheduleTimeout")[0]!.ms, 100);
    const proposed = only(machine.apply({ type: "blockBuilt", height: 0n, round: 0, blockHash: hash(7), block }), "propose");
    assert.equal(proposed[0]!.proposal.polRound, -1);
    const prevoted = machine.apply({ type: "proposal", proposal: proposed[0]!.proposal, signer: address(1), signature: SIG });
    assert.deepEqual(only(prevoted, "vote").map((e) => e.vote), [{ type: "prevote", height: 0n, round: 0, blockHash: hash(7) }]);
    assert.equal(only(prevoted, "verifyBlock").length, 0, "its own block needs no re-execution");
    for (const n of [1, 2]) machine.apply({ type: "vote", vote: { type: "prevote", height: 0n, round: 0, blockHash: hash(7) }, signer: address(n), signature: SIG });
    const precommitted = machine.apply({ type: "vote", vote: { type: "prevote", height: 0n, round: 0, blockHash: hash(7) }, signer: address(3), signature: SIG });
    assert.deepEqual(only(precommitted, "vote").map((e) => e.vote.type), ["precommit"]);
    assert.equal(machine.status().lockedValue, hash(7));
    for (const n of [1, 2]) assert.equal(only(machine.apply({ type: "vote", vote: { type: "precommit", height: 0n, round: 0, blockHash: hash(7) }, signer: address(n), signature: SIG }), "commit").length, 0);
    const commit = only(machine.apply({ type: "vote", vote: { type: "precommit", height: 0n, round: 0, blockHash: hash(7) }, signer: address(4), signature: SIG }), "commit");
    assert.equal(commit.length, 1);
    assert.deepEqual(commit[0]!.signatures.map((s) => s.signer).sort(), [address(1), address(2), address(4)].sort());
    assert.equal(machine.status().step, "decided");
  });

  it("as another validator: prevotes a proposal only after verifyBlock says it is valid, and nil for an invalid one", () => {
    for (const valid of [true, false]) {
      const machine = machineFor(2);
      machine.start();
      const proposal = { type: "proposal" as const, height: 0n, round: 0, polRound: -1, blockHash: hash(8), block };
      const effects = machine.apply({ type: "proposal", proposal, signer: address(1), signature: SIG });
      assert.deepEqual(only(effects, "verifyBlock").map((e) => e.blockHash), [hash(8)]);
      assert.equal(only(effects, "vote").length, 0, "no prevote before the block was run");
      const voted = only(machine.apply({ type: "blockVerified", blockHash: hash(8), valid }), "vote");
      assert.deepEqual(voted.map((e) => e.vote.blockHash), [valid ? hash(8) : null]);
    }
  });

  it("ignores a proposal from a validator that is not the round's proposer", () => {
    const machine = machineFor(2);
    machine.start();
    const effects = machine.apply({ type: "proposal", proposal: { type: "proposal", height: 0n, round: 0, polRound: -1, blockHash: hash(8), block }, signer: address(3), signature: SIG });
    assert.deepEqual(effects, []);
  });

  it("prevotes nil when the proposal does not come in time, and moves to the next round after precommit timeouts", () => {
    const machine = machineFor(2);
    machine.start();
    assert.deepEqual(only(machine.apply({ type: "timeout", step: "propose", height: 0n, round: 0 }), "vote").map((e) => e.vote), [{ type: "prevote", height: 0n, round: 0, blockHash: null }]);
    assert.deepEqual(only(machine.apply({ type: "timeout", step: "prevote", height: 0n, round: 0 }), "vote").map((e) => e.vote), [{ type: "precommit", height: 0n, round: 0, blockHash: null }]);
    const next = machine.apply({ type: "timeout", step: "precommit", height: 0n, round: 0 });
    assert.equal(machine.status().round, 1);
    assert.deepEqual(only(next, "buildBlock"), [{ type: "buildBlock", height: 0n, round: 1 }], "validator 2 proposes round 1");
    assert.equal(only(next, "scheduleTimeout")[0]!.ms, 110, "timeouts grow with the round");
    assert.deepEqual(machine.apply({ type: "timeout", step: "propose", height: 0n, round: 0 }), [], "a stale timeout does nothing");
  });

  it("a locked validator prevotes nil for another block without a newer proof of lock, then re-proposes its locked block", () => {
    const machine = machineFor(2);
    machine.start();
    machine.apply({ type: "proposal", proposal: { type: "proposal", height: 0n, round: 0, polRound: -1, blockHash: hash(8), block }, signer: address(1), signature: SIG });
    machine.apply({ type: "blockVerified", blockHash: hash(8), valid: true });
    for (const n of [1, 3, 4]) machine.apply({ type: "vote", vote: { type: "prevote", height: 0n, round: 0, blockHash: hash(8) }, signer: address(n), signature: SIG });
    assert.equal(machine.status().lockedValue, hash(8));
    // Round 1 passes (its proposer is 2 itself, but suppose nothing decides): skip to round 2 on f+1 messages.
    for (const n of [3, 4]) machine.apply({ type: "vote", vote: { type: "prevote", height: 0n, round: 2, blockHash: null }, signer: address(n), signature: SIG });
    assert.equal(machine.status().round, 2, "f+1 of a higher round moves it there");
    const other = machine.apply({ type: "proposal", proposal: { type: "proposal", height: 0n, round: 2, polRound: -1, blockHash: hash(9), block: Uint8Array.of(9) }, signer: address(3), signature: SIG });
    const after = [...other, ...machine.apply({ type: "blockVerified", blockHash: hash(9), valid: true })];
    assert.deepEqual(only(after, "vote").map((e) => e.vote.blockHash), [null], "locked on 8: nil for 9");
  });
});
