/**
 * The chain on disk: blocks (by number and hash), their senders, receipts, the transaction index,
 * commit certificates, the state trie nodes and the head, over one `KeyValueStore`.
 *
 * A block's commit is ONE batch (block, receipts, indexes, state nodes, certificate, new head), so a
 * node killed at any moment reopens at its last committed block with nothing half-written visible:
 * everything reachable from the head was written with or before it.
 *
 * Layout (one-byte prefixes; numbers are 8-byte big-endian):
 *   h                 -> RLP[number, hash]            the head
 *   g                 -> genesis hash
 *   n ‖ number        -> block hash
 *   H ‖ hash          -> header (RLP)
 *   B ‖ hash          -> body RLP[transactions, senders]
 *   R ‖ hash          -> receipts RLP[[txHash, status, cumulativeGas, gasUsed, effectiveGasPrice, contract, logs]...]
 *   t ‖ txHash        -> RLP[blockNumber, index]
 *   c ‖ number        -> commit certificate RLP[height, round, blockHash, [[validator, signature]...]]
 *   s ‖ trie key      -> state trie node or contract code
 *   i                 -> instance id (32 random bytes, made once per chain)
 *   p ‖ number        -> pre-state root of a dev-chain block built on pending state changes
 *
 * `truncate` is the one operation that removes blocks (a single-validator devnet's evm_revert): it
 * deletes everything above a height and moves the head down, also in ONE batch. State trie nodes
 * stay: they are content-addressed, shared between states, and unreachable nodes are harmless.
 */
