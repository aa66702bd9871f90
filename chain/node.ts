/**
 * A Concord node: the one place where the parts are built, in dependency order
 *   storage -> execution -> txpool -> consensus -> rpc
 * from one validated `NodeOptions`, and where they are torn down in reverse. It also implements
 * `RpcBackend`, the RPC layer's only view of the node.
 *
 * Data flow: eth_sendRawTransaction -> pool ('pending') -> engine builds on the head -> commit:
 * one storage batch (block, receipts, indexes, state nodes, certificate, head), then the pool
 * drops what was included, then subscribers get the new head and its logs.
 *
 * Dev mode (`devMode: true`, single-validator devnets only): the Hardhat / Anvil development methods
 * (snapshots, time, state overrides, impersonation, automine) live in chain/dev/ (`DevChain`); this
 * file only calls its hooks at fixed points of the block cycle and implements `DevHost` for it.
 *
 * Memory: every block executes on a fresh state manager whose caches die with it (ethereumjs'
 * non-evicting `Caches`, so no dirty entry can be evicted before the flush); what persists between
 * blocks is the store's LRU of committed trie nodes, which are content-addressed and never dirty.
 */
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import { Block, type BlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString, createZeroAddress, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { Bloom } from "@ethereumjs/vm";
import { createConcordCommon } from "./execution/common.ts";
import { BlockExecutor, type BuiltBlock, type ExecutedBlock, type PendingTransaction } from "./execution/blockExecutor.ts";
import { CallExecutor, type CallContext } from "./execution/calls.ts";
import { CallError, CallErrorCode } from "./execution/errors.ts";
import { devAccountKeys } from "./execution/devAccounts.ts";
import { createGenesis, type GenesisConfig } from "./execution/genesis.ts";
import { childHeaderFields, contextHeader } from "./execution/header.ts";
import { openStateReader } from "./execution/executionState.ts";
import { installPatches } from "./execution/patches/installPatches.ts";
import { effectiveGasPrice } from "./execution/receipts.ts";
import { feeHistory } from "./execution/feeHistory.ts";
import { StakingState, stakingSystemCalls } from "./execution/stakingState.ts";
import { traceTransaction } from "./execution/tracers.ts";
import { ChainStore, type StoredReceipt } from "./storage/chainStore.ts";
import { LevelKeyValueStore, MemoryKeyValueStore, type KeyValueStore } from "./storage/keyValueStore.ts";
import { findLogs, findLogsInBlock, type FoundLog } from "./storage/logQuery.ts";
import type { CommitCertificate } from "./consensus/commitCertificate.ts";
import type { ConsensusEngine, ConsensusHost, ProposalOptions, ValidatorSet } from "./consensus/engine.ts";
import { LocalSigner } from "./consensus/localSigner.ts";
import { SingleValidatorEngine } from "./consensus/singleValidatorEngine.ts";
import { TxPool, type TxPoolOptions } from "./txpool/index.ts";
import type { StatelessRules } from "./txpool/validateTransaction.ts";
import { DevChain, type DevHost } from "./dev/devChain.ts";
import { bindSender, unfrozenCopy } from "./dev/impersonation.ts";
import type { StateNodeSource } from "./execution/stateNodeDb.ts";
import type {
  BackendEvents,
  BlockTag,
  CallFrame,
  CallRequest,
  CallResult,
  ConsensusStatus,
  FeeHistory,
  Hex,
  LocatedTransaction,
  LogFilter,
  LogRecord,
  ReceiptRecord,
  RpcBackend,
  ValidatorInfo,
} from "./rpc/backend.ts";
import { ExecutionRevertedError, RpcError, RpcErrorCode } from "./rpc/errors.ts";
import { startRpcServer, type RpcServer, type RpcServerOptions } from "./rpc/server.ts";

export const CLIENT_VERSION = `Concord/v0.1.0/node-${process.version}`;
/**
 * web3_clientVersion in dev mode. Hardhat's network helpers (loadFixture, time, impersonation...)
 * refuse any node whose version does not start with "hardhat", "zksync" or "anvil"; a dev-mode node
 * answers the Anvil method set, so it says "anvil". Nothing else in Hardhat, hardhat-ethers or
 * Ignition reads the version (Ignition's Ganache check aside), so the prefix changes nothing else.
 */
export const DEV_CLIENT_VERSION = `anvil-compatible/Concord/v0.1.0/node-${process.version}`;
const ONE_GWEI = 1_000_000_000n;

export interface NodeOptions {
  /** Where the chain is stored (LevelDB); undefined keeps everything in memory (tests). */
  dataDir?: string;
  genesis: GenesisConfig;
  /** This node's validator key (32 bytes). Without one the node follows and serves RPC but does not produce blocks. */
  validatorKey?: Uint8Array;
  /** JSON-RPC endpoint; false: none. */
  rpc?: false | Omit<RpcServerOptions, "port"> & { port: number };
  /** Empty block after this many ms without a block; undefined: blocks only for transactions. */
  heartbeatMs?: number;
  /** Gas limit new blocks head for (moving by at most parent/1024 per block); default: the genesis one. */
  blockGasLimit?: bigint;
  txpool?: Partial<TxPoolOptions>;
  /** How many of the test mnemonic's accounts the node signs for (eth_accounts); default 20. */
  devAccounts?: number;
  /** fsync every committed block (default true). */
  syncWrites?: boolean;
  /** Replaces the single-validator engine (the BFT engine plugs in here). */
  engine?: ConsensusEngine;
  /** Called with errors of background block production. */
  onError?: (error: unknown) => void;
  /**
   * The Hardhat / Anvil development methods (evm_snapshot, evm_increaseTime, hardhat_setBalance,
   * impersonation, automine...; chain/dev/). Only for a single validator with the built-in engine:
   * `concord devnet` and `concord node` set it. Default false: those methods answer an error.
   */
  devMode?: boolean;
}

export class NodeOptionsError extends Error {
  override readonly name = "NodeOptionsError";
  readonly code = "INVALID_NODE_OPTIONS";
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`invalid node option ${option}: ${reason}`);
  }
}

