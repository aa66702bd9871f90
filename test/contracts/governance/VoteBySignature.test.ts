import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { expectEvent, expectNoEvent, expectRevert } from "../helpers/errors.ts";
import { BALANCES, Vote, as, deployGovernance, sampleProposal, toVotingStart } from "./fixture.ts";

const BALLOT_TYPES = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
};

const EXTENDED_BALLOT_TYPES = {
  ExtendedBallot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "params", type: "bytes" },
  ],
};

describe("ConcordGovernor voting by signature (EIP-712)", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const { chainId } = await ethers.provider.getNetwork();
  const fixture = () => deployGovernance(connection);

  async function active() {
    const f = await loadFixture(fixture);
    const p = await sampleProposal(f);
    await as(f.governor, f.proposer).propose(...p.proposeArgs);
    const other = await sampleProposal(f, "Another proposal");
    await as(f.governor, f.proposer).propose(...other.proposeArgs);
    await toVotingStart(time, f.governor, other.id);
    return { f, p, other };
  }

  async function domain(governor: Contract) {
    return { name: "Concord Governor", version: "1", chainId, verifyingContract: await governor.getAddress() };
  }

  async function signBallot(governor: Contract, signer: HardhatEthersSigner, ballot: { proposalId: bigint; support: number; voter: string; nonce: bigint }) {
    return signer.signTypedData(await domain(governor), BALLOT_TYPES, ballot);
  }

  async function signExtendedBallot(
    governor: Contract,
    signer: HardhatEthersSigner,
    ballot: { proposalId: bigint; support: number; voter: string; nonce: bigint; reason: string; params: string },
  ) {
    return signer.signTypedData(await domain(governor), EXTENDED_BALLOT_TYPES, ballot);
  }

  it("publishes its EIP-712 domain (ERC-5267)", async () => {
    const f = await loadFixture(fixture);
    const [, name, version, domainChainId, verifyingContract] = await f.governor.eip712Domain();
    assert.deepEqual([name, version, domainChainId, verifyingContract], ["Concord Governor", "1", chainId, await f.governor.getAddress()]);
  });

  describe("castVoteBySig", () => {
    it("counts the signer's vote when a relayer submits it", async () => {
      const { f, p } = await active();
      const signature = await signBallot(f.governor, f.whale, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      const tx = await as(f.governor, f.outsider).castVoteBySig(p.id, Vote.For, f.whale.address, signature);
      await expectEvent(tx, f.governor, "VoteCast", [f.whale.address, p.id, Vote.For, BALANCES.whale, ""]);
      assert.equal(await f.governor.hasVoted(p.id, f.whale.address), true);
      assert.equal(await f.governor.hasVoted(p.id, f.outsider.address), false);
      assert.equal(await f.governor.nonces(f.whale.address), 1n);
      const [, inFavour] = await f.governor.proposalVotes(p.id);
      assert.equal(inFavour, BALANCES.whale);
    });

    it("rejects a replayed signature (its nonce is spent)", async () => {
      const { f, p } = await active();
      const signature = await signBallot(f.governor, f.whale, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, signature);
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, signature), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
    });

    it("rejects a signature replayed on another proposal", async () => {
      const { f, p, other } = await active();
      const signature = await signBallot(f.governor, f.whale, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await expectRevert(f.governor.castVoteBySig(other.id, Vote.For, f.whale.address, signature), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
    });

    it("rejects a signature by someone other than the named voter", async () => {
      const { f, p } = await active();
      const signature = await signBallot(f.governor, f.voterA, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, signature), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
    });

    it("rejects a signed vote submitted with a different support", async () => {
      const { f, p } = await active();
      const signature = await signBallot(f.governor, f.whale, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.Against, f.whale.address, signature), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
    });

    it("rejects a signature for another chain", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n };
      const signature = await f.whale.signTypedData({ ...(await domain(f.governor)), chainId: chainId + 1n }, BALLOT_TYPES, ballot);
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, signature), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
    });

    it("does not spend the nonce on a rejected signature", async () => {
      const { f, p } = await active();
      const forged = await signBallot(f.governor, f.voterA, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, forged), f.governor, "GovernorInvalidSignature", [
        f.whale.address,
      ]);
      assert.equal(await f.governor.nonces(f.whale.address), 0n);
    });

    it("still refuses a second vote from the same voter", async () => {
      const { f, p } = await active();
      await as(f.governor, f.whale).castVote(p.id, Vote.Against);
      const signature = await signBallot(f.governor, f.whale, { proposalId: p.id, support: Vote.For, voter: f.whale.address, nonce: 0n });
      await expectRevert(f.governor.castVoteBySig(p.id, Vote.For, f.whale.address, signature), f.governor, "GovernorAlreadyCastVote", [
        f.whale.address,
      ]);
    });
  });

  describe("castVoteWithReasonAndParamsBySig", () => {
    it("counts the vote and emits VoteCastWithParams with the reason and params", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.Abstain, voter: f.voterA.address, nonce: 0n, reason: "conflict of interest", params: "0x1234" };
      const signature = await signExtendedBallot(f.governor, f.voterA, ballot);
      const tx = await as(f.governor, f.outsider).castVoteWithReasonAndParamsBySig(
        p.id,
        Vote.Abstain,
        f.voterA.address,
        ballot.reason,
        ballot.params,
        signature,
      );
      await expectEvent(tx, f.governor, "VoteCastWithParams", [f.voterA.address, p.id, Vote.Abstain, BALANCES.voterA, ballot.reason, ballot.params]);
      await expectNoEvent(tx, f.governor, "VoteCast");
      const [, , abstain] = await f.governor.proposalVotes(p.id);
      assert.equal(abstain, BALANCES.voterA);
    });

    it("emits VoteCast when the params are empty", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.For, voter: f.voterA.address, nonce: 0n, reason: "yes", params: "0x" };
      const signature = await signExtendedBallot(f.governor, f.voterA, ballot);
      const tx = await f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "yes", "0x", signature);
      await expectEvent(tx, f.governor, "VoteCast", [f.voterA.address, p.id, Vote.For, BALANCES.voterA, "yes"]);
    });

    it("rejects a tampered reason", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.For, voter: f.voterA.address, nonce: 0n, reason: "yes", params: "0x" };
      const signature = await signExtendedBallot(f.governor, f.voterA, ballot);
      await expectRevert(
        f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "no", "0x", signature),
        f.governor,
        "GovernorInvalidSignature",
        [f.voterA.address],
      );
    });

    it("rejects tampered params", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.For, voter: f.voterA.address, nonce: 0n, reason: "yes", params: "0x01" };
      const signature = await signExtendedBallot(f.governor, f.voterA, ballot);
      await expectRevert(
        f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "yes", "0x02", signature),
        f.governor,
        "GovernorInvalidSignature",
        [f.voterA.address],
      );
    });

    it("rejects a plain Ballot signature submitted as an extended one", async () => {
      const { f, p } = await active();
      const signature = await signBallot(f.governor, f.voterA, { proposalId: p.id, support: Vote.For, voter: f.voterA.address, nonce: 0n });
      await expectRevert(
        f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "", "0x", signature),
        f.governor,
        "GovernorInvalidSignature",
        [f.voterA.address],
      );
    });

    it("rejects a replayed extended signature", async () => {
      const { f, p } = await active();
      const ballot = { proposalId: p.id, support: Vote.For, voter: f.voterA.address, nonce: 0n, reason: "", params: "0x" };
      const signature = await signExtendedBallot(f.governor, f.voterA, ballot);
      await f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "", "0x", signature);
      await expectRevert(
        f.governor.castVoteWithReasonAndParamsBySig(p.id, Vote.For, f.voterA.address, "", "0x", signature),
        f.governor,
        "GovernorInvalidSignature",
        [f.voterA.address],
      );
    });
  });

  describe("direct votes with params", () => {
    it("castVoteWithReasonAndParams emits VoteCastWithParams", async () => {
      const { f, p } = await active();
      const tx = await as(f.governor, f.whale).castVoteWithReasonAndParams(p.id, Vote.Against, "too risky", "0xabcd");
      await expectEvent(tx, f.governor, "VoteCastWithParams", [f.whale.address, p.id, Vote.Against, BALANCES.whale, "too risky", "0xabcd"]);
    });
  });
});
