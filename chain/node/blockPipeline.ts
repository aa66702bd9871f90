/**
 * The block pipeline: what the consensus engine is given (`ConsensusHost`). It builds the head's
 * child from the waiting transactions, re-executes other validators' blocks, reads the validator
 * set (once per epoch), and commits a decided block: one storage batch (block, receipts, indexes,
 * state nodes, certificate, head), then the view's head, then the pool drops what was included,
 * then subscribers get the new head and its logs.
 *
 * Transactions that failed in a build stay in the pool (it cannot tell they will fail again) until
 * the next commit; the pipeline leaves them out of further builds and does not count them as work.
 */
import type { EventEmitter } from "node:events";
import type { Block } from "@ethereumjs/block";
import type { TransactionCache } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import type { ConsensusHost, ProposalOptions, ValidatorSet } from "../consensus/engine.ts";
import type { BlockExecutor, BuiltBlock, ExecutedBlock, SkippedTransaction } from "../execution/blockExecutor.ts";
import type { TransactionFailure } from "../execution/receipts.ts";
import type { StakingState } from "../execution/stakingState.ts";
import type { BackendEvents } from "../rpc/backend.ts";
import { blockLogRecords } from "../rpc/format/records.ts";
import type { ChainStore } from "../storage/chainStore.ts";
import { LruCache } from "../storage/lruCache.ts";
import type { ChainView } from "./chainView.ts";
import type { PoolSlot } from "./poolSlot.ts";
import type { StatePort } from "./statePort.ts";
import type { TransactionPort } from "./transactionPort.ts";
import type { CommitCertificate, Hex } from "../types.ts";

export interface BlockPipelineParts {
  chainId: bigint;
  view: ChainView;
  store: ChainStore;
  executor: BlockExecutor;
  staking: StakingState;
  /** Blocks per epoch (validator set changes); undefined: one set for the whole chain. */
  epochLength: bigint | undefined;
  state: StatePort;
  transactions: TransactionPort;
  pools: PoolSlot;
  /** The gas limit blocks head for; undefined: the parent's. */
  targetGasLimit: bigint | undefined;
  events: EventEmitter<BackendEvents>;
  /** Told about every transaction dropped because a block build refused it (the node logs it). */
  onDropped?: (dropped: SkippedTransaction) => void;
}

const MAX_REMEMBERED_REVERT_BYTES = 4 * 1024;

/** A committed transaction that failed: its block and why. */
export interface CommittedFailure {
  blockNumber: bigint;
  failure: TransactionFailure;
}

export class BlockPipeline implements ConsensusHost {
  readonly chainId: bigint;
  readonly #validatorSets = new Map<bigint, ValidatorSet>();
  /** Pool transactions that failed in a build since the last commit (the pool cannot drop them). */
  readonly #failedSinceCommit = new Set<Hex>();
  /** Why recently dropped transactions were (the last 1,000). */
  readonly #dropped = new LruCache<Hex, string>(1_000);
  /**
   * Why recently committed transactions failed: the last 1,000 whose revert data is at most 4 KiB
   * (a custom error or a reason string), so a flood of cheap reverts with large data holds at most
   * ~4 MB here. Larger ones are traced again when asked.
   */
  readonly #failures = new LruCache<Hex, CommittedFailure>(1_000);

  constructor(private readonly parts: BlockPipelineParts) {
    this.chainId = parts.chainId;
  }

  head(): Block {
    return this.parts.view.head();
  }

  async committedBlock(height: bigint): Promise<{ block: Block; certificate: CommitCertificate } | undefined> {
    const stored = await this.parts.store.getBlockByNumber(height);
    const certificate = await this.parts.store.getCertificate(height);
    return stored === undefined || certificate === undefined ? undefined : { block: stored.block, certificate };
  }

  /** The set that signs the child of `parent`; constant within an epoch, so read once per epoch. */
  async validatorSet(parent: Block): Promise<ValidatorSet> {
    const { staking, epochLength } = this.parts;
    const epoch = epochLength === undefined ? 0n : parent.header.number / epochLength;
    const cached = this.#validatorSets.get(epoch);
    if (cached !== undefined) return cached;
    const active = await staking.activeValidators(parent.header);
    const set: ValidatorSet = {
      validators: active.signers.map((address, i) => ({ address, votingPower: active.stakes[i] })),
      totalVotingPower: active.stakes.reduce((sum, s) => sum + s, 0n),
    };
    this.#validatorSets.clear();
    this.#validatorSets.set(epoch, set);
    return set;
  }

