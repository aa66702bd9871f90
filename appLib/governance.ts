import "server-only";
/**
 * What the governance pages show, read from the chain: the DAO's settings and treasury, the proposal
 * list (GovernorStorage enumerates proposals on chain) and each proposal with its actions and
 * timeline. Calls that depend on the time (a proposal's state) run against the "pending" block, whose
 * timestamp is now even when the chain has been idle.
 */
import { BaseError, ContractFunctionRevertedError, type Address, type Hash, type Hex, type PublicClient } from "viem";
import { governance, type GovernanceAccess } from "./chain.ts";
import { describeAction, type ActionContext, type DescribedAction, type ProposalAction, type TokenInfo } from "./proposalActions.ts";
import { parseProposalDescription, type ProposalText } from "./proposalDescription.ts";
import { governorEvents, type TimelineEntry } from "./governorEvents.ts";

export const PROPOSAL_STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

export interface DaoSettings {
  votingDelay: bigint;
  votingPeriod: bigint;
  proposalThreshold: bigint;
  quorumNumerator: bigint;
  quorumDenominator: bigint;
  lateQuorumExtension: bigint;
  timelockDelay: bigint;
  guardian: Address;
}

export interface DaoOverview {
  chainId: number;
  governor: Address;
  token: TokenInfo & { name: string; totalSupply: bigint };
  settings: DaoSettings;
  treasury: { address: Address; eth: bigint; tokens: bigint };
  /** Unix seconds: the chain's time (the latest block's, or the wall clock if later). */
  now: bigint;
  proposalCount: number;
}

export interface ProposalSummary {
  id: bigint;
  title: string;
  proposer: Address;
  state: ProposalStateName;
  forVotes: bigint;
  againstVotes: bigint;
  abstainVotes: bigint;
  /** For + Abstain needed (at the snapshot; an estimate from the current supply while pending). */
  quorum: bigint;
  /** Voting opens (the voting-power snapshot), Unix seconds. */
  snapshot: bigint;
  /** Voting closes, Unix seconds (a late-quorum extension moves it). */
  deadline: bigint;
  /** Executable from (queued proposals), Unix seconds; 0 otherwise. */
  eta: bigint;
  createdAt: bigint | undefined;
}

export interface ProposalDetail extends ProposalSummary {
  description: string;
  text: ProposalText;
  actions: (ProposalAction & { described: DescribedAction })[];
  descriptionHash: Hex;
  timeline: TimelineEntry[];
  createdTx: Hash | undefined;
}

interface StaticInfo {
  token: TokenInfo & { name: string };
}
const staticKey = Symbol.for("concord.app.governance.static");
type GlobalWithStatic = typeof globalThis & { [staticKey]?: { governor: Address; info: StaticInfo } };

/** Token name, symbol and decimals: they never change, so they are read once. */
async function staticInfo(access: GovernanceAccess): Promise<StaticInfo> {
  const holder = globalThis as GlobalWithStatic;
  const cached = holder[staticKey];
  if (cached?.governor === access.contracts.governor.address) return cached.info;
  const { client, contracts } = access;
  const [name, symbol, decimals] = await Promise.all([
    client.readContract({ ...contracts.token, functionName: "name" }),
    client.readContract({ ...contracts.token, functionName: "symbol" }),
    client.readContract({ ...contracts.token, functionName: "decimals" }),
  ]);
  const info = { token: { address: contracts.token.address, name, symbol, decimals } };
  holder[staticKey] = { governor: contracts.governor.address, info };
  return info;
}

async function chainNow(client: PublicClient): Promise<{ latestTimestamp: bigint; now: bigint }> {
  const latest = await client.getBlock({ blockTag: "latest" });
  const wall = BigInt(Math.floor(Date.now() / 1000));
  return { latestTimestamp: latest.timestamp, now: latest.timestamp > wall ? latest.timestamp : wall };
}

export async function daoOverview(): Promise<DaoOverview> {
  const access = await governance();
  const { client, contracts, deployment } = access;
  const governor = contracts.governor;
  const [info, clock, settings, eth, tokens, totalSupply, count] = await Promise.all([
    staticInfo(access),
    chainNow(client),
    daoSettings(access),
    client.getBalance({ address: contracts.timelock.address }),
    client.readContract({ ...contracts.token, functionName: "balanceOf", args: [contracts.timelock.address] }),
    client.readContract({ ...contracts.token, functionName: "totalSupply" }),
    client.readContract({ ...governor, functionName: "proposalCount" }),
  ]);
  return {
    chainId: deployment.chainId,
    governor: governor.address,
    token: { ...info.token, totalSupply },
    settings,
    treasury: { address: contracts.timelock.address, eth, tokens },
    now: clock.now,
    proposalCount: Number(count),
  };
}