export class NodeStateError extends Error {
  override readonly name = "NodeStateError";
  constructor(
    readonly code: "NOT_STARTED" | "ALREADY_STARTED" | "GENESIS_MISMATCH",
    message: string,
  ) {
    super(message);
  }
}

export function validateNodeOptions(options: NodeOptions): void {
  const fail = (option: string, reason: string) => {
    throw new NodeOptionsError(option, reason);
  };
  if (options.genesis === undefined) fail("genesis", "required");
  if (options.dataDir !== undefined && (typeof options.dataDir !== "string" || options.dataDir.length === 0)) fail("dataDir", "must be a non-empty path");
  if (options.validatorKey !== undefined && options.validatorKey.length !== 32) fail("validatorKey", "must be 32 bytes");
  if (options.heartbeatMs !== undefined && !(Number.isFinite(options.heartbeatMs) && options.heartbeatMs > 0)) fail("heartbeatMs", "must be a positive number");
  if (options.blockGasLimit !== undefined && (options.blockGasLimit < 30_000_000n || options.blockGasLimit >= 2n ** 63n)) {
    fail("blockGasLimit", "must be at least 30000000 and below 2^63");
  }
  if (options.genesis.gasLimit < 30_000_000n) fail("genesis.gasLimit", "must be at least 30000000");
  if (options.devAccounts !== undefined && !(Number.isSafeInteger(options.devAccounts) && options.devAccounts >= 0 && options.devAccounts <= 1000)) {
    fail("devAccounts", "must be an integer in [0, 1000]");
  }
  if (options.rpc !== undefined && options.rpc !== false && !(Number.isSafeInteger(options.rpc.port) && options.rpc.port >= 0 && options.rpc.port < 65536)) {
    fail("rpc.port", "must be an integer in [0, 65535]");
  }
  if (options.devMode === true && (options.validatorKey === undefined || options.engine !== undefined)) {
    fail("devMode", "needs a validatorKey and the built-in single-validator engine (dev methods rewrite history only a lone validator decides)");
  }
  if (options.validatorKey === undefined && options.engine === undefined && options.genesis.staking !== undefined) {
    // A follower without an engine never produces blocks; allowed (it still serves its stored chain).
  }
}

interface Parts {
  common: Common;
  store: ChainStore;
  executor: BlockExecutor;
  calls: CallExecutor;
  staking: StakingState;
  pool: TxPool;
  engine: ConsensusEngine | undefined;
  rpc: RpcServer | undefined;
  epochLength: bigint | undefined;
}

export class ConcordNode implements RpcBackend {
  readonly chainId: bigint;
  readonly clientVersion: string;
  readonly devAccounts: ReadonlyMap<Hex, Uint8Array>;
  readonly events = new EventEmitter<BackendEvents>();
  readonly coinbase?: Hex;

