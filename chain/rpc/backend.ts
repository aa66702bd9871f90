/**
 * What the JSON-RPC layer needs from a Concord node: the one seam between `chain/rpc/` and the rest.
 *
 * `NodeBackend` (nodeBackend.ts) implements it over storage, execution, the transaction pool and the
 * consensus engine; the RPC layer only formats, validates and routes. Quantities are bigint, hashes
 * and addresses are 0x-prefixed lowercase hex strings at this boundary, byte blobs are Uint8Array.
 *
 * Errors: methods throw `RpcError`s from `chain/rpc/errors.ts` (or subclasses of the pool's and
 * execution's typed errors that carry a JSON-RPC code); anything else becomes -32603.
 */
import type { EventEmitter } from "node:events";
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { EngineStatus } from "../consensus/engine.ts";
import type { AccessListResult, CallOutcome, CallRequest } from "../execution/calls.ts";
import type { CallFrame } from "../execution/tracing/callTracer.ts";
import type { StructLogTrace } from "../execution/tracing/structLogger.ts";
import type { PrestateTrace } from "../execution/tracing/prestateTracer.ts";
import type { TraceConfig } from "../execution/tracing/traceConfig.ts";
import type { BlockTraceEntry } from "../execution/tracing/traceRun.ts";
import type { LogQuery } from "../storage/logQuery.ts";
import type { ConsoleOutput } from "../execution/consoleLog.ts";
import type { CommitCertificate, Hex } from "../types.ts";

// Types the RPC layer shares with the parts that produce them, defined there once.
export type { BlockTraceEntry, CallFrame, CallRequest, CommitCertificate, Hex, PrestateTrace, StructLogTrace, TraceConfig };

/** What eth_call answers: the outcome without the refund detail estimation uses. */
export type CallResult = Omit<CallOutcome, "gasRefund">;

/** A block tag as JSON-RPC clients send it, already resolved by the RPC layer where it can be. */
export type BlockTag = bigint | "latest" | "pending" | "earliest" | "safe" | "finalized";

/** eth_getProof's answer before formatting: proofs are the RLP trie nodes from the root down. */
export interface AccountProof {
  balance: bigint;
  nonce: bigint;
  codeHash: Hex;
  storageHash: Hex;
  accountProof: Hex[];
  storageProof: { slot: Hex; value: bigint; proof: Hex[] }[];
}

/** A log as stored and served (eth_getLogs, receipts, subscriptions). */
export interface LogRecord {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: number;
  /** Index of the log within the block. */
  logIndex: number;
  removed: false;
}

/** A transaction receipt as stored by the node after commit. */
export interface ReceiptRecord {
  transactionHash: Hex;
  transactionIndex: number;
  blockHash: Hex;
  blockNumber: bigint;
  from: Hex;
  to: Hex | null;
  contractAddress: Hex | null;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** 1 success, 0 reverted. */
  status: 0 | 1;
  type: number;
  logs: LogRecord[];
  logsBloom: Hex;
}

/** A committed transaction with where it sits. `sender` was recovered once, when the tx entered. */
export interface LocatedTransaction {
  tx: TypedTransaction;
  sender: Hex;
  blockHash: Hex | null;
  blockNumber: bigint | null;
  transactionIndex: number | null;
}

/** An eth_getLogs / filter query: storage's log query, or one block by hash. */
export interface LogFilter extends LogQuery {
  /** When set, only this block (eth_getLogs with blockHash). */
  blockHash?: Hex;
}

export interface FeeHistory {
  oldestBlock: bigint;
  baseFeePerGas: bigint[];
  gasUsedRatio: number[];
  reward?: bigint[][];
  baseFeePerBlobGas?: bigint[];
  blobGasUsedRatio?: number[];
}

export interface ValidatorInfo {
  address: Hex;
  votingPower: bigint;
  stake: bigint;
  jailed: boolean;
  proposerPriority?: bigint;
}

/** concord_status: the engine's own status and the node's peer count. */
export interface ConsensusStatus extends EngineStatus {
  peers: number;
}

/** Events the node emits after each commit and pool admission; the RPC layer fans them out. */
export interface BackendEvents {
  /** A block was committed (final). Emitted once per block, in order. */
  newHead: [block: Block];
  /** Logs of a committed block, in order. */
  logs: [logs: LogRecord[]];
  /** A transaction entered the pending pool. */
  pendingTransaction: [hash: Hex];
  /** Solidity console.log output of a committed transaction or a call (when the node collects it). */
  consoleLog: [output: ConsoleOutput];
}

