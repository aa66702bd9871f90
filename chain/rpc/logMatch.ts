/** Whether a log matches address and topic criteria (filters, `logs` subscriptions). */
import type { LogRecord } from "./backend.ts";
import type { Hex } from "../types.ts";

export interface LogCriteria {
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

export function logMatches(log: LogRecord, criteria: LogCriteria): boolean {
  if (criteria.fromBlock !== undefined && log.blockNumber < criteria.fromBlock) return false;
  if (criteria.toBlock !== undefined && log.blockNumber > criteria.toBlock) return false;
  if (criteria.blockHash !== undefined && log.blockHash.toLowerCase() !== criteria.blockHash) return false;
  if (criteria.addresses.length > 0 && !criteria.addresses.includes(log.address.toLowerCase() as Hex)) return false;
  if (criteria.topics.length > log.topics.length) return false;
  return criteria.topics.every((alternatives, position) => {
    if (alternatives === null) return true;
    const topic = log.topics[position]!.toLowerCase() as Hex;
    return alternatives.includes(topic);
  });
}