  private parts: Parts | undefined;
  private headBlock: Block | undefined;
  private headReader: ReturnType<typeof openStateReader> | undefined;
  private readonly validatorSets = new Map<bigint, ValidatorSet>();
  /** Pool transactions that failed in a build since the last commit (the pool cannot drop them). */
  private readonly failedSinceCommit = new Set<Hex>();
  /** Dev mode's controls (undefined on a normal node). */
  readonly dev: DevChain | undefined;
  /** Fires when a transaction becomes executable, whichever pool holds it (the pool may be replaced). */
  private readonly pendingEvents = new EventEmitter<{ pending: [hash: Hex] }>();
  private chainInstanceId: Uint8Array | undefined;

  constructor(readonly options: NodeOptions) {
    validateNodeOptions(options);
    this.chainId = options.genesis.chainId;
    this.clientVersion = options.devMode === true ? DEV_CLIENT_VERSION : CLIENT_VERSION;
    this.devAccounts = new Map(devAccountKeys(options.devAccounts ?? 20).map((k) => [k.address, k.privateKey]));
    if (options.validatorKey !== undefined) this.coinbase = new LocalSigner(options.validatorKey, this.chainId).address;
  }

  /** The RPC endpoint, once started (undefined when disabled). */
  get rpc(): RpcServer | undefined {
    return this.parts?.rpc;
  }

  get store(): ChainStore {
    return this.started().store;
  }

  get executor(): BlockExecutor {
    return this.started().executor;
  }

  get pool(): TxPool {
    return this.started().pool;
  }

  get engine(): ConsensusEngine | undefined {
    return this.started().engine;
  }

  async start(): Promise<void> {
    if (this.parts !== undefined) throw new NodeStateError("ALREADY_STARTED", "node already started");
    const { options } = this;
    // Concord's departures from stock ethereumjs, process-wide; throws if one does not fit the library.
    await installPatches();
    const common = await createConcordCommon({ chainId: options.genesis.chainId });

    // storage
    const kv: KeyValueStore = options.dataDir === undefined ? new MemoryKeyValueStore() : await LevelKeyValueStore.open(options.dataDir, { sync: options.syncWrites ?? true });
    const store = await ChainStore.open(kv, common);
    try {
      const genesis = await createGenesis(options.genesis, common);
      const storedGenesis = await store.genesisHash();
      if (storedGenesis === undefined) {
        await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
      } else if (bytesToHex(storedGenesis) !== bytesToHex(genesis.block.hash())) {
        throw new NodeStateError("GENESIS_MISMATCH", `the data directory holds a chain with genesis ${bytesToHex(storedGenesis)}, not ${bytesToHex(genesis.block.hash())}`);
      }
      this.headBlock = (await store.getBlock(store.head()!.hash))!.block;
      this.chainInstanceId = await store.instanceId();
      const dev = options.devMode === true ? new DevChain({ committedState: store }) : undefined;
      (this as { dev: DevChain | undefined }).dev = dev;
      const stateNodes: StateNodeSource = dev?.pendingState ?? store;

      // execution
      let executor = new BlockExecutor({ common, stateNodes, blockHashes: store });
      let staking = new StakingState(executor);
      let epochLength: bigint | undefined;
      if (options.genesis.staking !== undefined) {
        epochLength = (await staking.config(genesis.block.header)).epochLength;
        executor = new BlockExecutor({ common, stateNodes, blockHashes: store, systemCalls: stakingSystemCalls(epochLength) });
        staking = new StakingState(executor);
      }
      const calls = new CallExecutor(executor);

      // txpool
      this.pendingEvents.on("pending", (hash) => this.events.emit("pendingTransaction", hash));
      const pool = this.createPool(common);

      this.parts = { common, store, executor, calls, staking, pool, engine: undefined, rpc: undefined, epochLength };

      // consensus
      const engine =
        options.engine ??
        (options.validatorKey === undefined
          ? undefined
          : new SingleValidatorEngine({
              signer: new LocalSigner(options.validatorKey, this.chainId),
              heartbeatMs: options.heartbeatMs,
              onError: options.onError,
              now: dev === undefined ? undefined : () => dev.nextBlockTime(),
            }));
      if (dev !== undefined && engine instanceof SingleValidatorEngine) dev.attach(this.devHost(), engine);
      if (engine !== undefined) {
        await engine.start(this.consensusHost());
        this.parts.engine = engine;
      }

      // rpc
      if (options.rpc !== undefined && options.rpc !== false) this.parts.rpc = await startRpcServer(this, options.rpc);
    } catch (error) {
      await this.parts?.engine?.stop();
      this.parts = undefined;
      await store.close();
      throw error;
    }
  }

