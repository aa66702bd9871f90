/**
 * Execution's one port: `buildBlock(parent, txs)` for the proposer and `verifyBlock(parent, block)`
 * for every other node. Both run the same block procedure and return the same data (block, senders,
 * receipts, the trie nodes to store); consensus treats them as values and never sees the VM.
 *
 * Why not ethereumjs' BlockBuilder / runBlock:
 * - `BlockBuilder.addTransaction` re-creates every transaction already added on each call (O(n^2)),
 *   and re-creating a transaction drops its cached sender, so each is recovered again;
 * - `runBlock` has no way to skip a failing transaction while building, and its errors are strings.
 * Here transactions run through `runTx` one by one against a header that carries the block context,
 * the block is assembled once at the end around the same transaction objects (senders recovered once,
 * on pool entry or on the first check here), the whole block runs inside ONE journal checkpoint so the
 * state trie is written once per block, and every rejection is a typed `BlockVerificationError`.
 *
 * Per block: prologue (EIP-4788 / EIP-2935 when their contracts exist), Concord's system calls (the
 * staking contract's epoch change), transactions, EIP-7685 requests, then the roots.
 */
import { createHash } from "node:crypto";
import { Block, genRequestsRoot, type BlockHeader } from "@ethereumjs/block";
import { Capability, TransactionType, type TypedTransaction } from "@ethereumjs/tx";
import { CLRequest, CLRequestType, KECCAK256_NULL, bytesToHex, createAccountFromRLP, equalsBytes, type Account, type Address } from "@ethereumjs/util";
import { Bloom, runTx, type RunTxResult } from "@ethereumjs/vm";
import type { Common } from "@ethereumjs/common";
import { ConsoleCapture } from "./consoleLog.ts";
import { BlockVerificationError, BlockVerificationErrorCode as Code, SystemCallError } from "./errors.ts";
import { childHeaderFields, contextHeader, validateChildHeader, type NextHeaderOptions } from "./header.ts";
import { openExecutionState, openStateReader, type BlockHashSource, type ExecutionState } from "./executionState.ts";
import { orderedTrieRoot } from "./patches/orderedTrie.ts";
import { AccountElement } from "./patches/stateCaches.ts";
import { encodeTransaction } from "./patches/transactionEncoding.ts";
import { hasBoundSender } from "./boundSender.ts";
import { receiptsRoot, toExecutedReceipt, type ExecutedReceipt, type RawLog } from "./receipts.ts";
import { collectRequests, hasProtocolContracts, runBlockPrologue, runSystemCall, type SystemCall } from "./systemCalls.ts";
import type { StateNodeSource } from "./stateNodeDb.ts";
import type { Hex } from "../types.ts";

/** A transaction with its sender, recovered once when it entered the pool. */
export interface PendingTransaction {
  tx: TypedTransaction;
  sender: Hex;
}

/** The outcome of executing a block: what storage commits and what the RPC layer serves. */
export interface ExecutedBlock {
  block: Block;
  /** Sender of each transaction, in block order (lowercase hex). */
  senders: Hex[];
  receipts: ExecutedReceipt[];
  /** Trie nodes and code the block created, keyed by unprefixed hex; committed with the block. */
  stateNodes: ReadonlyMap<string, Uint8Array>;
  /** Logs emitted by the block's system calls (not part of any receipt). */
  systemLogs: RawLog[];
  /** Solidity console.log lines per transaction (by index), when the executor collects them. */
  consoleLogs?: { index: number; lines: string[] }[];
}

export type SkipReason = "invalid" | "blockFull";

export interface SkippedTransaction {
  hash: Hex;
  sender: Hex;
  /** `invalid`: cannot run on this state (nonce, balance, fee...); `blockFull`: did not fit the gas left. */
  reason: SkipReason;
  error: string;
}

export interface BuiltBlock extends ExecutedBlock {
  skipped: SkippedTransaction[];
}

