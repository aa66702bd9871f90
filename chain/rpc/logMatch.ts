/** Whether a log matches address and topic criteria (filters, `logs` subscriptions). */
import type { LogRecord } from "./backend.ts";
import type { Hex } from "../types.ts";

/** Criteria as a request gives them (lists), before they are installed. */
export interface LogCriteriaInput {
  /** Empty: any address. Lowercase. */
  addresses: Hex[];
  /** Per position: null matches anything, a list matches any of its entries. Lowercase. */
  topics: (Hex[] | null)[];
  /** Inclusive numeric bounds; undefined: unbounded (a filter created with "latest" keeps following the head). */
  fromBlock?: bigint;
  toBlock?: bigint;
  /** Only logs of this block (eth_getLogs / eth_newFilter with blockHash). */
  blockHash?: Hex;
}

/** Installed criteria (logCriteriaBudget.ts): Sets of interned strings, and what they cost the budget. */
export interface LogCriteria {
  /** Undefined: any address. */
  addresses: ReadonlySet<Hex> | undefined;
  topics: (ReadonlySet<Hex> | null)[];
  fromBlock?: bigint;
  toBlock?: bigint;
  blockHash?: Hex;
  /** Addresses and topic alternatives held, as charged to the budget. */
  entries: number;
}

export function logMatches(log: LogRecord, criteria: LogCriteria): boolean {
  if (criteria.fromBlock !== undefined && log.blockNumber < criteria.fromBlock) return false;
  if (criteria.toBlock !== undefined && log.blockNumber > criteria.toBlock) return false;
  if (criteria.blockHash !== undefined && log.blockHash.toLowerCase() !== criteria.blockHash) return false;
  if (criteria.addresses !== undefined && !criteria.addresses.has(log.address.toLowerCase() as Hex)) return false;
  if (criteria.topics.length > log.topics.length) return false;
  return criteria.topics.every((alternatives, position) => alternatives === null || alternatives.has(log.topics[position]!.toLowerCase() as Hex));
}

/** Installed criteria back as lists (eth_getFilterLogs re-runs a filter's criteria over the chain). */
export function criteriaInput(criteria: LogCriteria): LogCriteriaInput {
  const input: LogCriteriaInput = {
    addresses: [...(criteria.addresses ?? [])],
    topics: criteria.topics.map((position) => (position === null ? null : [...position])),
  };
  if (criteria.fromBlock !== undefined) input.fromBlock = criteria.fromBlock;
  if (criteria.toBlock !== undefined) input.toBlock = criteria.toBlock;
  if (criteria.blockHash !== undefined) input.blockHash = criteria.blockHash;
  return input;
}
