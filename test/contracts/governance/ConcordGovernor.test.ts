import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import type { Interface } from "ethers";
import { toBeHex } from "ethers";
import { expectRevert } from "../helpers/errors.ts";
import { BALANCES, QUORUM, SETTINGS, as, deployGovernance, sampleProposal, toVotingStart } from "./fixture.ts";

// The functions declared in OpenZeppelin 5's IGovernor, whose selectors XOR to the ERC-165 id that
// Tally (and any IGovernor-aware tool) checks with supportsInterface.
const IGOVERNOR_FUNCTIONS = [
  "name()",
  "version()",
  "COUNTING_MODE()",
  "hashProposal(address[],uint256[],bytes[],bytes32)",
  "getProposalId(address[],uint256[],bytes[],bytes32)",
  "state(uint256)",
  "proposalThreshold()",
  "proposalSnapshot(uint256)",
  "proposalDeadline(uint256)",
  "proposalProposer(uint256)",
  "proposalEta(uint256)",
  "proposalNeedsQueuing(uint256)",
  "votingDelay()",
  "votingPeriod()",
  "quorum(uint256)",
  "getVotes(address,uint256)",
  "getVotesWithParams(address,uint256,bytes)",
  "hasVoted(uint256,address)",
  "propose(address[],uint256[],bytes[],string)",
  "queue(address[],uint256[],bytes[],bytes32)",
  "execute(address[],uint256[],bytes[],bytes32)",
  "cancel(address[],uint256[],bytes[],bytes32)",
  "castVote(uint256,uint8)",
  "castVoteWithReason(uint256,uint8,string)",
  "castVoteWithReasonAndParams(uint256,uint8,string,bytes)",
  "castVoteBySig(uint256,uint8,address,bytes)",
  "castVoteWithReasonAndParamsBySig(uint256,uint8,address,string,bytes,bytes)",
];

/** ERC-165 interface id: the XOR of the selectors; every function must exist in the ABI. */
function interfaceId(iface: Interface, signatures: string[]): string {
  let id = 0n;
  for (const signature of signatures) {
    const fragment = iface.getFunction(signature);
    assert.ok(fragment !== null, `missing ${signature}`);
    id ^= BigInt(fragment.selector);
  }
  return toBeHex(id, 4);
}