export interface BuildBlockOptions extends NextHeaderOptions {
  /**
   * The state to build on instead of the parent's: a single-validator devnet's pending state
   * changes (hardhat_setBalance...) become part of the next block this way. The trie nodes behind it
   * must be readable through the executor's `stateNodes` and committed with the block.
   */
  preStateRoot?: Uint8Array;
}

/** The system calls a block must make, derived from its header alone so every node derives the same. */
export type SystemCallPolicy = (header: BlockHeader) => SystemCall[];

export interface BlockExecutorOptions {
  common: Common;
  stateNodes: StateNodeSource;
  blockHashes: BlockHashSource;
  systemCalls?: SystemCallPolicy;
  /** Let the event loop run every this many transactions (RPC, timers, p2p). Default 64. */
  yieldEvery?: number;
  /** Collect each transaction's Solidity console.log lines (consoleLog.ts) into the executed block. */
  consoleLog?: boolean;
}

const MIN_TX_GAS = 21_000n;

/**
 * A warm state is dropped once its caches took in this many accounts and storage slots: they never
 * evict (an evicted dirty entry would be lost), so they are bounded by starting over.
 */
const WARM_STATE_MAX_ENTRIES = 200_000;

/** The state a finished block left behind, kept for the block built or verified on top of it. */
interface WarmState {
  root: Uint8Array;
  state: ExecutionState;
}

export class BlockExecutor {
  readonly common: Common;
  private readonly yieldEvery: number;
  private warm: WarmState | undefined;
  /** How often a block ran on the state its parent left behind, and how often on a fresh one. */
  readonly stateReuse = { warm: 0, fresh: 0 };

  /** Whether blocks run here collect their transactions' console.log lines. */
  get collectsConsoleLog(): boolean {
    return this.options.consoleLog === true;
  }

  constructor(private readonly options: BlockExecutorOptions) {
    this.common = options.common;
    this.yieldEvery = options.yieldEvery ?? 64;
  }

  /** Opens a VM on the state at `stateRoot` (for calls, traces and genesis-time reads). */
  openState(stateRoot: Uint8Array): Promise<ExecutionState> {
    return openExecutionState(this.common, this.options.stateNodes, this.options.blockHashes, stateRoot);
  }

  /**
   * The account at `stateRoot` when the state the last finished block left behind is at that root,
   * is not in use by a run, and has the account cached: `{ account }` (undefined: no such account).
   * Otherwise undefined, and the caller reads the trie. This spares the pool's admission checks
   * (nonce, balance at the head) a trie walk per sender after every block.
   *
   * Only a cache hit is used, synchronously: a miss would read the trie and put the result into the
   * cache, which a block run could have taken over by the time the read returned.
   */
  cachedAccount(stateRoot: Uint8Array, address: Address): { account: Account | undefined } | undefined {
    const warm = this.warm;
    if (warm === undefined || !equalsBytes(warm.root, stateRoot)) return undefined;
    const element = warm.state.caches.account?.get(address);
    if (element === undefined) return undefined;
    if (element instanceof AccountElement) return { account: element.account() };
    return { account: element.accountRLP === undefined ? undefined : createAccountFromRLP(element.accountRLP) };
  }

  /**
   * The state to run a block on: the one the last finished block left behind when the new block
   * sits on its root, otherwise a fresh one.
   *
   * A fresh state starts with empty account and storage caches, so every sender, contract and slot
   * a block touches is read back from the trie and decoded again, block after block. A state is
   * defined by its root (the trie is content-addressed), so the caches of a state whose root is the
   * parent's hold exactly the parent's values, however that block ended (committed, rejected,
   * dropped by a snapshot revert): a root mismatch is the only reason not to reuse it. The state
   * is handed out once (never shared by two runs) and comes back only from a run that finished.
   */
  private async takeState(stateRoot: Uint8Array): Promise<ExecutionState> {
    const warm = this.warm;
    this.warm = undefined;
    if (warm !== undefined && equalsBytes(warm.root, stateRoot)) {
      warm.state.db.beginBlock();
      this.stateReuse.warm++;
      return warm.state;
    }
    this.stateReuse.fresh++;
    return this.openState(stateRoot);
  }