  /** Stops RPC, lets the block in progress finish, and closes the database cleanly. */
  async stop(): Promise<void> {
    const parts = this.parts;
    if (parts === undefined) return;
    await parts.rpc?.close();
    await parts.engine?.stop();
    this.parts = undefined;
    await parts.store.close();
    this.events.removeAllListeners();
  }

  /** Removes a node's data directory (tests and `concord reset`). */
  static wipe(dataDir: string): void {
    rmSync(dataDir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------------ consensus host

  private consensusHost(): ConsensusHost {
    return {
      chainId: this.chainId,
      head: () => this.head(),
      validatorSet: (parent) => this.validatorSet(parent),
      buildBlock: (parent, options) => this.buildBlock(parent, options),
      verifyBlock: (parent, block) => this.started().executor.verifyBlock(parent, block),
      commitBlock: (executed, certificate) => this.commitBlock(executed, certificate),
      hasPendingTransactions: () => this.started().pool.status().pending + (this.dev?.executableCount() ?? 0) > this.failedSinceCommit.size,
      onPendingTransactions: (listener) => {
        this.pendingEvents.on("pending", listener);
        return () => this.pendingEvents.off("pending", listener);
      },
    };
  }

  private head(): Block {
    if (this.headBlock === undefined) throw new NodeStateError("NOT_STARTED", "node not started");
    return this.headBlock;
  }

  /** The set that signs the child of `parent`; constant within an epoch, so read once per epoch. */
  async validatorSet(parent: Block): Promise<ValidatorSet> {
    const { staking, epochLength } = this.started();
    const epoch = epochLength === undefined ? 0n : parent.header.number / epochLength;
    const cached = this.validatorSets.get(epoch);
    if (cached !== undefined) return cached;
    const active = await staking.activeValidators(parent.header);
    const set: ValidatorSet = {
      validators: active.signers.map((address, i) => ({ address, votingPower: active.stakes[i] })),
      totalVotingPower: active.stakes.reduce((sum, s) => sum + s, 0n),
    };
    this.validatorSets.clear();
    this.validatorSets.set(epoch, set);
    return set;
  }

  private async buildBlock(parent: Block, options: ProposalOptions): Promise<BuiltBlock> {
    const { pool, executor } = this.started();
    const dev = this.dev;
    const baseFee = dev?.nextBaseFee() ?? parent.header.calcNextBaseFee();
    const candidates: PendingTransaction[] = pool
      .selectForBlock(baseFee, dev?.blockGasLimit() ?? parent.header.gasLimit)
      .filter((pooled) => !this.failedSinceCommit.has(pooled.hash))
      .map((pooled) => ({ tx: pooled.tx, sender: pooled.sender }));
    const proposal = { ...options, targetGasLimit: this.options.blockGasLimit };
    if (dev !== undefined) candidates.push(...dev.candidates().filter((c) => !this.failedSinceCommit.has(bytesToHex(c.tx.hash()) as Hex)));
    if (dev !== undefined && candidates.length === 0) return executor.buildEmptyBlock(parent, dev.buildOptions(proposal));
    const built = await executor.buildBlock(parent, candidates, dev === undefined ? proposal : dev.buildOptions(proposal));
    for (const skipped of built.skipped) if (skipped.reason === "invalid") this.failedSinceCommit.add(skipped.hash);
    return built;
  }

  private async commitBlock(executed: ExecutedBlock, certificate: CommitCertificate): Promise<void> {
    const { store, pool } = this.started();
    const preStateRoot = this.dev?.pendingState.version.root;
    const stateNodes = this.dev === undefined ? executed.stateNodes : this.dev.stateNodesToCommit(executed);
    await store.commitBlock({ ...executed, stateNodes, certificate, preStateRoot });
    const block = executed.block;
    this.headBlock = block;
    this.headReader = undefined;
    this.failedSinceCommit.clear();
    await this.dev?.onBlockCommitted(block);
    const included = block.transactions.map((tx) => bytesToHex(tx.hash()) as Hex);
    await pool.onBlockCommitted(included, block.header.calcNextBaseFee());
    this.events.emit("newHead", block);
    const logs = this.logRecords(block, await store.getReceipts(block.hash()));
    if (logs.length > 0) this.events.emit("logs", logs);
  }

  // ------------------------------------------------------------------ RpcBackend: chain data

  latestBlockNumber(): bigint {
    return this.head().header.number;
  }

  async getBlockByNumber(number: bigint): Promise<Block | undefined> {
    return (await this.started().store.getBlockByNumber(number))?.block;
  }

  async getBlockByHash(hash: Hex): Promise<Block | undefined> {
    return (await this.started().store.getBlock(hexToBytes(hash)))?.block;
  }

  async getBlockReceipts(blockHash: Hex): Promise<ReceiptRecord[] | undefined> {
    const { store } = this.started();
    const stored = await store.getBlock(hexToBytes(blockHash));
    const receipts = await store.getReceipts(hexToBytes(blockHash));
    if (stored === undefined || receipts === undefined) return undefined;
    return receipts.map((_, index) => this.receiptRecord(stored.block, stored.senders, receipts, index));
  }

  async getTransaction(hash: Hex): Promise<LocatedTransaction | undefined> {
    const { store, pool } = this.started();
    const location = await store.getTransactionLocation(hexToBytes(hash));
    if (location !== undefined) {
      const stored = (await store.getBlock(location.blockHash))!;
      return {
        tx: stored.block.transactions[location.index],
        sender: stored.senders[location.index],
        blockHash: bytesToHex(location.blockHash) as Hex,
        blockNumber: location.blockNumber,
        transactionIndex: location.index,
      };
    }
    const pooled = pool.get(hash) ?? this.dev?.impersonatedTransaction(hash);
    if (pooled === undefined) return undefined;
    return { tx: pooled.tx, sender: pooled.sender, blockHash: null, blockNumber: null, transactionIndex: null };
  }

  async getReceipt(hash: Hex): Promise<ReceiptRecord | undefined> {
    const { store } = this.started();
    const location = await store.getTransactionLocation(hexToBytes(hash));
    if (location === undefined) return undefined;
    const stored = (await store.getBlock(location.blockHash))!;
    const receipts = (await store.getReceipts(location.blockHash))!;
    return this.receiptRecord(stored.block, stored.senders, receipts, location.index);
  }

  async getLogs(filter: LogFilter): Promise<LogRecord[]> {
    const { store } = this.started();
    const found =
      filter.blockHash !== undefined
        ? ((await findLogsInBlock(store, hexToBytes(filter.blockHash), filter)) ?? [])
        : await findLogs(store, filter);
    return found.map(toLogRecord);
  }

  // ------------------------------------------------------------------ RpcBackend: state

  async getBalance(address: Hex, block: BlockTag): Promise<bigint> {
    return (await (await this.stateAt(block)).getAccount(createAddressFromString(address)))?.balance ?? 0n;
  }

  async getTransactionCount(address: Hex, block: BlockTag): Promise<bigint> {
    if (block === "pending") {
      const sender = address.toLowerCase() as Hex;
      const pooled = await this.started().pool.pendingNonce(sender);
      const impersonated = this.dev?.impersonatedPendingNonce(sender);
      return impersonated !== undefined && impersonated > pooled ? impersonated : pooled;
    }
    return (await (await this.stateAt(block)).getAccount(createAddressFromString(address)))?.nonce ?? 0n;
  }

  async getCode(address: Hex, block: BlockTag): Promise<Uint8Array> {
    return (await this.stateAt(block)).getCode(createAddressFromString(address));
  }

  async getStorageAt(address: Hex, slot: Hex, block: BlockTag): Promise<Hex> {
    const value = await (await this.stateAt(block)).getStorage(createAddressFromString(address), setLengthLeft(hexToBytes(slot), 32));
    return bytesToHex(setLengthLeft(value, 32)) as Hex;
  }

  // ------------------------------------------------------------------ RpcBackend: execution without commit

  async call(request: CallRequest, block: BlockTag): Promise<CallResult> {
    return this.started().calls.call(await this.callContext(block), request);
  }

  async estimateGas(request: CallRequest, block: BlockTag): Promise<bigint> {
    try {
      return await this.started().calls.estimateGas(await this.callContext(block), request);
    } catch (error) {
      if (error instanceof CallError && error.code === CallErrorCode.Reverted) {
        throw new ExecutionRevertedError(bytesToHex(error.returnData ?? new Uint8Array()) as Hex);
      }
      throw error;
    }
  }

  async traceTransaction(hash: Hex, tracer: "callTracer" | "structLogs"): Promise<unknown> {
    const { store, executor } = this.started();
    const location = await store.getTransactionLocation(hexToBytes(hash));
    if (location === undefined) throw new CallError(CallErrorCode.UnknownTransaction, `transaction ${hash} not found`);
    const stored = (await store.getBlock(location.blockHash))!;
    const parent = (await store.getBlock(stored.block.header.parentHash))!.block;
    if (this.dev === undefined) return traceTransaction(executor, parent, stored.block, location.index, tracer);
    // A dev block may hold impersonated transactions (no recoverable signature) and start from
    // pending state changes: replay it with the stored senders on the state it was built on.
    const transactions = stored.block.transactions.map((tx, i) => bindSender(unfrozenCopy(tx), stored.senders[i]!));
    const replay = new Block(stored.block.header, transactions, [], [], { common: this.started().common });
    const preStateRoot = (await store.getPreStateRoot(stored.block.header.number)) ?? parent.header.stateRoot;
    return traceTransaction(executor, parent, replay, location.index, tracer, preStateRoot);
  }

  // ------------------------------------------------------------------ RpcBackend: fees

  nextBaseFee(): bigint {
    return this.dev?.nextBaseFee() ?? this.head().header.calcNextBaseFee();
  }

  /** Hardhat's answer to eth_maxPriorityFeePerGas (1 gwei): enough to be included on a quiet devnet. */
  suggestedPriorityFee(): bigint {
    return ONE_GWEI;
  }

  async feeHistory(blockCount: number, newest: BlockTag, rewardPercentiles: number[]): Promise<FeeHistory> {
    const { store } = this.started();
    const newestNumber = this.tagNumber(newest);
    const count = BigInt(Math.max(1, Math.min(blockCount, Number(newestNumber + 1n))));
    const blocks = [];
    for (let number = newestNumber - count + 1n; number <= newestNumber; number++) {
      const stored = (await store.getBlockByNumber(number))!;
      const header = stored.block.header;
      let transactions: { tip: bigint; gasUsed: bigint }[] | undefined;
      if (rewardPercentiles.length > 0) {
        const receipts = (await store.getReceipts(stored.block.hash())) ?? [];
        transactions = stored.block.transactions.map((tx, i) => ({
          tip: effectiveGasPrice(tx, header.baseFeePerGas ?? 0n) - (header.baseFeePerGas ?? 0n),
          gasUsed: receipts[i]?.gasUsed ?? 0n,
        }));
      }
      blocks.push({ header, transactions });
    }
    const newestHeader = blocks[blocks.length - 1].header;
    return feeHistory(blocks, newestHeader.calcNextBaseFee(), rewardPercentiles);
  }

  // ------------------------------------------------------------------ RpcBackend: transactions

  async sendRawTransaction(raw: Uint8Array): Promise<Hex> {
    const hash = await this.started().pool.addRaw(raw);
    await this.dev?.afterSubmit(hash);
    return hash;
  }

  txpoolContent(): { pending: Map<Hex, TypedTransaction[]>; queued: Map<Hex, TypedTransaction[]> } {
    return this.started().pool.content();
  }

  // ------------------------------------------------------------------ RpcBackend: concord_

  consensusStatus(): ConsensusStatus {
    const engine = this.parts?.engine;
    if (engine === undefined) {
      return { engine: "none", height: this.head().header.number + 1n, round: 0, step: "following", proposer: null, validators: 0, peers: 0 };
    }
    return { ...engine.status(), peers: 0 };
  }

  async validators(block: BlockTag): Promise<ValidatorInfo[]> {
    const { staking } = this.started();
    const header = await this.headerAt(block);
    if (!(await staking.isDeployed(header))) return [];
    const active = await staking.activeValidators(header);
    return Promise.all(
      active.signers.map(async (address, i) => {
        const record = await staking.validator(header, address);
        return { address, votingPower: active.stakes[i], stake: record.stake, jailed: record.jailed };
      }),
    );
  }

  async commitCertificate(number: bigint): Promise<CommitCertificate | undefined> {
    return this.started().store.getCertificate(number);
  }

  peers(): { id: string; address: string }[] {
    return [];
  }

  // ------------------------------------------------------------------ helpers

  private started(): Parts {
    if (this.parts === undefined) throw new NodeStateError("NOT_STARTED", "node not started");
    return this.parts;
  }

  private async headAccount(address: Hex): Promise<{ nonce: bigint; balance: bigint }> {
    const at = createAddressFromString(address);
    // The executor's state after the last block has most senders cached; else the head's trie.
    const cached = this.started().executor.cachedAccount(this.latestStateRoot(), at);
    const account = cached !== undefined ? cached.account : await this.headState().getAccount(at);
    return { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n };
  }

  /** A state reader for the head (with dev mode's pending changes), kept until the state changes. */
  private headState(): ReturnType<typeof openStateReader> {
    this.headReader ??= openStateReader(this.started().common, this.stateNodes(), this.latestStateRoot());
    return this.headReader;
  }

  /** The state "latest" reads: the head's, plus dev mode's pending changes. */
  private latestStateRoot(): Uint8Array {
    return this.dev?.stateRoot(this.head()) ?? this.head().header.stateRoot;
  }

  private stateNodes(): StateNodeSource {
    return this.dev?.pendingState ?? this.started().store;
  }

  private createPool(common: Common): TxPool {
    const pool = new TxPool(
      {
        ...this.options.txpool,
        common,
        blockGasLimit: this.dev?.blockGasLimit() ?? this.head().header.gasLimit,
        baseFee: () => this.nextBaseFee(),
      },
      { getAccount: (address) => this.headAccount(address) },
    );
    pool.on("pending", (hash) => this.pendingEvents.emit("pending", hash));
    return pool;
  }

  /** The node as dev mode sees it (chain/dev/devChain.ts). */
  private devHost(): DevHost {
    return {
      head: () => this.head(),
      openState: (root) => this.started().executor.openState(root),
      account: (address) => this.headAccount(address),
      admissionRules: (): StatelessRules => {
        const { pool } = this.started();
        return {
          chainId: this.chainId,
          blockGasLimit: this.dev?.blockGasLimit() ?? this.head().header.gasLimit,
          baseFee: this.nextBaseFee(),
          minPriorityFee: pool.options.minPriorityFee,
          maxTxBytes: pool.options.maxTxBytes,
          allowUnprotected: pool.options.allowUnprotected,
        };
      },
      poolTransactions: () => {
        const { pending, queued } = this.started().pool.content();
        return [...pending.values(), ...queued.values()].flat();
      },
      hasPooled: (hash) => this.started().pool.get(hash) !== undefined,
      replacePool: async (transactions) => {
        const parts = this.started();
        const pool = this.createPool(parts.common);
        parts.pool.removeAllListeners();
        parts.pool = pool;
        this.failedSinceCommit.clear();
        // Lowest nonces first, so each sender's sequence is rebuilt without artificial gaps.
        for (const tx of [...transactions].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0))) {
          await pool.add(tx).catch(() => undefined);
        }
      },
      stateChanged: async () => {
        this.headReader = undefined;
        await this.started().pool.onBlockCommitted([], this.nextBaseFee());
      },
      truncate: async (height) => {
        const { store } = this.started();
        await store.truncate(height);
        this.headBlock = (await store.getBlock(store.head()!.hash))!.block;
        this.headReader = undefined;
        this.failedSinceCommit.clear();
        // A set is read from state inside its epoch, which the kept blocks still hold up to the new head.
        const { epochLength } = this.started();
        const kept = epochLength === undefined ? 0n : height / epochLength;
        for (const epoch of [...this.validatorSets.keys()]) if (epoch > kept) this.validatorSets.delete(epoch);
      },
      isMined: async (hash) => (await this.started().store.getTransactionLocation(hexToBytes(hash))) !== undefined,
      announcePending: (hash) => this.pendingEvents.emit("pending", hash),
      minedFailure: async (hash) => {
        // Asked after every automined submission: the status alone, not a formatted receipt.
        const { store } = this.started();
        const location = await store.getTransactionLocation(hexToBytes(hash));
        if (location === undefined) return undefined;
        const receipt = (await store.getReceipts(location.blockHash))![location.index];
        if (receipt.status === 1) return undefined;
        const frame = (await this.traceTransaction(hash, "callTracer")) as CallFrame;
        if (frame.error === "execution reverted") return new ExecutionRevertedError(frame.output ?? "0x");
        return new RpcError(RpcErrorCode.ServerError, `transaction ${hash} failed in block ${location.blockNumber}: ${frame.error ?? "unknown failure"}`);
      },
    };
  }