import { createBlockHeaderFromRLP, type Block, type BlockHeader } from "@ethereumjs/block";
import { RLP, type Input } from "@ethereumjs/rlp";
import { bigIntToBytes, bytesToBigInt, bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import type { ExecutedReceipt, RawLog } from "../execution/receipts.ts";
import type { KeyValueOperation, KeyValueStore } from "./keyValueStore.ts";
import { LruCache } from "./lruCache.ts";
import { encodeTransaction } from "../execution/patches/transactionEncoding.ts";
import { blockFromFields } from "../execution/blockCodec.ts";
import type { CommitCertificate, Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export interface ChainHead {
  number: bigint;
  hash: Uint8Array;
}

export interface StoredBlock {
  block: Block;
  /** Sender of each transaction, in order (lowercase hex). */
  senders: Hex[];
}

/** A receipt as stored: what execution produced plus the transaction's hash. */
export interface StoredReceipt extends ExecutedReceipt {
  transactionHash: Uint8Array;
}

export interface TransactionLocation {
  blockNumber: bigint;
  blockHash: Uint8Array;
  index: number;
}

/** Everything a block's commit writes, in one batch. */
export interface BlockCommit {
  block: Block;
  senders: readonly Hex[];
  receipts: readonly ExecutedReceipt[];
  /** Trie nodes and code created by the block, keyed by unprefixed hex (execution's `stateNodes`). */
  stateNodes: ReadonlyMap<string, Uint8Array>;
  /** Absent only for genesis. */
  certificate?: CommitCertificate;
  /**
   * The state the block was executed on, when it is not the parent's (a single-validator devnet's
   * pending hardhat_setBalance-style changes); kept so that traces replay the block on it.
   */
  preStateRoot?: Uint8Array;
}

export const ChainStoreErrorCode = {
  /** The block is not the child of the current head. */
  NotNextBlock: "NOT_NEXT_BLOCK",
  /** The store holds a chain with another genesis. */
  GenesisMismatch: "GENESIS_MISMATCH",
  /** The block and its senders / receipts disagree in length. */
  InconsistentCommit: "INCONSISTENT_COMMIT",
  /** A truncation height above the head, or a store without blocks. */
  InvalidTruncation: "INVALID_TRUNCATION",
} as const;
export type ChainStoreErrorCode = (typeof ChainStoreErrorCode)[keyof typeof ChainStoreErrorCode];

export class ChainStoreError extends ConcordError<ChainStoreErrorCode> {
  override readonly name = "ChainStoreError";
}

const HEAD_KEY = Uint8Array.of(0x68); // "h"
const GENESIS_KEY = Uint8Array.of(0x67); // "g"
const INSTANCE_KEY = Uint8Array.of(0x69); // "i"
const Prefix = {
  number: 0x6e, // n
  header: 0x48, // H
  body: 0x42, // B
  receipts: 0x52, // R
  transaction: 0x74, // t
  certificate: 0x63, // c
  state: 0x73, // s
  preState: 0x70, // p
} as const;

export interface ChainStoreOptions {
  /** State trie nodes kept decoded in memory (content-addressed, so never stale). Default 200000. */
  stateNodeCacheSize?: number;
  /**
   * Decoded blocks kept in memory, and the receipts of as many recent blocks, as committed (a node
   * reads a block's receipts right after committing it for its logs, and clients poll receipts of
   * the transactions they just sent). Default 64.
   */
  blockCacheSize?: number;
  /** Transaction locations and block-number -> hash entries of recent blocks kept in memory. Default 65536. */
  indexCacheSize?: number;
}

export class ChainStore {
  private currentHead: ChainHead | undefined;
  private readonly stateNodes: LruCache<string, Uint8Array>;
  private readonly blocks: LruCache<string, StoredBlock>;
  private readonly headers: LruCache<string, BlockHeader>;
  private readonly receipts: LruCache<string, StoredReceipt[]>;
  /** Transaction hash (hex) -> where it is; filled at commit, emptied for truncated blocks. */
  private readonly locations: LruCache<string, TransactionLocation>;
  /** Block number -> hash of the committed chain; filled at commit and read, emptied for truncated blocks. */
  private readonly hashesByNumber: LruCache<bigint, Uint8Array>;

  private constructor(
    private readonly kv: KeyValueStore,
    readonly common: Common,
    head: ChainHead | undefined,
    options: ChainStoreOptions,
  ) {
    this.currentHead = head;
    this.stateNodes = new LruCache(options.stateNodeCacheSize ?? 200_000);
    this.blocks = new LruCache(options.blockCacheSize ?? 64);
    this.headers = new LruCache(4096);
    this.receipts = new LruCache(options.blockCacheSize ?? 64);
    this.locations = new LruCache(options.indexCacheSize ?? 65_536);
    this.hashesByNumber = new LruCache(options.indexCacheSize ?? 65_536);
  }

  static async open(kv: KeyValueStore, common: Common, options: ChainStoreOptions = {}): Promise<ChainStore> {
    const raw = await kv.get(HEAD_KEY);
    let head: ChainHead | undefined;
    if (raw !== undefined) {
      const [number, hash] = RLP.decode(raw) as Uint8Array[];
      head = { number: bytesToBigInt(number), hash };
    }
    return new ChainStore(kv, common, head, options);
  }

  /** The last committed block, or undefined for an empty store. */
  head(): ChainHead | undefined {
    return this.currentHead;
  }

  async genesisHash(): Promise<Uint8Array | undefined> {
    return this.kv.get(GENESIS_KEY);
  }

  /** Hash of the committed block at `number` (BLOCKHASH reads it). */
  async blockHash(number: bigint): Promise<Uint8Array | undefined> {
    if (number < 0n || this.currentHead === undefined || number > this.currentHead.number) return undefined;
    const cached = this.hashesByNumber.get(number);
    if (cached !== undefined) return cached;
    const hash = await this.kv.get(numberKey(Prefix.number, number));
    // Re-checked after the read: a truncation meanwhile may have removed the block.
    if (hash !== undefined && this.currentHead !== undefined && number <= this.currentHead.number) this.hashesByNumber.set(number, hash);
    return hash;
  }

  async getHeader(hash: Uint8Array): Promise<BlockHeader | undefined> {
    const key = bytesToHex(hash);
    const cached = this.headers.get(key) ?? this.blocks.get(key)?.block.header;
    if (cached !== undefined) return cached;
    const raw = await this.kv.get(prefixed(Prefix.header, hash));
    if (raw === undefined) return undefined;
    const header = createBlockHeaderFromRLP(raw, { common: this.common });
    this.headers.set(key, header);
    return header;
  }

  async getHeaderByNumber(number: bigint): Promise<BlockHeader | undefined> {
    const hash = await this.blockHash(number);
    return hash === undefined ? undefined : this.getHeader(hash);
  }

  async getBlock(hash: Uint8Array): Promise<StoredBlock | undefined> {
    const key = bytesToHex(hash);
    const cached = this.blocks.get(key);
    if (cached !== undefined) return cached;
    const [headerRaw, bodyRaw] = await Promise.all([this.kv.get(prefixed(Prefix.header, hash)), this.kv.get(prefixed(Prefix.body, hash))]);
    if (headerRaw === undefined || bodyRaw === undefined) return undefined;
    const [transactions, senders] = RLP.decode(bodyRaw) as [Uint8Array[], Uint8Array[]];
    const block = blockFromFields([RLP.decode(headerRaw) as Uint8Array[], transactions, [], []], this.common);
    const stored = { block, senders: senders.map((s) => bytesToHex(s) as Hex) };
    this.blocks.set(key, stored);
    return stored;
  }

  async getBlockByNumber(number: bigint): Promise<StoredBlock | undefined> {
    const hash = await this.blockHash(number);
    return hash === undefined ? undefined : this.getBlock(hash);
  }

  async getReceipts(blockHash: Uint8Array): Promise<StoredReceipt[] | undefined> {
    const cached = this.receipts.get(bytesToHex(blockHash));
    if (cached !== undefined) return cached.slice();
    const raw = await this.kv.get(prefixed(Prefix.receipts, blockHash));
    return raw === undefined ? undefined : decodeReceipts(raw);
  }

  async getTransactionLocation(txHash: Uint8Array): Promise<TransactionLocation | undefined> {
    const cached = this.locations.get(bytesToHex(txHash));
    if (cached !== undefined) return { ...cached };
    const raw = await this.kv.get(prefixed(Prefix.transaction, txHash));
    if (raw === undefined) return undefined;
    const [number, index] = RLP.decode(raw) as Uint8Array[];
    const blockNumber = bytesToBigInt(number);
    const blockHash = await this.blockHash(blockNumber);
    if (blockHash === undefined) return undefined;
    return { blockNumber, blockHash, index: Number(bytesToBigInt(index)) };
  }

  /** The state block `number` was executed on, when it is not its parent's (see `BlockCommit`). */
  async getPreStateRoot(number: bigint): Promise<Uint8Array | undefined> {
    return this.kv.get(numberKey(Prefix.preState, number));
  }

  async getCertificate(number: bigint): Promise<CommitCertificate | undefined> {
    const raw = await this.kv.get(numberKey(Prefix.certificate, number));
    return raw === undefined ? undefined : decodeCertificate(raw);
  }

  /** A committed state trie node or contract code (execution's `StateNodeSource`). */
  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    const cached = this.stateNodes.get(key);
    if (cached !== undefined) return cached;
    const value = await this.kv.get(stateKey(key));
    if (value !== undefined) this.stateNodes.set(key, value);
    return value;
  }

  /**
   * Commits the child of the head (or the genesis block into an empty store) with everything it
   * produced, as one atomic batch; the head moves only when the batch is durable.
   */
  async commitBlock(commit: BlockCommit): Promise<void> {
    const { block, senders, receipts } = commit;
    const number = block.header.number;
    const hash = block.hash();
    const head = this.currentHead;
    const isNext = head === undefined ? number === 0n : number === head.number + 1n && equalsBytes(block.header.parentHash, head.hash);
    if (!isNext) {
      throw new ChainStoreError(ChainStoreErrorCode.NotNextBlock, `block ${number} is not the child of head ${head?.number ?? "none"}`);
    }
    if (senders.length !== block.transactions.length || receipts.length !== block.transactions.length) {
      throw new ChainStoreError(ChainStoreErrorCode.InconsistentCommit, "senders and receipts must match the block's transactions");
    }
    const ops: KeyValueOperation[] = [];
    for (const [key, value] of commit.stateNodes) ops.push({ type: "put", key: stateKey(key), value });
    const body = RLP.encode([block.transactions.map((tx) => (tx.type === 0 ? tx.raw() : encodeTransaction(tx))) as Input, senders.map((s) => hexToBytes(s))]);
    ops.push({ type: "put", key: prefixed(Prefix.header, hash), value: block.header.serialize() });
    ops.push({ type: "put", key: prefixed(Prefix.body, hash), value: body });
    ops.push({ type: "put", key: prefixed(Prefix.receipts, hash), value: encodeReceipts(block, receipts) });
    for (const [index, tx] of block.transactions.entries()) {
      ops.push({ type: "put", key: prefixed(Prefix.transaction, tx.hash()), value: RLP.encode([bigIntToBytes(number), bigIntToBytes(BigInt(index))]) });
    }
    if (commit.certificate !== undefined) {
      ops.push({ type: "put", key: numberKey(Prefix.certificate, number), value: encodeCertificate(commit.certificate) });
    }
    if (commit.preStateRoot !== undefined) ops.push({ type: "put", key: numberKey(Prefix.preState, number), value: commit.preStateRoot });
    if (number === 0n) ops.push({ type: "put", key: GENESIS_KEY, value: hash });
    ops.push({ type: "put", key: numberKey(Prefix.number, number), value: hash });
    ops.push({ type: "put", key: HEAD_KEY, value: RLP.encode([bigIntToBytes(number), hash]) });
    await this.kv.write(ops);
    this.currentHead = { number, hash };
    const hashHex = bytesToHex(hash);
    this.blocks.set(hashHex, { block, senders: [...senders] });
    this.hashesByNumber.set(number, hash);
    const stored: StoredReceipt[] = [];
    for (const [index, tx] of block.transactions.entries()) {
      const transactionHash = tx.hash();
      this.locations.set(bytesToHex(transactionHash), { blockNumber: number, blockHash: hash, index });
      const { status, cumulativeGasUsed, gasUsed, effectiveGasPrice, contractAddress, logs } = receipts[index];
      stored.push({ transactionHash, status, cumulativeGasUsed, gasUsed, effectiveGasPrice, contractAddress, logs });
    }
    this.receipts.set(hashHex, stored);
    for (const [key, value] of commit.stateNodes) this.stateNodes.set(key, value);
  }

  /**
   * The chain's instance id: 32 random bytes written the first time it is asked for (right after
   * genesis, by the node) and kept for the life of the data directory. Tools that keep state per
   * chain (Ignition's journal on chain 31337) compare it to tell a restarted node from a new chain.
   */
  async instanceId(): Promise<Uint8Array> {
    const stored = await this.kv.get(INSTANCE_KEY);
    if (stored !== undefined) return stored;
    const id = crypto.getRandomValues(new Uint8Array(32));
    await this.kv.write([{ type: "put", key: INSTANCE_KEY, value: id }]);
    return id;
  }

  /**
   * Removes every block above `height` (headers, bodies, receipts, transaction index entries,
   * certificates, pre-state roots, number index) and makes block `height` the head, in one atomic batch: a crash
   * leaves either the old chain or the truncated one. Returns the removed blocks, newest last.
   */
  async truncate(height: bigint): Promise<StoredBlock[]> {
    const head = this.currentHead;
    if (head === undefined || height < 0n || height > head.number) {
      throw new ChainStoreError(ChainStoreErrorCode.InvalidTruncation, `cannot truncate to ${height}: the head is ${head?.number ?? "none"}`);
    }
    const newHeadHash = await this.kv.get(numberKey(Prefix.number, height));
    if (newHeadHash === undefined) throw new ChainStoreError(ChainStoreErrorCode.InvalidTruncation, `block ${height} is missing from the number index`);
    const removed: StoredBlock[] = [];
    const ops: KeyValueOperation[] = [];
    for (let number = height + 1n; number <= head.number; number++) {
      const stored = await this.getBlockByNumber(number);
      if (stored === undefined) throw new ChainStoreError(ChainStoreErrorCode.InvalidTruncation, `block ${number} is missing below the head`);
      const hash = stored.block.hash();
      removed.push(stored);
      for (const tx of stored.block.transactions) ops.push({ type: "del", key: prefixed(Prefix.transaction, tx.hash()) });
      ops.push({ type: "del", key: prefixed(Prefix.header, hash) });
      ops.push({ type: "del", key: prefixed(Prefix.body, hash) });
      ops.push({ type: "del", key: prefixed(Prefix.receipts, hash) });
      ops.push({ type: "del", key: numberKey(Prefix.certificate, number) });
      ops.push({ type: "del", key: numberKey(Prefix.preState, number) });
      ops.push({ type: "del", key: numberKey(Prefix.number, number) });
    }
    ops.push({ type: "put", key: HEAD_KEY, value: RLP.encode([bigIntToBytes(height), newHeadHash]) });
    await this.kv.write(ops);
    this.currentHead = { number: height, hash: newHeadHash };
    for (const { block } of removed) {
      const key = bytesToHex(block.hash());
      this.blocks.delete(key);
      this.headers.delete(key);
      this.receipts.delete(key);
      this.hashesByNumber.delete(block.header.number);
      for (const tx of block.transactions) this.locations.delete(bytesToHex(tx.hash()));
    }
    return removed;
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}

function prefixed(prefix: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = prefix;
  out.set(key, 1);
  return out;
}

function stateKey(hexKey: string): Uint8Array {
  const out = new Uint8Array(1 + hexKey.length / 2);
  out[0] = Prefix.state;
  out.set(Buffer.from(hexKey, "hex"), 1);
  return out;
}

/** The key of the number -> hash index entry (exported for crash tests that inspect the raw store). */
export function blockNumberKey(number: bigint): Uint8Array {
  return numberKey(Prefix.number, number);
}

function numberKey(prefix: number, number: bigint): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = prefix;
  new DataView(out.buffer).setBigUint64(1, number);
  return out;
}

function encodeReceipts(block: Block, receipts: readonly ExecutedReceipt[]): Uint8Array {
  return RLP.encode(
    receipts.map((r, i) => [
      block.transactions[i].hash(),
      bigIntToBytes(BigInt(r.status)),
      bigIntToBytes(r.cumulativeGasUsed),
      bigIntToBytes(r.gasUsed),
      bigIntToBytes(r.effectiveGasPrice),
      r.contractAddress ?? new Uint8Array(),
      r.logs as Input,
    ]),
  );
}

function decodeReceipts(raw: Uint8Array): StoredReceipt[] {
  return (RLP.decode(raw) as unknown as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, RawLog[]][]).map(
    ([transactionHash, status, cumulativeGasUsed, gasUsed, effectiveGasPrice, contractAddress, logs]) => ({
      transactionHash,
      status: bytesToBigInt(status) === 1n ? 1 : 0,
      cumulativeGasUsed: bytesToBigInt(cumulativeGasUsed),
      gasUsed: bytesToBigInt(gasUsed),
      effectiveGasPrice: bytesToBigInt(effectiveGasPrice),
      contractAddress: contractAddress.length === 0 ? undefined : contractAddress,
      logs,
    }),
  );
}

function encodeCertificate(certificate: CommitCertificate): Uint8Array {
  return RLP.encode([
    bigIntToBytes(certificate.height),
    bigIntToBytes(BigInt(certificate.round)),
    hexToBytes(certificate.blockHash),
    certificate.signatures.map((s) => [hexToBytes(s.validator), hexToBytes(s.signature)]),
  ]);
}

function decodeCertificate(raw: Uint8Array): CommitCertificate {
  const [height, round, blockHash, signatures] = RLP.decode(raw) as unknown as [Uint8Array, Uint8Array, Uint8Array, Uint8Array[][]];
  return {
    height: bytesToBigInt(height),
    round: Number(bytesToBigInt(round)),
    blockHash: bytesToHex(blockHash) as Hex,
    signatures: signatures.map(([validator, signature]) => ({ validator: bytesToHex(validator) as Hex, signature: bytesToHex(signature) as Hex })),
  };
}