export interface RpcBackend {
  readonly chainId: bigint;
  readonly clientVersion: string;
  /** Dev accounts the node signs for (eth_accounts / eth_sendTransaction / eth_sign), by address. */
  readonly devAccounts: ReadonlyMap<Hex, Uint8Array>;
  readonly events: EventEmitter<BackendEvents>;
  /** The validator address this node proposes blocks with (eth_coinbase, eth_mining); unset on a non-validator. */
  readonly coinbase?: Hex;

  // --- chain data ---
  latestBlockNumber(): bigint;
  getBlockByNumber(number: bigint): Promise<Block | undefined>;
  getBlockByHash(hash: Hex): Promise<Block | undefined>;
  getBlockReceipts(blockHash: Hex): Promise<ReceiptRecord[] | undefined>;
  getTransaction(hash: Hex): Promise<LocatedTransaction | undefined>;
  getReceipt(hash: Hex): Promise<ReceiptRecord | undefined>;
  getLogs(filter: LogFilter): Promise<LogRecord[]>;

  // --- state at a committed block; "pending" reads the latest block, except getTransactionCount,
  // which counts the sender's transactions waiting in the pool too (what wallets need for the next nonce) ---
  getBalance(address: Hex, block: BlockTag): Promise<bigint>;
  getTransactionCount(address: Hex, block: BlockTag): Promise<bigint>;
  getCode(address: Hex, block: BlockTag): Promise<Uint8Array>;
  getStorageAt(address: Hex, slot: Hex, block: BlockTag): Promise<Hex>;
  /** EIP-1186: the account and the given storage slots (32-byte hex) with their Merkle proofs. */
  getProof(address: Hex, slots: Hex[], block: BlockTag): Promise<AccountProof>;

  // --- execution without commit ---
  call(request: CallRequest, block: BlockTag): Promise<CallResult>;
  /**
   * Gas the request needs to succeed. When it fails at any gas, throws `ExecutionRevertedError`
   * (chain/rpc/errors.ts) with the revert data, so clients decode the reason as they do for eth_call.
   */
  estimateGas(request: CallRequest, block: BlockTag): Promise<bigint>;
  /** A `CallFrame` for "callTracer", a `StructLogTrace` for "structLogs", a `PrestateTrace` for "prestateTracer". */
  traceTransaction(hash: Hex, config: TraceConfig): Promise<unknown>;
  /** Every transaction of a committed block, traced in order; undefined for an unknown block. */
  traceBlock(blockHash: Hex, config: TraceConfig): Promise<BlockTraceEntry[] | undefined>;
  /** eth_createAccessList: the slots and addresses the call touches, and its gas with them declared. */
  createAccessList(request: CallRequest, block: BlockTag): Promise<AccessListResult>;
  /** The call as eth_call runs it (same block context and state override), traced. */
  traceCall(request: CallRequest, block: BlockTag, config: TraceConfig): Promise<unknown>;

  // --- fees ---
  /** Base fee the next block will have. */
  nextBaseFee(): bigint;
  /** eth_blobBaseFee: the next block's price per unit of blob gas. */
  nextBlobBaseFee(): bigint;
  suggestedPriorityFee(): bigint;
  feeHistory(blockCount: number, newest: BlockTag, rewardPercentiles: number[]): Promise<FeeHistory>;

  // --- transactions ---
  /** Decode, validate and admit to the pool; resolves with the hash. Throws typed pool errors. */
  /**
   * A client's burst of submissions (a JSON-RPC batch) starts; call the result when all of it was
   * admitted. Blocks wait for it (briefly) so that the burst shares them. Optional.
   */
  beginBurst?(): () => void;
  /** `onAdmitted`: called once the pool took it, before any wait for its block (TransactionPort.submit). */
  sendRawTransaction(raw: Uint8Array, onAdmitted?: () => void): Promise<Hex>;
  /** Pending transactions grouped as txpool_content does. */
  txpoolContent(): { pending: Map<Hex, TypedTransaction[]>; queued: Map<Hex, TypedTransaction[]> };

  // --- concord_ namespace ---
  consensusStatus(): ConsensusStatus;
  validators(block: BlockTag): Promise<ValidatorInfo[]>;
  commitCertificate(number: bigint): Promise<CommitCertificate | undefined>;
  peers(): { id: string; address: string }[];
  /**
   * evm_mine on a network of validators: `count` blocks, one after another, each started at once (even
   * empty) and resolved once committed by agreement. Absent where the engine cannot start heights on
   * request; a single-validator devnet mines through dev mode instead.
   */
  requestBlocks?(count: number): Promise<void>;
}
