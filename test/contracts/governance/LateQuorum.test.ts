import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectNoEvent, expectRevert } from "../helpers/errors.ts";
import { BALANCES, ProposalState, SETTINGS, Vote, as, deployGovernance, sampleProposal, stateBitmap, toVotingStart } from "./fixture.ts";

describe("ConcordGovernor late-quorum extension", async () => {
  const connection = await network.create();
  const { networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);

  async function active() {
    const f = await loadFixture(fixture);
    const p = await sampleProposal(f);
    await as(f.governor, f.proposer).propose(...p.proposeArgs);
    await toVotingStart(time, f.governor, p.id);
    const deadline: bigint = await f.governor.proposalDeadline(p.id);
    return { f, p, deadline };
  }

  it("does not extend a proposal that reaches quorum early", async () => {
    const { f, p, deadline } = await active();
    const tx = await as(f.governor, f.whale).castVote(p.id, Vote.For);
    await expectNoEvent(tx, f.governor, "ProposalExtended");
    assert.equal(await f.governor.proposalDeadline(p.id), deadline);
  });

  it("does not extend on a late vote that leaves the quorum unmet", async () => {
    const { f, p, deadline } = await active();
    await time.setNextBlockTimestamp(deadline - 10n);
    const tx = await as(f.governor, f.voterA).castVote(p.id, Vote.For); // 30 of 40 CORD
    await expectNoEvent(tx, f.governor, "ProposalExtended");
    assert.equal(await f.governor.proposalDeadline(p.id), deadline);
  });

  it("extends the deadline to the quorum vote's time + the extension when quorum is reached late", async () => {
    const { f, p, deadline } = await active();
    const voteTime = deadline - 10n;
    await time.setNextBlockTimestamp(voteTime);
    const tx = await as(f.governor, f.whale).castVote(p.id, Vote.For);
    await expectEvent(tx, f.governor, "ProposalExtended", [p.id, voteTime + SETTINGS.lateQuorumExtension]);
    assert.equal(await f.governor.proposalDeadline(p.id), voteTime + SETTINGS.lateQuorumExtension);
  });

  it("keeps voting open past the original deadline, then settles at the extended one", async () => {
    const { f, p, deadline } = await active();
    const voteTime = deadline - 10n;
    await time.setNextBlockTimestamp(voteTime);
    await as(f.governor, f.whale).castVote(p.id, Vote.For);
    const extended = voteTime + SETTINGS.lateQuorumExtension;

    await time.increaseTo(deadline + 1n);
    assert.equal(await f.governor.state(p.id), ProposalState.Active);
    const reply = await as(f.governor, f.voterA).castVote(p.id, Vote.Against);
    await expectEvent(reply, f.governor, "VoteCast", [f.voterA.address, p.id, Vote.Against, BALANCES.voterA, ""]);

    await time.setNextBlockTimestamp(extended + 1n);
    await expectRevert(as(f.governor, f.voterB).castVote(p.id, Vote.Against), f.governor, "GovernorUnexpectedProposalState", [
      p.id,
      ProposalState.Succeeded,
      stateBitmap(ProposalState.Active),
    ]);
  });

  it("extends once: votes after the extension do not push the deadline again", async () => {
    const { f, p, deadline } = await active();
    await time.setNextBlockTimestamp(deadline - 10n);
    await as(f.governor, f.whale).castVote(p.id, Vote.For);
    const extended: bigint = await f.governor.proposalDeadline(p.id);
    await time.setNextBlockTimestamp(extended - 1n);
    const tx = await as(f.governor, f.voterA).castVote(p.id, Vote.For);
    await expectNoEvent(tx, f.governor, "ProposalExtended");
    assert.equal(await f.governor.proposalDeadline(p.id), extended);
  });

  it("lets a late answer defeat a last-minute whale", async () => {
    const { f, p, deadline } = await active();
    // voterA + voterB + dust (40 CORD) Against cannot beat the whale's 100 CORD, so here the whale
    // votes Abstain to reach quorum and only the proposer's 10 CORD For is on the table
    await as(f.governor, f.proposer).castVote(p.id, Vote.For);
    await time.setNextBlockTimestamp(deadline - 1n);
    await as(f.governor, f.whale).castVote(p.id, Vote.Abstain);
    await time.increaseTo(deadline + 5n);
    await as(f.governor, f.voterA).castVote(p.id, Vote.Against);
    await time.increaseTo((await f.governor.proposalDeadline(p.id)) + 1n);
    assert.equal(await f.governor.state(p.id), ProposalState.Defeated);
  });

  it("reports the configured extension", async () => {
    const f = await loadFixture(fixture);
    assert.equal(await f.governor.lateQuorumVoteExtension(), SETTINGS.lateQuorumExtension);
  });
});