describe("ConcordGovernor", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);

  describe("constructor", () => {
    async function deployWith(overrides: Partial<Record<"votingPeriod" | "quorumNumerator" | "lateQuorumExtension", bigint>>) {
      const f = await loadFixture(fixture);
      const factory = await ethers.getContractFactory("ConcordGovernor");
      const deployment = factory.deploy(
        await f.token.getAddress(),
        await f.timelock.getAddress(),
        SETTINGS.votingDelay,
        overrides.votingPeriod ?? SETTINGS.votingPeriod,
        SETTINGS.proposalThreshold,
        overrides.quorumNumerator ?? SETTINGS.quorumNumerator,
        overrides.lateQuorumExtension ?? SETTINGS.lateQuorumExtension,
        f.guardian.address,
      );
      return { factory, deployment };
    }

    it("rejects a zero voting period", async () => {
      const { factory, deployment } = await deployWith({ votingPeriod: 0n, lateQuorumExtension: 0n });
      await expectRevert(deployment, factory, "GovernorInvalidVotingPeriod", [0n]);
    });

    it("rejects a quorum above 100%", async () => {
      const { factory, deployment } = await deployWith({ quorumNumerator: 101n });
      await expectRevert(deployment, factory, "GovernorInvalidQuorumFraction", [101n, 100n]);
    });

    it("rejects a late-quorum extension longer than the voting period", async () => {
      const { factory, deployment } = await deployWith({ lateQuorumExtension: SETTINGS.votingPeriod + 1n });
      await expectRevert(deployment, factory, "GovernorPreventLateQuorumVoteExtensionTooLarge", [
        SETTINGS.votingPeriod + 1n,
        SETTINGS.votingPeriod,
      ]);
    });

    it("accepts a late-quorum extension equal to the voting period", async () => {
      const { deployment } = await deployWith({ lateQuorumExtension: SETTINGS.votingPeriod });
      const governor = await deployment;
      assert.equal(await governor.lateQuorumVoteExtension(), SETTINGS.votingPeriod);
    });
  });

  describe("what Tally and other IGovernor front ends rely on", () => {
    it("supports the IGovernor, ERC-1155 receiver and ERC-165 interfaces", async () => {
      const { governor } = await loadFixture(fixture);
      const iGovernor = interfaceId(governor.interface, IGOVERNOR_FUNCTIONS);
      assert.equal(await governor.supportsInterface(iGovernor), true);
      assert.equal(await governor.supportsInterface("0x01ffc9a7"), true); // IERC165
      assert.equal(await governor.supportsInterface("0x4e2312e0"), true); // IERC1155Receiver
      assert.equal(await governor.supportsInterface("0xffffffff"), false);
      assert.equal(await governor.supportsInterface("0x12345678"), false);
    });

    it("names itself and its counting and clock modes", async () => {
      const { governor } = await loadFixture(fixture);
      assert.equal(await governor.name(), "Concord Governor");
      assert.equal(await governor.version(), "1");
      assert.equal(await governor.COUNTING_MODE(), "support=bravo&quorum=for,abstain");
      assert.equal(await governor.CLOCK_MODE(), "mode=timestamp");
    });

    it("runs on the token's clock, which is the block timestamp", async () => {
      const { governor, token } = await loadFixture(fixture);
      await time.increase(60);
      const now = BigInt(await time.latest());
      assert.equal(await governor.clock(), now);
      assert.equal(await token.clock(), now);
    });

    it("points to its token and timelock", async () => {
      const { governor, token, timelock } = await loadFixture(fixture);
      assert.equal(await governor.token(), await token.getAddress());
      assert.equal(await governor.timelock(), await timelock.getAddress());
    });

    it("reports settings, quorum and voting power at a timepoint", async () => {
      const { governor, token, whale } = await loadFixture(fixture);
      await time.increase(10);
      const past = BigInt(await time.latest()) - 1n;
      assert.equal(await governor.votingDelay(), SETTINGS.votingDelay);
      assert.equal(await governor.votingPeriod(), SETTINGS.votingPeriod);
      assert.equal(await governor.proposalThreshold(), SETTINGS.proposalThreshold);
      assert.equal(await governor.getFunction("quorumNumerator()")(), SETTINGS.quorumNumerator);
      assert.equal(await governor.quorumDenominator(), 100n);
      assert.equal(await governor.quorum(past), QUORUM);
      assert.equal(await governor.getVotes(whale.address, past), BALANCES.whale);
      assert.equal(await governor.getVotes(whale.address, past), await token.getPastVotes(whale.address, past));
      assert.equal(await governor.getVotesWithParams(whale.address, past, "0x"), BALANCES.whale);
    });

    it("reports a proposal's snapshot, deadline, proposer, eta, queuing need and votes", async () => {
      const f = await loadFixture(fixture);
      const p = await sampleProposal(f);
      await as(f.governor, f.proposer).propose(...p.proposeArgs);
      await toVotingStart(time, f.governor, p.id);
      await as(f.governor, f.whale).castVote(p.id, 1);
      const snapshot: bigint = await f.governor.proposalSnapshot(p.id);
      assert.equal(await f.governor.proposalDeadline(p.id), snapshot + SETTINGS.votingPeriod);
      assert.equal(await f.governor.proposalProposer(p.id), f.proposer.address);
      assert.equal(await f.governor.proposalEta(p.id), 0n);
      assert.equal(await f.governor.proposalNeedsQueuing(p.id), true);
      assert.equal(await f.governor.hasVoted(p.id, f.whale.address), true);
      assert.equal(await f.governor.getProposalId(...p.shortArgs), p.id);
    });

    it("emits the events Tally indexes, with their canonical signatures", async () => {
      const { governor, token, timelock } = await loadFixture(fixture);
      const expected: [Interface, string][] = [
        [governor.interface, "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)"],
        [governor.interface, "VoteCast(address,uint256,uint8,uint256,string)"],
        [governor.interface, "VoteCastWithParams(address,uint256,uint8,uint256,string,bytes)"],
        [governor.interface, "ProposalQueued(uint256,uint256)"],
        [governor.interface, "ProposalExecuted(uint256)"],
        [governor.interface, "ProposalCanceled(uint256)"],
        [governor.interface, "ProposalExtended(uint256,uint64)"],
        [governor.interface, "VotingDelaySet(uint256,uint256)"],
        [governor.interface, "VotingPeriodSet(uint256,uint256)"],
        [governor.interface, "ProposalThresholdSet(uint256,uint256)"],
        [governor.interface, "QuorumNumeratorUpdated(uint256,uint256)"],
        [governor.interface, "TimelockChange(address,address)"],
        [token.interface, "DelegateChanged(address,address,address)"],
        [token.interface, "DelegateVotesChanged(address,uint256,uint256)"],
        [token.interface, "Transfer(address,address,uint256)"],
        [timelock.interface, "CallScheduled(bytes32,uint256,address,uint256,bytes,bytes32,uint256)"],
        [timelock.interface, "CallExecuted(bytes32,uint256,address,uint256,bytes)"],
      ];
      for (const [iface, signature] of expected) {
        const event = iface.getEvent(signature.slice(0, signature.indexOf("(")));
        assert.ok(event !== null, `missing event ${signature}`);
        assert.equal(event.format("sighash"), signature);
        assert.equal(event.topicHash, ethers.id(signature));
      }
      // VoteCast is indexed by voter, as in Governor Bravo
      assert.deepEqual(governor.interface.getEvent("VoteCast")!.inputs.map((i) => i.indexed), [true, false, false, false, false]);
    });

    it("exposes the token functions Tally reads for delegation", async () => {
      const { token } = await loadFixture(fixture);
      for (const signature of [
        "getVotes(address)",
        "getPastVotes(address,uint256)",
        "getPastTotalSupply(uint256)",
        "delegates(address)",
        "delegate(address)",
        "delegateBySig(address,uint256,uint256,uint8,bytes32,bytes32)",
        "nonces(address)",
        "clock()",
        "CLOCK_MODE()",
        "DOMAIN_SEPARATOR()",
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        "decimals()",
        "symbol()",
      ]) {
        assert.ok(token.interface.getFunction(signature) !== null, `token lacks ${signature}`);
      }
    });

    it("lists proposals on chain without an indexer", async () => {
      const f = await loadFixture(fixture);
      assert.equal(await f.governor.proposalCount(), 0n);
      const p = await sampleProposal(f);
      await as(f.governor, f.proposer).propose(...p.proposeArgs);
      assert.equal(await f.governor.proposalCount(), 1n);
      const [id] = await f.governor.proposalDetailsAt(0);
      assert.equal(id, p.id);
    });
  });
});