  private keepState(root: Uint8Array, state: ExecutionState): void {
    const { account, storage } = state.caches;
    const entries = (account?.stats(false).writes ?? 0) + (storage?.stats(false).writes ?? 0);
    this.warm = entries > WARM_STATE_MAX_ENTRIES ? undefined : { root, state };
  }

  /**
   * Builds the child of `parent` from `candidates` (best first, nonce-ordered per sender). A candidate
   * that cannot run is skipped and reported; building stops when no transaction can fit any more.
   */
  async buildBlock(parent: Block, candidates: Iterable<PendingTransaction>, options: BuildBlockOptions): Promise<BuiltBlock> {
    const fields = childHeaderFields(parent.header, options, this.common);
    const context = new Block(contextHeader(fields, this.common), [], [], [], { common: this.common });
    const run = await BlockRun.start(this, await this.takeState(options.preStateRoot ?? parent.header.stateRoot), context);
    const included: TypedTransaction[] = [];
    const senders: Hex[] = [];
    const skipped: SkippedTransaction[] = [];
    for (const { tx, sender } of candidates) {
      if (context.header.gasLimit - run.gasUsed < MIN_TX_GAS) break;
      const reject = admissionError(tx, context.header);
      if (reject !== undefined) {
        skipped.push({ hash: bytesToHex(tx.hash()) as Hex, sender, reason: "invalid", error: reject });
        continue;
      }
      if (tx.gasLimit > context.header.gasLimit - run.gasUsed) {
        skipped.push({ hash: bytesToHex(tx.hash()) as Hex, sender, reason: "blockFull", error: "gas limit above the gas left in the block" });
        continue;
      }
      try {
        await run.runTransaction(tx);
      } catch (error) {
        skipped.push({ hash: bytesToHex(tx.hash()) as Hex, sender, reason: "invalid", error: errorText(error) });
        continue;
      }
      included.push(tx);
      senders.push(sender);
      if (included.length % this.yieldEvery === 0) await yieldToEventLoop();
    }
    const outcome = await run.finish(included);
    this.keepState(outcome.stateRoot, run.state);
    const header = contextHeader(
      {
        ...fields,
        stateRoot: outcome.stateRoot,
        transactionsTrie: transactionsRoot(included),
        receiptTrie: outcome.receiptsRoot,
        logsBloom: outcome.logsBloom,
        gasUsed: run.gasUsed,
        requestsHash: outcome.requestsHash,
      },
      this.common,
    );
    const block = new Block(header, included, [], [], { common: this.common });
    return { block, senders, receipts: outcome.receipts, stateNodes: outcome.stateNodes, systemLogs: run.systemLogs, consoleLogs: run.consoleLogs, skipped };
  }

  /**
   * The child of `parent` without transactions. When that block provably changes nothing (no
   * system call for its header, none of the prologue / request contracts deployed) it is assembled
   * without a VM: the same block `buildBlock(parent, [], options)` returns, at a fraction of the
   * cost (a dev chain's hardhat_mine makes hundreds of them in one call). Otherwise `buildBlock`.
   */
  async buildEmptyBlock(parent: Block, options: BuildBlockOptions): Promise<BuiltBlock> {
    const preStateRoot = options.preStateRoot ?? parent.header.stateRoot;
    const noRequests = [CLRequestType.Deposit, CLRequestType.Withdrawal, CLRequestType.Consolidation].map((type) => new CLRequest(type, new Uint8Array()));
    // One header only (each copies Common, ~0.3 ms): the system-call policy reads its number alone.
    const header = contextHeader(
      {
        ...childHeaderFields(parent.header, options, this.common),
        stateRoot: preStateRoot,
        transactionsTrie: transactionsRoot([]),
        receiptTrie: receiptsRoot([], []),
        logsBloom: new Bloom(undefined, this.common).bitvector,
        gasUsed: 0n,
        requestsHash: requestsHash(noRequests, this.common.customCrypto.sha256 ?? sha256),
      },
      this.common,
    );
    if (this.systemCallsFor(header).length > 0 || (await this.hasProtocolContracts(preStateRoot))) {
      return this.buildBlock(parent, [], options);
    }
    const block = new Block(header, [], [], [], { common: this.common });
    return { block, senders: [], receipts: [], stateNodes: new Map(), systemLogs: [], skipped: [] };
  }

