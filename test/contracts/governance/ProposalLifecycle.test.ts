import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseEther } from "ethers";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  BALANCES,
  OperationState,
  ProposalState,
  QUORUM,
  SETTINGS,
  Vote,
  as,
  buildProposal,
  deployGovernance,
  proposeAndPass,
  sampleProposal,
  stateBitmap,
  timelockOperationId,
  toVotingEnd,
  toVotingStart,
} from "./fixture.ts";

describe("ConcordGovernor proposal lifecycle", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);

  /** The fixture with one sample proposal created by the proposer. */
  async function proposed() {
    const f = await loadFixture(fixture);
    const p = await sampleProposal(f);
    const tx = await as(f.governor, f.proposer).propose(...p.proposeArgs);
    const createdAt = BigInt((await tx.getBlock())!.timestamp);
    return { f, p, tx, createdAt };
  }

  describe("propose", () => {
    it("emits ProposalCreated with every field an indexer reads", async () => {
      const { f, p, tx, createdAt } = await proposed();
      const voteStart = createdAt + SETTINGS.votingDelay;
      await expectEvent(tx, f.governor, "ProposalCreated", [
        p.id,
        f.proposer.address,
        p.targets,
        p.values,
        [""],
        p.calldatas,
        voteStart,
        voteStart + SETTINGS.votingPeriod,
        p.description,
      ]);
    });

    it("returns the id that hashProposal computes", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      assert.equal(await as(f.governor, f.proposer).propose.staticCall(...p.proposeArgs), p.id);
    });

    it("starts Pending, with its snapshot after the voting delay and its deadline after the period", async () => {
      const { f, p, createdAt } = await proposed();
      assert.equal(await f.governor.state(p.id), ProposalState.Pending);
      assert.equal(await f.governor.proposalSnapshot(p.id), createdAt + SETTINGS.votingDelay);
      assert.equal(await f.governor.proposalDeadline(p.id), createdAt + SETTINGS.votingDelay + SETTINGS.votingPeriod);
      assert.equal(await f.governor.proposalProposer(p.id), f.proposer.address);
      assert.equal(await f.governor.proposalEta(p.id), 0n);
    });

    it("is enumerable on chain (GovernorStorage)", async () => {
      const { f, p } = await proposed();
      const second = await sampleProposal(f, "Proposal #2");
      await as(f.governor, f.proposer).propose(...second.proposeArgs);
      assert.equal(await f.governor.proposalCount(), 2n);
      const [id0, targets0, values0, calldatas0, hash0] = await f.governor.proposalDetailsAt(0);
      assert.deepEqual([id0, [...targets0], [...values0], [...calldatas0], hash0], [p.id, p.targets, p.values, p.calldatas, p.descriptionHash]);
      const [id1] = await f.governor.proposalDetailsAt(1);
      assert.equal(id1, second.id);
      const [targets] = await f.governor.proposalDetails(second.id);
      assert.deepEqual([...targets], second.targets);
    });

    it("rejects details of an unknown proposal", async () => {
      const f = await loadFixture(fixture);
      await expectRevert(f.governor.proposalDetails(42n), f.governor, "GovernorNonexistentProposal", [42n]);
      await expectRevert(f.governor.state(42n), f.governor, "GovernorNonexistentProposal", [42n]);
    });

    it("rejects a proposer below the threshold, with their votes and the threshold", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      await expectRevert(as(f.governor, f.voterB).propose(...p.proposeArgs), f.governor, "GovernorInsufficientProposerVotes", [
        f.voterB.address,
        BALANCES.voterB,
        SETTINGS.proposalThreshold,
      ]);
    });

    it("counts delegated votes for the threshold, not balances", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      // holder owns 500 CORD but never delegated
      await expectRevert(as(f.governor, f.holder).propose(...p.proposeArgs), f.governor, "GovernorInsufficientProposerVotes", [
        f.holder.address,
        0n,
        SETTINGS.proposalThreshold,
      ]);
    });

    it("rejects the same proposal twice", async () => {
      const { f, p } = await proposed();
      await expectRevert(as(f.governor, f.whale).propose(...p.proposeArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Pending,
        stateBitmap(),
      ]);
    });

    it("rejects a proposal without actions", async () => {
      const f = await loadFixture(fixture);
      await expectRevert(as(f.governor, f.proposer).propose([], [], [], "empty"), f.governor, "GovernorInvalidProposalLength", [0n, 0n, 0n]);
    });

    it("rejects actions whose targets, values and calldatas differ in length", async () => {
      const f = await loadFixture(fixture);
      const target = await f.token.getAddress();
      await expectRevert(
        as(f.governor, f.proposer).propose([target, target], [0n], ["0x", "0x"], "mismatch"),
        f.governor,
        "GovernorInvalidProposalLength",
        [2n, 2n, 1n],
      );
    });

    it("honours a description restricted to one proposer (#proposer=)", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f, `Only the proposer may submit this#proposer=${f.proposer.address}`);
      await expectRevert(as(f.governor, f.whale).propose(...p.proposeArgs), f.governor, "GovernorRestrictedProposer", [f.whale.address]);
      await as(f.governor, f.proposer).propose(...p.proposeArgs);
      assert.equal(await f.governor.state(p.id), ProposalState.Pending);
    });
  });

  describe("voting window", () => {
    it("refuses votes while Pending, including at the snapshot second itself", async () => {
      const { f, p } = await proposed();
      await expectRevert(as(f.governor, f.whale).castVote(p.id, Vote.For), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Pending,
        stateBitmap(ProposalState.Active),
      ]);
      await time.setNextBlockTimestamp(await f.governor.proposalSnapshot(p.id));
      await expectRevert(as(f.governor, f.whale).castVote(p.id, Vote.For), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Pending,
        stateBitmap(ProposalState.Active),
      ]);
    });

    it("is Active from the second after the snapshot", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      assert.equal(await f.governor.state(p.id), ProposalState.Active);
    });

    it("accepts a vote in the deadline's second and refuses one a second later", async () => {
      const { f, p } = await proposed();
      const deadline: bigint = await f.governor.proposalDeadline(p.id);
      await time.setNextBlockTimestamp(deadline);
      await as(f.governor, f.voterA).castVote(p.id, Vote.Against);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expectRevert(as(f.governor, f.whale).castVote(p.id, Vote.For), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Defeated,
        stateBitmap(ProposalState.Active),
      ]);
    });
  });

  describe("counting", () => {
    it("tallies For, Against and Abstain with each voter's weight and emits VoteCast", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      const forTx = await as(f.governor, f.whale).castVoteWithReason(p.id, Vote.For, "ship it");
      await expectEvent(forTx, f.governor, "VoteCast", [f.whale.address, p.id, Vote.For, BALANCES.whale, "ship it"]);
      const againstTx = await as(f.governor, f.voterA).castVote(p.id, Vote.Against);
      await expectEvent(againstTx, f.governor, "VoteCast", [f.voterA.address, p.id, Vote.Against, BALANCES.voterA, ""]);
      await as(f.governor, f.voterB).castVote(p.id, Vote.Abstain);
      const [against, inFavour, abstain] = await f.governor.proposalVotes(p.id);
      assert.deepEqual([against, inFavour, abstain], [BALANCES.voterA, BALANCES.whale, BALANCES.voterB]);
      assert.equal(await f.governor.hasVoted(p.id, f.whale.address), true);
      assert.equal(await f.governor.hasVoted(p.id, f.dust.address), false);
    });

    it("refuses a second vote from the same account", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.whale).castVote(p.id, Vote.For);
      await expectRevert(as(f.governor, f.whale).castVote(p.id, Vote.Against), f.governor, "GovernorAlreadyCastVote", [f.whale.address]);
    });

    it("refuses a vote type other than Against, For or Abstain", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await expectRevert(as(f.governor, f.whale).castVote(p.id, 3), f.governor, "GovernorInvalidVoteType", []);
    });

    it("weighs a vote by the voting power at the snapshot, not at voting time", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      // the whale gives away everything after the snapshot: its vote still weighs 100 CORD
      await as(f.token, f.whale).transfer(f.holder.address, BALANCES.whale);
      const tx = await as(f.governor, f.whale).castVote(p.id, Vote.For);
      await expectEvent(tx, f.governor, "VoteCast", [f.whale.address, p.id, Vote.For, BALANCES.whale, ""]);
      // and the holder, who delegates to itself only now, has no weight in this proposal
      await as(f.token, f.holder).delegate(f.holder.address);
      const late = await as(f.governor, f.holder).castVote(p.id, Vote.Against);
      await expectEvent(late, f.governor, "VoteCast", [f.holder.address, p.id, Vote.Against, 0n, ""]);
    });

    it("counts a delegation made after proposing but before the snapshot", async () => {
      const { f, p } = await proposed();
      await as(f.token, f.holder).delegate(f.voterA.address);
      await toVotingStart(time, f.governor, p.id);
      const tx = await as(f.governor, f.voterA).castVote(p.id, Vote.For);
      await expectEvent(tx, f.governor, "VoteCast", [f.voterA.address, p.id, Vote.For, BALANCES.voterA + BALANCES.holder, ""]);
    });
  });

  describe("outcome", () => {
    it("computes the quorum as 4% of the total supply at the timepoint", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      assert.equal(await f.governor.quorum(await f.governor.proposalSnapshot(p.id)), QUORUM);
      assert.equal(QUORUM, parseEther("40"));
    });

    it("is Defeated when For + Abstain miss the quorum by one wei", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.voterA).castVote(p.id, Vote.For);
      await as(f.governor, f.voterB).castVote(p.id, Vote.Abstain);
      assert.equal(BALANCES.voterA + BALANCES.voterB, QUORUM - 1n);
      await toVotingEnd(time, f.governor, p.id);
      assert.equal(await f.governor.state(p.id), ProposalState.Defeated);
    });

    it("Succeeds when For + Abstain reach the quorum exactly", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.voterA).castVote(p.id, Vote.For);
      await as(f.governor, f.voterB).castVote(p.id, Vote.Abstain);
      await as(f.governor, f.dust).castVote(p.id, Vote.For);
      await toVotingEnd(time, f.governor, p.id);
      assert.equal(await f.governor.state(p.id), ProposalState.Succeeded);
    });

    it("does not count Against votes toward the quorum", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.voterA).castVote(p.id, Vote.For);
      await as(f.governor, f.voterB).castVote(p.id, Vote.For);
      await as(f.governor, f.dust).castVote(p.id, Vote.Against); // 40 CORD voted, 1 wei of it Against
      await toVotingEnd(time, f.governor, p.id);
      assert.equal(await f.governor.state(p.id), ProposalState.Defeated);
    });

    it("is Defeated on a tie even with the quorum reached", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.proposer).castVote(p.id, Vote.For); // 10 CORD
      await as(f.governor, f.voterB).castVote(p.id, Vote.Against); // 10 CORD - 1 wei
      await as(f.governor, f.dust).castVote(p.id, Vote.Against); // + 1 wei
      await as(f.governor, f.whale).castVote(p.id, Vote.Abstain); // quorum
      await toVotingEnd(time, f.governor, p.id);
      const [against, inFavour] = await f.governor.proposalVotes(p.id);
      assert.equal(against, inFavour);
      assert.equal(await f.governor.state(p.id), ProposalState.Defeated);
    });

    it("cannot queue a Defeated proposal", async () => {
      const { f, p } = await proposed();
      await toVotingEnd(time, f.governor, p.id);
      await expectRevert(f.governor.queue(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Defeated,
        stateBitmap(ProposalState.Succeeded),
      ]);
    });
  });

  describe("queue and execute", () => {
    async function succeeded() {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      await proposeAndPass(time, f, p);
      return { f, p };
    }

    it("cannot queue while voting is open", async () => {
      const { f, p } = await proposed();
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.whale).castVote(p.id, Vote.For);
      await expectRevert(f.governor.queue(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Active,
        stateBitmap(ProposalState.Succeeded),
      ]);
    });

    it("queues a Succeeded proposal in the timelock with eta = now + minDelay", async () => {
      const { f, p } = await succeeded();
      assert.equal(await f.governor.proposalNeedsQueuing(p.id), true);
      const tx = await as(f.governor, f.outsider).queue(...p.shortArgs);
      const queuedAt = BigInt((await tx.getBlock())!.timestamp);
      const eta = queuedAt + SETTINGS.timelockMinDelay;
      await expectEvent(tx, f.governor, "ProposalQueued", [p.id, eta]);
      const operationId = await timelockOperationId(f, p);
      await expectEvent(tx, f.timelock, "CallScheduled", [operationId, 0n, p.targets[0], 0n, p.calldatas[0], ethers.ZeroHash, SETTINGS.timelockMinDelay]);
      assert.equal(await f.governor.proposalEta(p.id), eta);
      assert.equal(await f.governor.state(p.id), ProposalState.Queued);
      assert.equal(await f.timelock.getOperationState(operationId), OperationState.Waiting);
    });

    it("cannot queue twice", async () => {
      const { f, p } = await succeeded();
      await f.governor.queue(...p.shortArgs);
      await expectRevert(f.governor.queue(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Queued,
        stateBitmap(ProposalState.Succeeded),
      ]);
    });

    it("cannot skip the queue: executing requires the Queued state", async () => {
      const { f, p } = await succeeded();
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Succeeded,
        stateBitmap(ProposalState.Queued),
      ]);
    });

    it("enforces the timelock delay: executing one second before the eta fails", async () => {
      const { f, p } = await succeeded();
      await f.governor.queue(...p.shortArgs);
      const eta: bigint = await f.governor.proposalEta(p.id);
      await time.setNextBlockTimestamp(eta - 1n);
      const operationId = await timelockOperationId(f, p);
      await expectRevert(f.governor.execute(...p.shortArgs), f.timelock, "TimelockUnexpectedOperationState", [
        operationId,
        stateBitmap(OperationState.Ready),
      ]);
    });

    it("executes at the eta through the timelock, by anyone", async () => {
      const { f, p } = await succeeded();
      await f.governor.queue(...p.shortArgs);
      await time.setNextBlockTimestamp(await f.governor.proposalEta(p.id));
      const tx = await as(f.governor, f.outsider).execute(...p.shortArgs);
      await expectEvent(tx, f.governor, "ProposalExecuted", [p.id]);
      const operationId = await timelockOperationId(f, p);
      await expectEvent(tx, f.timelock, "CallExecuted", [operationId, 0n, p.targets[0], 0n, p.calldatas[0]]);
      assert.equal(await f.governor.state(p.id), ProposalState.Executed);
      assert.equal(await f.timelock.getOperationState(operationId), OperationState.Done);
    });

    it("cannot execute twice", async () => {
      const { f, p } = await succeeded();
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await f.governor.execute(...p.shortArgs);
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Executed,
        stateBitmap(ProposalState.Queued),
      ]);
    });

    it("queues and executes by proposal id alone (GovernorStorage)", async () => {
      const { f, p } = await succeeded();
      await f.governor.getFunction("queue(uint256)")(p.id);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      const tx = await f.governor.getFunction("execute(uint256)")(p.id);
      await expectEvent(tx, f.governor, "ProposalExecuted", [p.id]);
    });

    it("never becomes Expired: TimelockController operations have no grace period", async () => {
      const { f, p } = await succeeded();
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo((await f.governor.proposalEta(p.id)) + 365n * 24n * 3600n);
      assert.equal(await f.governor.state(p.id), ProposalState.Queued);
      await f.governor.execute(...p.shortArgs);
      assert.equal(await f.governor.state(p.id), ProposalState.Executed);
    });

    it("a Succeeded proposal that is never queued stays Succeeded", async () => {
      const { f, p } = await succeeded();
      await time.increase(365 * 24 * 3600);
      assert.equal(await f.governor.state(p.id), ProposalState.Succeeded);
    });

    it("cannot execute a Defeated proposal", async () => {
      const { f, p } = await proposed();
      await toVotingEnd(time, f.governor, p.id);
      await expectRevert(f.governor.execute(...p.shortArgs), f.governor, "GovernorUnexpectedProposalState", [
        p.id,
        ProposalState.Defeated,
        stateBitmap(ProposalState.Queued),
      ]);
    });
  });
});