export async function daoSettings(access: GovernanceAccess): Promise<DaoSettings> {
  const { client, contracts } = access;
  const governor = contracts.governor;
  const [votingDelay, votingPeriod, proposalThreshold, quorumNumerator, quorumDenominator, lateQuorumExtension, timelockDelay, guardian] =
    await Promise.all([
      client.readContract({ ...governor, functionName: "votingDelay" }),
      client.readContract({ ...governor, functionName: "votingPeriod" }),
      client.readContract({ ...governor, functionName: "proposalThreshold" }),
      client.readContract({ ...governor, functionName: "quorumNumerator", args: [] }),
      client.readContract({ ...governor, functionName: "quorumDenominator" }),
      client.readContract({ ...governor, functionName: "lateQuorumVoteExtension" }),
      client.readContract({ ...contracts.timelock, functionName: "getMinDelay" }),
      client.readContract({ ...governor, functionName: "proposalGuardian" }),
    ]);
  return { votingDelay, votingPeriod, proposalThreshold, quorumNumerator, quorumDenominator, lateQuorumExtension: BigInt(lateQuorumExtension), timelockDelay, guardian };
}

/** Every proposal, newest first. */
export async function listProposals(): Promise<{ proposals: ProposalSummary[]; token: TokenInfo; now: bigint }> {
  const access = await governance();
  const { client, contracts } = access;
  const [info, clock, count, events] = await Promise.all([
    staticInfo(access),
    chainNow(client),
    client.readContract({ ...contracts.governor, functionName: "proposalCount" }),
    governorEvents(client, contracts.governor.address),
  ]);
  const indexes = Array.from({ length: Number(count) }, (_, i) => BigInt(Number(count) - 1 - i));
  const proposals = await Promise.all(
    indexes.map(async (index) => {
      const [id] = await client.readContract({ ...contracts.governor, functionName: "proposalDetailsAt", args: [index] });
      return summary(access, id, clock.latestTimestamp, events.created.get(id)?.description, events.timeline.get(id));
    }),
  );
  return { proposals, token: info.token, now: clock.now };
}

async function summary(
  access: GovernanceAccess,
  id: bigint,
  latestTimestamp: bigint,
  description: string | undefined,
  timeline: TimelineEntry[] | undefined,
): Promise<ProposalSummary> {
  const { client, contracts } = access;
  const governor = contracts.governor;
  const [state, votes, snapshot, deadline, eta, proposer] = await Promise.all([
    client.readContract({ ...governor, functionName: "state", args: [id], blockTag: "pending" }),
    client.readContract({ ...governor, functionName: "proposalVotes", args: [id] }),
    client.readContract({ ...governor, functionName: "proposalSnapshot", args: [id] }),
    client.readContract({ ...governor, functionName: "proposalDeadline", args: [id] }),
    client.readContract({ ...governor, functionName: "proposalEta", args: [id] }),
    client.readContract({ ...governor, functionName: "proposalProposer", args: [id] }),
  ]);
  // quorum(t) needs t in the past; before voting opens, today's quorum is the best estimate.
  const quorumAt = snapshot < latestTimestamp ? snapshot : latestTimestamp - 1n;
  const quorum = await client.readContract({ ...governor, functionName: "quorum", args: [quorumAt] });
  const [againstVotes, forVotes, abstainVotes] = votes;
  return {
    id,
    title: description === undefined ? `Proposal ${id}` : parseProposalDescription(description).title,
    proposer,
    state: PROPOSAL_STATES[state] ?? "Pending",
    forVotes,
    againstVotes,
    abstainVotes,
    quorum,
    snapshot,
    deadline,
    eta,
    createdAt: timeline?.find((entry) => entry.kind === "created")?.timestamp,
  };
}

/** One proposal with its description, decoded actions and timeline; undefined if there is none with this id. */
export async function proposalDetail(id: bigint): Promise<ProposalDetail | undefined> {
  const access = await governance();
  const { client, contracts } = access;
  const [info, clock, details, events] = await Promise.all([
    staticInfo(access),
    chainNow(client),
    client.readContract({ ...contracts.governor, functionName: "proposalDetails", args: [id] }).catch((error: unknown) => {
      // GovernorNonexistentProposal: no such proposal. Anything else (the node is down) is an error.
      if (error instanceof BaseError && error.walk((inner) => inner instanceof ContractFunctionRevertedError) !== null) return undefined;
      throw error;
    }),
    governorEvents(client, contracts.governor.address),
  ]);
  if (details === undefined) return undefined;
  const [targets, values, calldatas, descriptionHash] = details;
  const timeline = [...(events.timeline.get(id) ?? [])].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
  const description = events.created.get(id)?.description ?? "";
  const base = await summary(access, id, clock.latestTimestamp, description, timeline);
  const context: ActionContext = { governor: contracts.governor.address, timelock: contracts.timelock.address, token: info.token };
  const actions = targets.map((target, i) => {
    const action: ProposalAction = { target, value: values[i], calldata: calldatas[i] };
    return { ...action, described: describeAction(action, context) };
  });
  return {
    ...base,
    description,
    text: parseProposalDescription(description),
    actions,
    descriptionHash,
    timeline,
    createdTx: timeline.find((entry) => entry.kind === "created")?.transactionHash,
  };
}

/** The settings with the chain's time, for pages that show when things happen. */
export async function daoSettingsNow(): Promise<DaoSettings & { now: bigint }> {
  const access = await governance();
  const [settings, clock] = await Promise.all([daoSettings(access), chainNow(access.client)]);
  return { ...settings, now: clock.now };
}

export async function tokenInfo(): Promise<TokenInfo & { name: string }> {
  return (await staticInfo(await governance())).token;
}