  /** Remembered for the last state root asked: consecutive empty blocks share it. */
  private protocolContractsAt: { root: Uint8Array; present: boolean } | undefined;

  private async hasProtocolContracts(stateRoot: Uint8Array): Promise<boolean> {
    const known = this.protocolContractsAt;
    if (known !== undefined && equalsBytes(known.root, stateRoot)) return known.present;
    const present = await hasProtocolContracts(openStateReader(this.common, this.options.stateNodes, stateRoot));
    this.protocolContractsAt = { root: stateRoot, present };
    return present;
  }

  /**
   * Re-executes `block` on `parent`'s state and checks every header commitment. Throws a
   * `BlockVerificationError` for anything that must not be committed.
   */
  async verifyBlock(parent: Block, block: Block): Promise<ExecutedBlock> {
    const { header } = block;
    validateChildHeader(parent.header, block, this.common);
    const txRoot = transactionsRoot(block.transactions);
    if (!equalsBytes(txRoot, header.transactionsTrie)) {
      throw new BlockVerificationError(Code.InvalidTransactionsRoot, "transactions root does not match the transactions", {
        expected: bytesToHex(header.transactionsTrie),
        actual: bytesToHex(txRoot),
      });
    }
    const senders = block.transactions.map((tx, index) => recoverSender(tx, index));
    const run = await BlockRun.start(this, await this.takeState(parent.header.stateRoot), block);
    for (const [index, tx] of block.transactions.entries()) {
      const reject = admissionError(tx, header);
      if (reject !== undefined) {
        throw new BlockVerificationError(Code.InvalidTransaction, reject, { transactionIndex: index });
      }
      if (tx.gasLimit > header.gasLimit - run.gasUsed) {
        throw new BlockVerificationError(Code.TransactionFailed, "transaction gas limit above the gas left in the block", {
          transactionIndex: index,
          expected: `<= ${header.gasLimit - run.gasUsed}`,
          actual: tx.gasLimit.toString(),
        });
      }
      try {
        await run.runTransaction(tx);
      } catch (error) {
        throw new BlockVerificationError(Code.TransactionFailed, `transaction ${index} cannot be executed: ${errorText(error)}`, { transactionIndex: index }, { cause: error });
      }
      if ((index + 1) % this.yieldEvery === 0) await yieldToEventLoop();
    }
    const outcome = await run.finish(block.transactions);
    this.keepState(outcome.stateRoot, run.state);
    compare(Code.GasUsedMismatch, "gas used", header.gasUsed.toString(), run.gasUsed.toString());
    compare(Code.ReceiptsRootMismatch, "receipts root", bytesToHex(header.receiptTrie), bytesToHex(outcome.receiptsRoot));
    compare(Code.LogsBloomMismatch, "logs bloom", bytesToHex(header.logsBloom), bytesToHex(outcome.logsBloom));
    compare(Code.RequestsHashMismatch, "requests hash", bytesToHex(header.requestsHash ?? new Uint8Array()), bytesToHex(outcome.requestsHash));
    compare(Code.StateRootMismatch, "state root", bytesToHex(header.stateRoot), bytesToHex(outcome.stateRoot));
    return { block, senders, receipts: outcome.receipts, stateNodes: outcome.stateNodes, systemLogs: run.systemLogs, consoleLogs: run.consoleLogs };
  }

  /** The system calls `header`'s block makes (the policy given at construction). */
  systemCallsFor(header: BlockHeader): SystemCall[] {
    return this.options.systemCalls?.(header) ?? [];
  }
}

interface RunOutcome {
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  requestsHash: Uint8Array;
  receipts: ExecutedReceipt[];
  stateNodes: ReadonlyMap<string, Uint8Array>;
}

