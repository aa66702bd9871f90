import "server-only";
/**
 * The Governor's events, indexed in memory from standard eth_getLogs: proposals' descriptions and
 * every step of their timelines with its transaction. Scanned in bounded block ranges (providers cap
 * eth_getLogs), incrementally: each request reads only blocks it has not seen. If the chain under
 * the index changed (a devnet snapshot reverted), the index starts over.
 */
import type { Address, Hash, PublicClient } from "viem";
import { contractAbis } from "./contracts.ts";
import { appConfig } from "./config.ts";

const GOVERNOR_EVENTS = contractAbis.ConcordGovernor.filter(
  (item) =>
    item.type === "event" &&
    ["ProposalCreated", "VoteCast", "VoteCastWithParams", "ProposalQueued", "ProposalExecuted", "ProposalCanceled", "ProposalExtended"].includes(item.name),
);

export type TimelineKind = "created" | "vote" | "queued" | "executed" | "canceled" | "extended";

export interface TimelineEntry {
  kind: TimelineKind;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hash;
  /** Unix seconds of the block. */
  timestamp: bigint;
  /** The account that voted, or proposed. */
  account?: Address;
  support?: number;
  weight?: bigint;
  reason?: string;
  /** Queued: when it becomes executable; extended: the new deadline. */
  time?: bigint;
}

export interface ProposalCreatedRecord {
  proposer: Address;
  description: string;
  voteStart: bigint;
  voteEnd: bigint;
}

interface Index {
  governor: Address;
  scannedTo: bigint;
  scannedHash: Hash | undefined;
  created: Map<bigint, ProposalCreatedRecord>;
  timeline: Map<bigint, TimelineEntry[]>;
  /** Scans run one at a time; concurrent readers wait for the same one. */
  running: Promise<void> | undefined;
}

const indexKey = Symbol.for("concord.app.governorEvents");
type GlobalWithIndex = typeof globalThis & { [indexKey]?: Index };

function emptyIndex(governor: Address): Index {
  return { governor, scannedTo: -1n, scannedHash: undefined, created: new Map(), timeline: new Map(), running: undefined };
}

/** The index, brought up to the latest block. */
export async function governorEvents(client: PublicClient, governor: Address): Promise<Index> {
  const holder = globalThis as GlobalWithIndex;
  if (holder[indexKey]?.governor !== governor) holder[indexKey] = emptyIndex(governor);
  const index = holder[indexKey]!;
  while (index.running !== undefined) await index.running;
  index.running = catchUp(client, index).finally(() => (index.running = undefined));
  await index.running;
  return holder[indexKey]!;
}

async function catchUp(client: PublicClient, index: Index): Promise<void> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  if (index.scannedHash !== undefined) {
    const seen = latest >= index.scannedTo ? await client.getBlock({ blockNumber: index.scannedTo }).catch(() => undefined) : undefined;
    if (seen?.hash !== index.scannedHash) {
      index.scannedTo = -1n;
      index.scannedHash = undefined;
      index.created.clear();
      index.timeline.clear();
    }
  }
  const range = appConfig().logBlockRange;
  const timestamps = new Map<bigint, bigint>();
  for (let from = index.scannedTo + 1n; from <= latest; from += range) {
    const to = from + range - 1n > latest ? latest : from + range - 1n;
    const logs = await client.getLogs({ address: index.governor, events: GOVERNOR_EVENTS, fromBlock: from, toBlock: to, strict: true });
    for (const log of logs) {
      if (log.blockNumber === null || log.transactionHash === null || log.logIndex === null) continue;
      let timestamp = timestamps.get(log.blockNumber);
      if (timestamp === undefined) {
        timestamp = (await client.getBlock({ blockNumber: log.blockNumber })).timestamp;
        timestamps.set(log.blockNumber, timestamp);
      }
      const base = { blockNumber: log.blockNumber, logIndex: log.logIndex, transactionHash: log.transactionHash, timestamp };
      const args = log.args as Record<string, unknown>;
      const id = args.proposalId as bigint;
      let entry: TimelineEntry;
      switch (log.eventName) {
        case "ProposalCreated":
          index.created.set(id, {
            proposer: args.proposer as Address,
            description: args.description as string,
            voteStart: args.voteStart as bigint,
            voteEnd: args.voteEnd as bigint,
          });
          entry = { ...base, kind: "created", account: args.proposer as Address };
          break;
        case "VoteCast":
        case "VoteCastWithParams":
          entry = {
            ...base,
            kind: "vote",
            account: args.voter as Address,
            support: Number(args.support),
            weight: args.weight as bigint,
            reason: args.reason as string,
          };
          break;
        case "ProposalQueued":
          entry = { ...base, kind: "queued", time: args.etaSeconds as bigint };
          break;
        case "ProposalExecuted":
          entry = { ...base, kind: "executed" };
          break;
        case "ProposalCanceled":
          entry = { ...base, kind: "canceled" };
          break;
        case "ProposalExtended":
          entry = { ...base, kind: "extended", time: args.extendedDeadline as bigint };
          break;
        default:
          continue;
      }
      index.timeline.set(id, [...(index.timeline.get(id) ?? []), entry]);
    }
    index.scannedTo = to;
  }
  if (index.scannedTo >= 0n) index.scannedHash = (await client.getBlock({ blockNumber: index.scannedTo })).hash ?? undefined;
}