  /** hardhat_metadata / anvil_metadata: what identifies this chain and its head. */
  metadata(): { clientVersion: string; chainId: bigint; instanceId: Hex; latestBlockNumber: bigint; latestBlockHash: Hex } {
    if (this.chainInstanceId === undefined) throw new NodeStateError("NOT_STARTED", "node not started");
    const head = this.head();
    return {
      clientVersion: this.clientVersion,
      chainId: this.chainId,
      instanceId: bytesToHex(this.chainInstanceId) as Hex,
      latestBlockNumber: head.header.number,
      latestBlockHash: bytesToHex(head.hash()) as Hex,
    };
  }

  private tagNumber(tag: BlockTag): bigint {
    const latest = this.head().header.number;
    if (typeof tag === "bigint") {
      if (tag > latest || tag < 0n) throw new CallError(CallErrorCode.UnknownBlock, `block ${tag} not found (head is ${latest})`);
      return tag;
    }
    return tag === "earliest" ? 0n : latest;
  }

  private async headerAt(tag: BlockTag): Promise<BlockHeader> {
    const number = this.tagNumber(tag);
    if (number === this.head().header.number) return this.head().header;
    return (await this.started().store.getHeaderByNumber(number))!;
  }

  private async stateAt(tag: BlockTag): Promise<ReturnType<typeof openStateReader>> {
    const number = this.tagNumber(tag);
    if (number === this.head().header.number) return this.headState();
    return openStateReader(this.started().common, this.stateNodes(), (await this.headerAt(number)).stateRoot);
  }