/**
 * One block's execution in progress: a VM on the parent state inside one open checkpoint. Also used
 * by the tracer to replay a block up to a transaction.
 */
export class BlockRun {
  gasUsed = 0n;
  /** Cumulative gas as receipts count it (after refunds). */
  private receiptGasUsed = 0n;
  readonly results: RunTxResult[] = [];
  readonly systemLogs: RawLog[] = [];
  /** Console.log lines of the transactions run so far (by index), when collected. */
  readonly consoleLogs: { index: number; lines: string[] }[] | undefined;

  private constructor(
    readonly state: ExecutionState,
    readonly context: Block,
    captureConsole: boolean,
  ) {
    this.consoleLogs = captureConsole ? [] : undefined;
  }

  /** `parentState`: a state at the parent's root (or a dev chain's pending root), see `openState`. */
  static async start(executor: BlockExecutor, parentState: ExecutionState, context: Block): Promise<BlockRun> {
    const state = parentState;
    const run = new BlockRun(state, context, executor.collectsConsoleLog);
    await state.vm.evm.journal.checkpoint();
    await runBlockPrologue(state.vm, context);
    for (const call of executor.systemCallsFor(context.header)) {
      const { execResult, logs } = await runSystemCall(state.vm, call, context);
      if (execResult.exceptionError !== undefined) {
        throw new BlockVerificationError(
          Code.SystemCallFailed,
          new SystemCallError(call.to.toString(), bytesToHex(call.data.subarray(0, 4)), execResult.returnValue, execResult.exceptionError.error).message,
        );
      }
      run.systemLogs.push(...logs);
    }
    return run;
  }

  get vm() {
    return this.state.vm;
  }

  async runTransaction(tx: TypedTransaction): Promise<RunTxResult> {
    const lifted = hasBoundSender(tx) ? await liftEip3607Once(this.state, tx.getSenderAddress()) : undefined;
    const capture = this.consoleLogs === undefined ? undefined : new ConsoleCapture();
    capture?.attach(this.state.vm.evm.events!);
    let result: RunTxResult;
    try {
      result = await runTx(this.state.vm, {
        tx,
        block: this.context,
        blockGasUsed: this.receiptGasUsed,
        skipHardForkValidation: true,
      });
    } finally {
      lifted?.();
      capture?.detach(this.state.vm.evm.events!);
    }
    if (capture !== undefined && capture.lines.length > 0) this.consoleLogs!.push({ index: this.results.length, lines: capture.lines });
    this.gasUsed += result.blockGasSpent;
    this.receiptGasUsed += result.totalGasSpent;
    this.results.push(result);
    return result;
  }

  /** Where the run's accounting stands, to `rewind` to after a transaction was rolled back (tracing). */
  mark(): { gasUsed: bigint; receiptGasUsed: bigint; results: number } {
    return { gasUsed: this.gasUsed, receiptGasUsed: this.receiptGasUsed, results: this.results.length };
  }

  rewind(mark: { gasUsed: bigint; receiptGasUsed: bigint; results: number }): void {
    this.gasUsed = mark.gasUsed;
    this.receiptGasUsed = mark.receiptGasUsed;
    this.results.length = mark.results;
    while (this.consoleLogs !== undefined && (this.consoleLogs.at(-1)?.index ?? -1) >= mark.results) this.consoleLogs.pop();
  }

  async finish(transactions: readonly TypedTransaction[]): Promise<RunOutcome> {
    const { vm, stateManager, db } = this.state;
    const requests = await collectRequests(vm, this.context);
    await vm.evm.journal.commit();
    const stateRoot = await stateManager.getStateRoot();
    const bloom = new Bloom(undefined, vm.common);
    for (const result of this.results) bloom.or(result.bloom);
    const baseFee = this.context.header.baseFeePerGas ?? 0n;
    return {
      stateRoot,
      receiptsRoot: receiptsRoot(transactions, this.results),
      logsBloom: bloom.bitvector,
      requestsHash: requestsHash(requests, vm.common.customCrypto.sha256 ?? sha256),
      receipts: this.results.map((result, i) => toExecutedReceipt(transactions[i], result, baseFee)),
      stateNodes: db.writes(),
    };
  }
}

