// The DAO as the governance test files see it: deployed by the production Ignition module (so the
// tests exercise the real wiring) with a test distribution and settings, plus small helpers to
// walk a proposal through its lifecycle. Defines no tests.
import type { NetworkConnection } from "hardhat/types/network";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { ZeroHash, id, parseEther, toBeHex } from "ethers";
import GovernanceModule from "../../../ignition/modules/Governance.ts";

/** IGovernor.ProposalState, in declaration order. */
export const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Canceled: 2n,
  Defeated: 3n,
  Succeeded: 4n,
  Queued: 5n,
  Expired: 6n,
  Executed: 7n,
} as const;

/** TimelockController.OperationState, in declaration order. */
export const OperationState = { Unset: 0n, Waiting: 1n, Ready: 2n, Done: 3n } as const;

/** GovernorCountingSimple.VoteType. */
export const Vote = { Against: 0, For: 1, Abstain: 2 } as const;

/** The `bytes32` bitmap OpenZeppelin puts in GovernorUnexpectedProposalState / TimelockUnexpectedOperationState. */
export function stateBitmap(...states: bigint[]): string {
  return toBeHex(states.reduce((bits, state) => bits | (1n << state), 0n), 32);
}

/** Every proposal state except the ones listed (Governor's "any other state" expectations). */
export function allStatesExcept(...excluded: bigint[]): string {
  const all = Object.values(ProposalState).filter((s) => !excluded.includes(s));
  return stateBitmap(...all);
}

// Durations are long enough that the few wall-clock seconds a test takes cannot move a proposal to
// another state behind its back; every boundary is reached with explicit timestamps instead.
export const SETTINGS = {
  votingDelay: 100n,
  votingPeriod: 1_000n,
  proposalThreshold: parseEther("10"),
  quorumNumerator: 4n,
  lateQuorumExtension: 200n,
  timelockMinDelay: 500n,
} as const;

// Supply 1,000 CORD, so the quorum (4%) is exactly 40 CORD. Balances are chosen so that quorum can
// be reached exactly or missed by one wei: voterA + voterB = 40 CORD - 1 wei, + dust (1 wei) = 40 CORD.
export const BALANCES = {
  holder: parseEther("500"), // never delegates: supply that does not vote
  proposer: parseEther("10"), // exactly the proposal threshold
  voterA: parseEther("30"),
  voterB: parseEther("10") - 1n,
  whale: parseEther("100"),
  dust: 1n,
  reserve: parseEther("350"), // never delegates
} as const;
export const TOTAL_SUPPLY = Object.values(BALANCES).reduce((a, b) => a + b, 0n);
export const QUORUM = (TOTAL_SUPPLY * SETTINGS.quorumNumerator) / 100n;

export interface GovernanceFixture {
  token: Contract;
  timelock: Contract;
  governor: Contract;
  holder: HardhatEthersSigner;
  proposer: HardhatEthersSigner;
  voterA: HardhatEthersSigner;
  voterB: HardhatEthersSigner;
  whale: HardhatEthersSigner;
  dust: HardhatEthersSigner;
  reserve: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  recipient: HardhatEthersSigner;
}

/** Deploys the DAO through the Ignition module; the delegated accounts have self-delegated. */
export async function deployGovernance(connection: NetworkConnection): Promise<GovernanceFixture> {
  const { ethers, ignition } = connection;
  const [holder, proposer, voterA, voterB, whale, dust, reserve, guardian, outsider, recipient] =
    await ethers.getSigners();
  const holders = [holder!, proposer!, voterA!, voterB!, whale!, dust!, reserve!];
  const { token, timelock, governor } = await ignition.deploy(GovernanceModule, {
    parameters: {
      Governance: {
        recipients: holders.map((s) => s.address),
        amounts: Object.values(BALANCES),
        votingDelay: Number(SETTINGS.votingDelay),
        votingPeriod: Number(SETTINGS.votingPeriod),
        proposalThreshold: SETTINGS.proposalThreshold,
        quorumNumerator: Number(SETTINGS.quorumNumerator),
        lateQuorumExtension: Number(SETTINGS.lateQuorumExtension),
        timelockMinDelay: Number(SETTINGS.timelockMinDelay),
        guardian: guardian!.address,
      },
    },
  });
  for (const voter of [proposer!, voterA!, voterB!, whale!, dust!]) {
    await as(token, voter).delegate(voter.address);
  }
  return {
    token,
    timelock,
    governor,
    holder: holder!,
    proposer: proposer!,
    voterA: voterA!,
    voterB: voterB!,
    whale: whale!,
    dust: dust!,
    reserve: reserve!,
    guardian: guardian!,
    outsider: outsider!,
    recipient: recipient!,
  };
}