  /** "pending" runs in the context of the next block on the head's state; anything else in its own block. */
  private async callContext(tag: BlockTag): Promise<CallContext> {
    if (tag !== "pending") {
      const header = await this.headerAt(tag);
      const latest = header.number === this.head().header.number;
      return { header, stateRoot: latest ? this.latestStateRoot() : header.stateRoot };
    }
    const head = this.head();
    const now = this.dev?.nextBlockTime() ?? BigInt(Math.floor(Date.now() / 1000));
    const next = { coinbase: this.coinbase ?? createZeroAddress().toString(), timestamp: now > head.header.timestamp ? now : head.header.timestamp + 1n };
    const fields = childHeaderFields(head.header, this.dev?.buildOptions(next) ?? next, this.started().common);
    return { header: contextHeader(fields, this.started().common), stateRoot: this.latestStateRoot() };
  }

  private receiptRecord(block: Block, senders: readonly Hex[], receipts: readonly StoredReceipt[], index: number): ReceiptRecord {
    const tx = block.transactions[index];
    const receipt = receipts[index];
    const blockHash = bytesToHex(block.hash()) as Hex;
    let logIndex = 0;
    for (let i = 0; i < index; i++) logIndex += receipts[i].logs.length;
    const logs = receipt.logs.map((log, i) =>
      toLogRecord({ log, blockNumber: block.header.number, blockHash: block.hash(), transactionHash: receipt.transactionHash, transactionIndex: index, logIndex: logIndex + i }),
    );
    return {
      transactionHash: bytesToHex(receipt.transactionHash) as Hex,
      transactionIndex: index,
      blockHash,
      blockNumber: block.header.number,
      from: senders[index],
      to: tx.to === undefined ? null : (tx.to.toString() as Hex),
      contractAddress: receipt.contractAddress === undefined ? null : (bytesToHex(receipt.contractAddress) as Hex),
      cumulativeGasUsed: receipt.cumulativeGasUsed,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
      status: receipt.status,
      type: tx.type,
      logs,
      logsBloom: bytesToHex(logsBloom(receipt)) as Hex,
    };
  }

