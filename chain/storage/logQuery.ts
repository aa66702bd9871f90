/**
 * eth_getLogs over committed blocks: each block's header bloom rules it out cheaply, and only blocks
 * whose bloom may match have their receipts read and matched exactly. Matching follows geth: a log
 * matches when its address is one of the filter's (or the filter has none) and, for each topic
 * position the filter constrains, the log's topic there is one of the listed values; a filter with
 * more topic positions than the log has topics never matches it.
 */
import { Bloom } from "@ethereumjs/vm";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { BlockHeader } from "@ethereumjs/block";
import type { RawLog } from "../execution/receipts.ts";
import type { ChainStore } from "./chainStore.ts";
import type { Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export interface LogQuery {
  fromBlock: bigint;
  toBlock: bigint;
  /** Empty: any address. */
  addresses: Hex[];
  /** Per position: null matches anything, an array matches any of its entries (OR). */
  topics: (Hex[] | null)[];
}

export interface FoundLog {
  log: RawLog;
  blockNumber: bigint;
  blockHash: Uint8Array;
  transactionHash: Uint8Array;
  transactionIndex: number;
  /** Position of the log in its block. */
  logIndex: number;
}

export class LogLimitError extends ConcordError<"LOG_LIMIT_EXCEEDED"> {
  override readonly name = "LogLimitError";
  constructor(readonly limit: number) {
    super("LOG_LIMIT_EXCEEDED", `query returned more than ${limit} results`);
  }
}

class CompiledQuery {
  readonly addresses: Set<string>;
  readonly addressBytes: Uint8Array[];
  readonly topics: (Set<string> | null)[];
  readonly topicBytes: (Uint8Array[] | null)[];

  constructor(query: Pick<LogQuery, "addresses" | "topics">) {
    this.addresses = new Set(query.addresses.map((a) => a.toLowerCase()));
    this.addressBytes = [...this.addresses].map((a) => hexToBytes(a as Hex));
    this.topics = query.topics.map((t) => (t === null ? null : new Set(t.map((x) => x.toLowerCase()))));
    this.topicBytes = query.topics.map((t) => (t === null ? null : t.map((x) => hexToBytes(x))));
  }

  mayMatch(header: BlockHeader): boolean {
    const bloom = new Bloom(header.logsBloom);
    if (this.addressBytes.length > 0 && !this.addressBytes.some((a) => bloom.check(a))) return false;
    return this.topicBytes.every((alternatives) => alternatives === null || alternatives.length === 0 || alternatives.some((t) => bloom.check(t)));
  }

  matches([address, topics]: RawLog): boolean {
    if (this.addresses.size > 0 && !this.addresses.has(bytesToHex(address))) return false;
    if (this.topics.length > topics.length) return false;
    return this.topics.every((allowed, i) => allowed === null || allowed.size === 0 || allowed.has(bytesToHex(topics[i])));
  }
}

/** Logs of blocks [fromBlock, toBlock] (clamped to the head) matching the query, in chain order. */
export async function findLogs(store: ChainStore, query: LogQuery, limit = Number.MAX_SAFE_INTEGER): Promise<FoundLog[]> {
  const compiled = new CompiledQuery(query);
  const head = store.head()?.number ?? -1n;
  const last = query.toBlock < head ? query.toBlock : head;
  const found: FoundLog[] = [];
  for (let number = query.fromBlock < 0n ? 0n : query.fromBlock; number <= last; number++) {
    const hash = await store.blockHash(number);
    if (hash === undefined) break;
    const header = await store.getHeader(hash);
    if (header === undefined || !compiled.mayMatch(header)) continue;
    await collect(store, compiled, header, hash, found, limit);
  }
  return found;
}

/** Logs of the block with `blockHash` matching the query (eth_getLogs with blockHash). */
export async function findLogsInBlock(store: ChainStore, blockHash: Uint8Array, query: Pick<LogQuery, "addresses" | "topics">): Promise<FoundLog[] | undefined> {
  const header = await store.getHeader(blockHash);
  if (header === undefined) return undefined;
  const found: FoundLog[] = [];
  const compiled = new CompiledQuery(query);
  if (compiled.mayMatch(header)) await collect(store, compiled, header, blockHash, found, Number.MAX_SAFE_INTEGER);
  return found;
}

async function collect(store: ChainStore, query: CompiledQuery, header: BlockHeader, blockHash: Uint8Array, found: FoundLog[], limit: number): Promise<void> {
  const receipts = (await store.getReceipts(blockHash)) ?? [];
  let logIndex = 0;
  for (const [transactionIndex, receipt] of receipts.entries()) {
    for (const log of receipt.logs) {
      if (query.matches(log)) {
        if (found.length >= limit) throw new LogLimitError(limit);
        found.push({ log, blockNumber: header.number, blockHash, transactionHash: receipt.transactionHash, transactionIndex, logIndex });
      }
      logIndex++;
    }
  }
}
