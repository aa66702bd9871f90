import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseEther } from "ethers";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  ProposalState,
  QUORUM,
  SETTINGS,
  TOTAL_SUPPLY,
  as,
  buildProposal,
  deployGovernance,
  proposeAndExecute,
  proposeAndPass,
  sampleProposal,
} from "./fixture.ts";
import type { Action, GovernanceFixture } from "./fixture.ts";

describe("ConcordGovernor settings change only through governance", async () => {
  const connection = await network.create();
  const { networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);

  async function governorCall(f: GovernanceFixture, fn: string, args: unknown[]): Promise<Action> {
    return { target: await f.governor.getAddress(), data: f.governor.interface.encodeFunctionData(fn, args) };
  }

  describe("direct calls are refused with GovernorOnlyExecutor", () => {
    const calls: [string, (f: GovernanceFixture) => unknown[]][] = [
      ["setVotingDelay", () => [1n]],
      ["setVotingPeriod", () => [1n]],
      ["setProposalThreshold", () => [0n]],
      ["updateQuorumNumerator", () => [1n]],
      ["setLateQuorumVoteExtension", () => [0n]],
      ["setProposalGuardian", (f) => [f.outsider.address]],
      ["updateTimelock", (f) => [f.outsider.address]],
      ["relay", (f) => [f.outsider.address, 0n, "0x"]],
    ];
    for (const [fn, args] of calls) {
      it(`${fn} from an account, even the guardian or the largest voter`, async () => {
        const f = await loadFixture(fixture);
        for (const caller of [f.outsider, f.guardian, f.whale]) {
          await expectRevert(as(f.governor, caller).getFunction(fn)(...args(f)), f.governor, "GovernorOnlyExecutor", [caller.address]);
        }
      });
    }

    it("the timelock's own delay can only be changed by the timelock", async () => {
      const f = await loadFixture(fixture);
      await expectRevert(as(f.timelock, f.outsider).updateDelay(0n), f.timelock, "TimelockUnauthorizedCaller", [f.outsider.address]);
    });
  });

  describe("setVotingPeriod through a full proposal", () => {
    it("proposes, votes, queues, executes, and new proposals use the new period", async () => {
      const f = await loadFixture(fixture);
      const newPeriod = 600n;
      const p = await buildProposal(f.governor, [await governorCall(f, "setVotingPeriod", [newPeriod])], "Shorten the voting period to 10 minutes");

      await proposeAndPass(time, f, p);
      assert.equal(await f.governor.state(p.id), ProposalState.Succeeded);
      await f.governor.queue(...p.shortArgs);
      assert.equal(await f.governor.state(p.id), ProposalState.Queued);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      const tx = await f.governor.execute(...p.shortArgs);
      await expectEvent(tx, f.governor, "VotingPeriodSet", [SETTINGS.votingPeriod, newPeriod]);
      await expectEvent(tx, f.governor, "ProposalExecuted", [p.id]);
      assert.equal(await f.governor.state(p.id), ProposalState.Executed);
      assert.equal(await f.governor.votingPeriod(), newPeriod);

      const next = await sampleProposal(f, "After the change");
      await as(f.governor, f.proposer).propose(...next.proposeArgs);
      const snapshot: bigint = await f.governor.proposalSnapshot(next.id);
      assert.equal(await f.governor.proposalDeadline(next.id), snapshot + newPeriod);
    });

    it("a proposal's own deadline is fixed at creation: the change does not move open proposals", async () => {
      const f = await loadFixture(fixture);
      const open = await sampleProposal(f, "Open while the period changes");
      await as(f.governor, f.proposer).propose(...open.proposeArgs);
      const before: bigint = await f.governor.proposalDeadline(open.id);
      const p = await buildProposal(f.governor, [await governorCall(f, "setVotingPeriod", [600n])], "Shorten the voting period");
      await proposeAndExecute(time, f, p);
      assert.equal(await f.governor.proposalDeadline(open.id), before);
    });

    it("an invalid value reverts the execution with the Governor's error and leaves the proposal Queued", async () => {
      const f = await loadFixture(fixture);
      const p = await buildProposal(f.governor, [await governorCall(f, "setVotingPeriod", [0n])], "Set a zero voting period");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorInvalidVotingPeriod", [0n]);
      assert.equal(await f.governor.state(p.id), ProposalState.Queued);
      assert.equal(await f.governor.votingPeriod(), SETTINGS.votingPeriod);
    });
  });

  describe("other settings", () => {
    it("changes voting delay and proposal threshold in one proposal", async () => {
      const f = await loadFixture(fixture);
      const p = await buildProposal(
        f.governor,
        [await governorCall(f, "setVotingDelay", [300n]), await governorCall(f, "setProposalThreshold", [parseEther("50")])],
        "Slower start, higher bar",
      );
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      const tx = await f.governor.execute(...p.shortArgs);
      await expectEvent(tx, f.governor, "VotingDelaySet", [SETTINGS.votingDelay, 300n]);
      await expectEvent(tx, f.governor, "ProposalThresholdSet", [SETTINGS.proposalThreshold, parseEther("50")]);
      // the proposer's 10 CORD no longer suffice
      const next = await sampleProposal(f, "Too small now");
      await expectRevert(as(f.governor, f.proposer).propose(...next.proposeArgs), f.governor, "GovernorInsufficientProposerVotes", [
        f.proposer.address,
        SETTINGS.proposalThreshold,
        parseEther("50"),
      ]);
    });

    it("a new quorum numerator applies from its execution on; past timepoints keep the old quorum", async () => {
      const f = await loadFixture(fixture);
      const p = await buildProposal(f.governor, [await governorCall(f, "updateQuorumNumerator", [10n])], "Raise quorum to 10%");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      const before = BigInt(await time.latest());
      const tx = await f.governor.execute(...p.shortArgs);
      await expectEvent(tx, f.governor, "QuorumNumeratorUpdated", [SETTINGS.quorumNumerator, 10n]);
      await time.increase(10);
      assert.equal(await f.governor.quorum(before), QUORUM);
      assert.equal(await f.governor.quorum(BigInt(await time.latest()) - 1n), (TOTAL_SUPPLY * 10n) / 100n);
      assert.equal(await f.governor.getFunction("quorumNumerator()")(), 10n);
      assert.equal(await f.governor.getFunction("quorumNumerator(uint256)")(before), SETTINGS.quorumNumerator);
    });

    it("refuses a quorum numerator above the denominator", async () => {
      const f = await loadFixture(fixture);
      const p = await buildProposal(f.governor, [await governorCall(f, "updateQuorumNumerator", [101n])], "Impossible quorum");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorInvalidQuorumFraction", [101n, 100n]);
    });

    it("changes the late-quorum extension", async () => {
      const f = await loadFixture(fixture);
      const p = await buildProposal(f.governor, [await governorCall(f, "setLateQuorumVoteExtension", [30n])], "Shorter extension");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectEvent(f.governor.execute(...p.shortArgs), f.governor, "LateQuorumVoteExtensionSet", [SETTINGS.lateQuorumExtension, 30n]);
      assert.equal(await f.governor.lateQuorumVoteExtension(), 30n);
    });

    it("refuses a late-quorum extension longer than the voting period", async () => {
      const f = await loadFixture(fixture);
      const tooLong = SETTINGS.votingPeriod + 1n;
      const p = await buildProposal(f.governor, [await governorCall(f, "setLateQuorumVoteExtension", [tooLong])], "Endless extension");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorPreventLateQuorumVoteExtensionTooLarge", [
        tooLong,
        SETTINGS.votingPeriod,
      ]);
    });

    it("changes the timelock's delay through a proposal that targets the timelock", async () => {
      const f = await loadFixture(fixture);
      const action = { target: await f.timelock.getAddress(), data: f.timelock.interface.encodeFunctionData("updateDelay", [1_000n]) };
      const p = await buildProposal(f.governor, [action], "Longer timelock delay");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectEvent(f.governor.execute(...p.shortArgs), f.timelock, "MinDelayChange", [SETTINGS.timelockMinDelay, 1_000n]);
      assert.equal(await f.timelock.getMinDelay(), 1_000n);
    });
  });
});
