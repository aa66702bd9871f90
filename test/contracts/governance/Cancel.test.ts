import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  OperationState,
  ProposalState,
  Vote,
  allStatesExcept,
  as,
  buildProposal,
  deployGovernance,
  proposeAndExecute,
  proposeAndPass,
  sampleProposal,
  stateBitmap,
  timelockOperationId,
  timelockSalt,
  toVotingStart,
} from "./fixture.ts";

describe("ConcordGovernor cancellation (proposer and guardian)", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);
  // The states a proposal can still be cancelled from.
  const CANCELLABLE = allStatesExcept(ProposalState.Canceled, ProposalState.Expired, ProposalState.Executed);

  async function proposed() {
    const f = await loadFixture(fixture);
    const p = await sampleProposal(f);
    await as(f.governor, f.proposer).propose(...p.proposeArgs);
    return { f, p };
  }

  async function active() {
    const { f, p } = await proposed();
    await toVotingStart(time, f.governor, p.id);
    return { f, p };
  }

  async function succeeded() {
    const f = await loadFixture(fixture);
    const p = await sampleProposal(f);
    await proposeAndPass(time, f, p);
    return { f, p };
  }

  async function queued() {
    const { f, p } = await succeeded();
    await f.governor.queue(...p.shortArgs);
    return { f, p };
  }

  describe("by the proposer", () => {
    it("cancels their own proposal while it is Pending", async () => {
      const { f, p } = await proposed();
      const tx = await as(f.governor, f.proposer).cancel(...p.shortArgs);
      await expectEvent(tx, f.governor, "ProposalCanceled", [p.id]);
      assert.equal(await f.governor.state(p.id), ProposalState.Canceled);
    });

    it("cancels by proposal id alone (GovernorStorage)", async () => {
      const { f, p } = await proposed();
      const tx = await as(f.governor, f.proposer).getFunction("cancel(uint256)")(p.id);
      await expectEvent(tx, f.governor, "ProposalCanceled", [p.id]);
    });

    it("cannot cancel once voting has started, while a guardian is set", async () => {
      const { f, p } = await active();
      await expectRevert(as(f.governor, f.proposer).cancel(...p.shortArgs), f.governor, "GovernorUnableToCancel", [
        p.id,
        f.proposer.address,
      ]);
    });
  });

  describe("by anyone else", () => {
    it("is refused, even while Pending", async () => {
      const { f, p } = await proposed();
      await expectRevert(as(f.governor, f.outsider).cancel(...p.shortArgs), f.governor, "GovernorUnableToCancel", [
        p.id,
        f.outsider.address,
      ]);
      await expectRevert(as(f.governor, f.whale).cancel(...p.shortArgs), f.governor, "GovernorUnableToCancel", [p.id, f.whale.address]);
    });
  });

  describe("by the guardian", () => {
    it("is the guardian configured at deployment", async () => {
      const f = await loadFixture(fixture);
      assert.equal(await f.governor.proposalGuardian(), f.guardian.address);
    });

    for (const [label, setup] of [
      ["a Pending", proposed],
      ["an Active", active],
      ["a Succeeded", succeeded],
    ] as const) {
      it(`cancels ${label} proposal`, async () => {
        const { f, p } = await setup();
        const tx = await as(f.governor, f.guardian).cancel(...p.shortArgs);
        await expectEvent(tx, f.governor, "ProposalCanceled", [p.id]);
        assert.equal(await f.governor.state(p.id), ProposalState.Canceled);
      });
    }

    it("cancels a Queued proposal and its timelock operation", async () => {
      const { f, p } = await queued();
      const operationId = await timelockOperationId(f, p);
      const tx = await as(f.governor, f.guardian).cancel(...p.shortArgs);
      await expectEvent(tx, f.governor, "ProposalCanceled", [p.id]);
      await expectEvent(tx, f.timelock, "Cancelled", [operationId]);
      assert.equal(await f.governor.state(p.id), ProposalState.Canceled);
      assert.equal(await f.timelock.getOperationState(operationId), OperationState.Unset);
    });

    it("leaves nothing to execute after cancelling a Queued proposal", async () => {
      const { f, p } = await queued();
      await as(f.governor, f.guardian).cancel(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Canceled,
        stateBitmap(ProposalState.Queued),
      ]);
      // Everything the assertion needs is read first: a call left pending while another is awaited
      // would reject with no handler attached yet (an unhandled rejection, not a test failure message).
      const salt = await timelockSalt(f, p);
      const operationId = await timelockOperationId(f, p);
      await expectRevert(
        f.timelock.executeBatch(p.targets, p.values, p.calldatas, ethers.ZeroHash, salt),
        f.timelock,
        "TimelockUnexpectedOperationState",
        [operationId, stateBitmap(OperationState.Ready)],
      );
    });

    it("cannot cancel an Executed proposal", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      await proposeAndExecute(time, f, p);
      await expectRevert(as(f.governor, f.guardian).cancel(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Executed,
        CANCELLABLE,
      ]);
    });

    it("cannot cancel twice", async () => {
      const { f, p } = await active();
      await as(f.governor, f.guardian).cancel(...p.shortArgs);
      await expectRevert(as(f.governor, f.guardian).cancel(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Canceled,
        CANCELLABLE,
      ]);
    });

    it("holds no timelock role: it can only cancel through the Governor", async () => {
      const { f, p } = await queued();
      const canceller = await f.timelock.CANCELLER_ROLE();
      await expectRevert(as(f.timelock, f.guardian).cancel(await timelockOperationId(f, p)), f.timelock, "AccessControlUnauthorizedAccount", [
        f.guardian.address,
        canceller,
      ]);
    });
  });

  describe("after cancellation", () => {
    it("refuses votes", async () => {
      const { f, p } = await active();
      await as(f.governor, f.guardian).cancel(...p.shortArgs);
      await expectRevert(as(f.governor, f.whale).castVote(p.id, Vote.For), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Canceled,
        stateBitmap(ProposalState.Active),
      ]);
    });

    it("refuses to queue", async () => {
      const { f, p } = await succeeded();
      await as(f.governor, f.guardian).cancel(...p.shortArgs);
      await expectRevert(f.governor.queue(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Canceled,
        stateBitmap(ProposalState.Succeeded),
      ]);
    });

    it("cannot be proposed again with the same actions and description", async () => {
      const { f, p } = await proposed();
      await as(f.governor, f.proposer).cancel(...p.shortArgs);
      await expectRevert(as(f.governor, f.proposer).propose(...p.proposeArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Canceled,
        stateBitmap(),
      ]);
    });
  });

  describe("replacing the guardian", () => {
    it("only governance may set the guardian", async () => {
      const f = await loadFixture(fixture);
      await expectRevert(as(f.governor, f.guardian).setProposalGuardian(f.outsider.address), f.governor, "GovernorOnlyExecutor", [
        f.guardian.address,
      ]);
    });

    async function withoutGuardian() {
      const f = await loadFixture(fixture);
      const removal = await buildProposal(
        f.governor,
        [{ target: await f.governor.getAddress(), data: f.governor.interface.encodeFunctionData("setProposalGuardian", [ethers.ZeroAddress]) }],
        "Remove the proposal guardian",
      );
      await proposeAndPass(time, f, removal);
      await f.governor.queue(...removal.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(removal.id));
      const tx = await f.governor.execute(...removal.shortArgs);
      await expectEvent(tx, f.governor, "ProposalGuardianSet", [f.guardian.address, ethers.ZeroAddress]);
      return f;
    }

    it("without a guardian (removed by governance) a proposer may cancel only while Pending, and the old guardian not at all", async () => {
      const f = await withoutGuardian();
      const pending = await sampleProposal(f, "A later proposal, cancelled while Pending");
      await as(f.governor, f.proposer).propose(...pending.proposeArgs);
      await expectRevert(as(f.governor, f.guardian).cancel(...pending.shortArgs), f.governor, "GovernorUnableToCancel", [pending.id, f.guardian.address]);
      await expectEvent(as(f.governor, f.proposer).cancel(...pending.shortArgs), f.governor, "ProposalCanceled", [pending.id]);

      const p = await sampleProposal(f, "A later proposal");
      await as(f.governor, f.proposer).propose(...p.proposeArgs);
      await toVotingStart(time, f.governor, p.id);
      await expectRevert(as(f.governor, f.proposer).cancel(...p.shortArgs), f.governor, "GovernorUnableToCancel", [p.id, f.proposer.address]);
    });

    it("the hijack-and-cancel attack fails: a front-runner who copied a proposal cannot cancel it once Queued (failed before the fix)", async () => {
      const f = await withoutGuardian();
      // The attacker copies a pending propose() (no #proposer suffix) and gets in first.
      const p = await sampleProposal(f, "Fund the grants round");
      await as(f.governor, f.voterA).propose(...p.proposeArgs);
      assert.equal(await f.governor.proposalProposer(p.id), f.voterA.address);
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.whale).castVote(p.id, Vote.For);
      await time.increaseTo((await f.governor.proposalDeadline(p.id)) + 1n);
      await f.governor.queue(...p.shortArgs);
      assert.equal(await f.governor.state(p.id), ProposalState.Queued);
      await expectRevert(as(f.governor, f.voterA).cancel(...p.shortArgs), f.governor, "GovernorUnableToCancel", [p.id, f.voterA.address]);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await f.governor.execute(...p.shortArgs);
      assert.equal(await f.governor.state(p.id), ProposalState.Executed);
    });

    it("a description ending in #proposer=<address> can only be proposed by that address, so copying it gets nowhere", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f, `Fund the grants round\n\n#proposer=${f.proposer.address}`);
      await expectRevert(as(f.governor, f.voterA).propose(...p.proposeArgs), f.governor, "GovernorRestrictedProposer", [f.voterA.address]);
      await as(f.governor, f.proposer).propose(...p.proposeArgs);
      assert.equal(await f.governor.proposalProposer(p.id), f.proposer.address);
    });
  });
});