  private logRecords(block: Block, receipts: readonly StoredReceipt[] | undefined): LogRecord[] {
    const records: LogRecord[] = [];
    let logIndex = 0;
    for (const [transactionIndex, receipt] of (receipts ?? []).entries()) {
      for (const log of receipt.logs) {
        records.push(toLogRecord({ log, blockNumber: block.header.number, blockHash: block.hash(), transactionHash: receipt.transactionHash, transactionIndex, logIndex: logIndex++ }));
      }
    }
    return records;
  }
}

function toLogRecord(found: FoundLog): LogRecord {
  const [address, topics, data] = found.log;
  return {
    address: bytesToHex(address) as Hex,
    topics: topics.map((t) => bytesToHex(t) as Hex),
    data: bytesToHex(data) as Hex,
    blockNumber: found.blockNumber,
    blockHash: bytesToHex(found.blockHash) as Hex,
    transactionHash: bytesToHex(found.transactionHash) as Hex,
    transactionIndex: found.transactionIndex,
    logIndex: found.logIndex,
    removed: false,
  };
}

function logsBloom(receipt: StoredReceipt): Uint8Array {
  const bloom = new Bloom();
  for (const [address, topics] of receipt.logs) {
    bloom.add(address);
    for (const topic of topics) bloom.add(topic);
  }
  return bloom.bitvector;
}