/** Why `tx` can never be in a block with `header`, regardless of state; undefined when it can. */
export function admissionError(tx: TypedTransaction, header: BlockHeader): string | undefined {
  if (tx.type === TransactionType.BlobEIP4844) return "blob transactions are not supported (no blob sidecars on Concord)";
  const errors = tx.getValidationErrors();
  if (errors.length > 0) return errors.join(", ");
  const baseFee = header.baseFeePerGas ?? 0n;
  const feeCap = tx.supports(Capability.EIP1559FeeMarket)
    ? (tx as TypedTransaction & { maxFeePerGas: bigint }).maxFeePerGas
    : (tx as TypedTransaction & { gasPrice: bigint }).gasPrice;
  if (feeCap < baseFee) return `max fee per gas ${feeCap} below the block's base fee ${baseFee}`;
  return undefined;
}

function recoverSender(tx: TypedTransaction, index: number): Hex {
  try {
    if (!tx.isSigned()) throw new Error("unsigned");
    return tx.getSenderAddress().toString() as Hex;
  } catch (error) {
    throw new BlockVerificationError(Code.InvalidSignature, `transaction ${index} has an invalid signature`, { transactionIndex: index }, { cause: error });
  }
}

function transactionsRoot(transactions: readonly TypedTransaction[]): Uint8Array {
  return orderedTrieRoot(transactions.map(encodeTransaction));
}

function compare(code: Code, what: string, expected: string, actual: string): void {
  if (expected !== actual) {
    throw new BlockVerificationError(code, `${what} mismatch: header says ${expected}, execution gives ${actual}`, { expected, actual });
  }
}


function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** EIP-7685's hash of no requests: SHA-256 of nothing. */
let emptyRequestsHash: Uint8Array | undefined;

/**
 * EIP-7685's requests hash. A request list without content (every Concord block unless the request
 * contracts are deployed) hashes to a constant: computed once, not with a hash object per block.
 */
function requestsHash(requests: CLRequest<CLRequestType>[], hash: (data: Uint8Array) => Uint8Array): Uint8Array {
  if (requests.some((request) => request.bytes.length > 1)) return genRequestsRoot(requests, hash);
  emptyRequestsHash ??= genRequestsRoot([], hash);
  return emptyRequestsHash.slice();
}

function sha256(data: Uint8Array): Uint8Array {
  return createHash("sha256").update(data).digest();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}


/** The first three bytes of an EIP-7702 delegation (code 0xef0100 ‖ address). */
const DELEGATION_PREFIX = new Uint8Array([0xef, 0x01, 0x00]);

/**
 * Lets a bound-sender transaction (dev mode's impersonation, boundSender.ts) pass runTx's EIP-3607
 * check when its sender holds code. ethereumjs has no switch for it: its check reads the sender's
 * code once, before anything runs, and lets a 7702-delegated sender through; so that one read is
 * answered as a delegation, and every later read (a call back into the sender, as a Timelock calling
 * itself) sees the real code. Returns the undo, or undefined when the sender has no code.
 */
async function liftEip3607Once(state: ExecutionState, sender: Address): Promise<(() => void) | undefined> {
  const account = await state.stateManager.getAccount(sender);
  if (account === undefined || equalsBytes(account.codeHash, KECCAK256_NULL)) return undefined;
  const manager = state.vm.stateManager as { getCode(address: Address): Promise<Uint8Array> };
  const original = manager.getCode;
  const restore = () => {
    if (manager.getCode !== original) manager.getCode = original;
  };
  manager.getCode = async function (this: unknown, address: Address) {
    if (!address.equals(sender)) return original.call(this, address);
    restore();
    const code = await original.call(this, address);
    // Already delegated: the check passes on its own.
    return equalsBytes(code.subarray(0, 3), DELEGATION_PREFIX) ? code : new Uint8Array([...DELEGATION_PREFIX, ...new Uint8Array(20)]);
  };
  return restore;
}