export interface Action {
  target: string;
  value?: bigint;
  data?: string;
}

/** A proposal's four arguments, its description hash and its id, as the Governor computes them. */
export interface Proposal {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  descriptionHash: string;
  id: bigint;
  /** propose(targets, values, calldatas, description) */
  proposeArgs: [string[], bigint[], string[], string];
  /** queue / execute / cancel(targets, values, calldatas, descriptionHash) */
  shortArgs: [string[], bigint[], string[], string];
}

export async function buildProposal(governor: Contract, actions: Action[], description: string): Promise<Proposal> {
  const targets = actions.map((a) => a.target);
  const values = actions.map((a) => a.value ?? 0n);
  const calldatas = actions.map((a) => a.data ?? "0x");
  const descriptionHash = id(description);
  const proposalId = (await governor.hashProposal(targets, values, calldatas, descriptionHash)) as bigint;
  return {
    targets,
    values,
    calldatas,
    description,
    descriptionHash,
    id: proposalId,
    proposeArgs: [targets, values, calldatas, description],
    shortArgs: [targets, values, calldatas, descriptionHash],
  };
}

/** A harmless proposal: a call to the token's view `name()` through the timelock. */
export async function sampleProposal(f: GovernanceFixture, description = "Proposal #1: read the token's name"): Promise<Proposal> {
  const data = f.token.interface.encodeFunctionData("name");
  return buildProposal(f.governor, [{ target: await f.token.getAddress(), data }], description);
}

/** Governor bound to a signer, with its functions callable by name. */
export function as(contract: Contract, signer: HardhatEthersSigner): Contract {
  return contract.connect(signer) as Contract;
}

type Time = NetworkConnection["networkHelpers"]["time"];

/** Mines a block at the first second of voting (snapshot + 1). */
export async function toVotingStart(time: Time, governor: Contract, proposalId: bigint): Promise<void> {
  const snapshot = (await governor.proposalSnapshot(proposalId)) as bigint;
  await time.increaseTo(snapshot + 1n);
}

/** Mines a block at the first second after voting ended (deadline + 1). */
export async function toVotingEnd(time: Time, governor: Contract, proposalId: bigint): Promise<void> {
  const deadline = (await governor.proposalDeadline(proposalId)) as bigint;
  await time.increaseTo(deadline + 1n);
}

/** Proposes `p` as the proposer, and the whale votes For it: after voting it is Succeeded. */
export async function proposeAndPass(time: Time, f: GovernanceFixture, p: Proposal): Promise<void> {
  await as(f.governor, f.proposer).propose(...p.proposeArgs);
  await toVotingStart(time, f.governor, p.id);
  await as(f.governor, f.whale).castVote(p.id, Vote.For);
  await toVotingEnd(time, f.governor, p.id);
}

/** Passes, queues, waits out the timelock delay and executes `p`. */
export async function proposeAndExecute(time: Time, f: GovernanceFixture, p: Proposal): Promise<void> {
  await proposeAndPass(time, f, p);
  await f.governor.queue(...p.shortArgs);
  await time.increaseTo((await f.governor.proposalEta(p.id)) as bigint);
  await f.governor.execute(...p.shortArgs);
}

/** The salt GovernorTimelockControl uses for a proposal's timelock operation: governor address ^ description hash. */
export async function timelockSalt(f: GovernanceFixture, p: Proposal): Promise<string> {
  const governorBits = BigInt(await f.governor.getAddress()) << 96n;
  return toBeHex(governorBits ^ BigInt(p.descriptionHash), 32);
}

/** The TimelockController operation id of a proposal queued by the Governor. */
export async function timelockOperationId(f: GovernanceFixture, p: Proposal): Promise<string> {
  return (await f.timelock.hashOperationBatch(p.targets, p.values, p.calldatas, ZeroHash, await timelockSalt(f, p))) as string;
}