  async buildBlock(parent: Block, options: ProposalOptions): Promise<BuiltBlock> {
    const { executor, state, transactions } = this.parts;
    const failed = this.#failedSinceCommit;
    const candidates = transactions.candidates(state.nextBaseFee(parent), state.blockGasLimit(parent)).filter((candidate) => !failed.has(candidate.hash));
    const buildOptions = state.buildOptions({ ...options, targetGasLimit: this.parts.targetGasLimit });
    // Without candidates the block provably holds nothing: assembled without a VM when nothing runs in it.
    if (candidates.length === 0) return executor.buildEmptyBlock(parent, buildOptions);
    const built = await executor.buildBlock(parent, candidates, buildOptions);
    for (const skipped of built.skipped) {
      if (skipped.reason !== "invalid") continue;
      // It passed admission but cannot run on the chain's state: drop it, so that its hash stops
      // reading as pending, the sender's pending nonce counts back, and a client waiting for it
      // (automine) hears why, instead of the transaction waiting forever.
      if (transactions.drop(skipped.hash)) {
        this.#remember(skipped);
        this.parts.onDropped?.(skipped);
      } else {
        failed.add(skipped.hash);
      }
    }
    return built;
  }

  verifyBlock(parent: Block, block: Block): Promise<ExecutedBlock> {
    this.#reuseKnownSenders(block);
    return this.parts.executor.verifyBlock(parent, block);
  }

  /**
   * A proposed block's transactions usually reached this node's pool first (by gossip), where their
   * senders were already recovered: the same hash is the same signed bytes, so the same sender. The
   * public key goes where ethereumjs caches its own recovery, and re-execution skips the ~0.15 ms
   * secp256k1 recovery per transaction on every validator.
   */
  #reuseKnownSenders(block: Block): void {
    const pool = this.parts.pools.current;
    for (const tx of block.transactions) {
      const cache = tx.cache as TransactionCache;
      if (cache.senderPubKey !== undefined || !Object.isFrozen(tx)) continue;
      const known = (pool.get(bytesToHex(tx.hash()) as Hex)?.tx.cache as TransactionCache | undefined)?.senderPubKey;
      if (known !== undefined) cache.senderPubKey = known;
    }
  }

  async commitBlock(executed: ExecutedBlock, certificate: CommitCertificate): Promise<void> {
    const { store, view, state, pools, events } = this.parts;
    const { stateNodes, preStateRoot } = state.commitContents(executed);
    await store.commitBlock({ ...executed, stateNodes, certificate, preStateRoot });
    const block = executed.block;
    view.advance(block);
    this.#failedSinceCommit.clear();
    await state.blockCommitted(block);
    const included = block.transactions.map((tx) => bytesToHex(tx.hash()) as Hex);
    executed.receipts.forEach(({ failure }, index) => failure !== undefined && this.#rememberFailure(included[index]!, { blockNumber: block.header.number, failure }));
    await pools.current.onBlockCommitted(included, block.header.calcNextBaseFee());
    events.emit("newHead", block);
    for (const { index, lines } of executed.consoleLogs ?? []) events.emit("consoleLog", { source: "transaction", txHash: included[index]!, lines });
    const logs = blockLogRecords(block, await store.getReceipts(block.hash()));
    if (logs.length > 0) events.emit("logs", logs);
  }

  /** Why a transaction was dropped at block build, if it was (recently: the last 1,000 are kept). */
  droppedReason(hash: Hex): string | undefined {
    return this.#dropped.get(hash);
  }

  /**
   * Why a recently committed transaction failed, as its execution here found it (undefined: it
   * succeeded, is older, or its revert data was large). An automined answer explains a failure with
   * it instead of tracing the transaction again on an execution worker (~5 ms warm, ~0.6 s when the
   * worker must start first).
   */
  failureOf(hash: Hex): CommittedFailure | undefined {
    return this.#failures.get(hash);
  }

  #rememberFailure(hash: Hex, committed: CommittedFailure): void {
    if (committed.failure.kind === "revert" && committed.failure.output.length > MAX_REMEMBERED_REVERT_BYTES) return;
    this.#failures.set(hash, committed);
  }

  #remember(skipped: SkippedTransaction): void {
    this.#dropped.set(skipped.hash, skipped.error);
  }

  hasPendingTransactions(): boolean {
    return this.parts.transactions.executableCount() > this.#failedSinceCommit.size;
  }

  onPendingTransactions(listener: () => void): () => void {
    return this.parts.pools.onExecutable(listener);
  }

  burstsInProgress(): number {
    return this.parts.pools.burstsInProgress;
  }

  /** The pool was replaced: what failed in its builds is gone with it. */
  poolReplaced(): void {
    this.#failedSinceCommit.clear();
  }

  /** The chain was cut back to `height` (dev mode's revert): forget what was learnt above it. */
  truncated(height: bigint): void {
    this.#failedSinceCommit.clear();
    // A set is read from state inside its epoch, which the kept blocks still hold up to the new head.
    const { epochLength } = this.parts;
    const kept = epochLength === undefined ? 0n : height / epochLength;
    for (const epoch of [...this.#validatorSets.keys()]) if (epoch > kept) this.#validatorSets.delete(epoch);
  }
}
