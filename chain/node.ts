/**
 * A Concord node: the one place where the parts are built, in dependency order
 *   storage -> execution -> txpool -> chain view + block pipeline -> consensus -> rpc
 * from one validated `NodeOptions` (node/options.ts), and torn down in reverse. It holds no chain
 * logic of its own; each part has its home:
 *   node/chainView.ts      the head, the state at a block, block tags
 *   node/blockPipeline.ts  what the consensus engine is given (ConsensusHost): build, verify, commit
 *   node/statePort.ts, node/transactionPort.ts, node/poolSlot.ts  the ports dev mode decorates
 *   rpc/nodeBackend.ts     what the RPC layer is given (RpcBackend)
 *   consensus/engineFactory.ts  the engine, from its options and what the node supplies
 *   dev/                   dev mode: its controls, its decorations of the ports, its host
 *
 * Dev mode (`devMode: true`, single-validator devnets only) is decided here alone: it decorates the
 * state and transaction ports, gives the engine its clock, and attaches to an engine that produces
 * blocks on request.
 *
 * Memory: blocks run on the state the previous block left behind when they sit on its root
 * (execution/blockExecutor.ts, `takeState`), else on a fresh one; what persists between blocks
 * besides it is the store's LRU of committed trie nodes, which are content-addressed and never dirty.
 */
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import { bytesToHex } from "@ethereumjs/util";
import { createEngine } from "./consensus/engineFactory.ts";
import type { ConsensusEngine } from "./consensus/engine.ts";
import { LocalSigner } from "./consensus/localSigner.ts";
import { FileWal } from "./consensus/tendermint/wal.ts";
import { gossipTransactions } from "./p2p/transactionGossip.ts";
import { answerWhenCommitted } from "./node/committedAnswers.ts";
import { join } from "node:path";
import { DevChain } from "./dev/devChain.ts";
import { devStatePort } from "./dev/devStatePort.ts";
import { devTransactionPort } from "./dev/devTransactionPort.ts";
import { nodeDevHost } from "./dev/nodeDevHost.ts";
import { BlockExecutor } from "./execution/blockExecutor.ts";
import { createConcordCommon } from "./execution/common.ts";
import { devAccountKeys } from "./execution/devAccounts.ts";
import { createGenesis } from "./execution/genesis.ts";
import { CallExecutor } from "./execution/calls.ts";
import { ExecutionPool } from "./execution/offThread/executionPool.ts";
import { installPatches } from "./execution/patches/installPatches.ts";
import { StakingState, stakingSystemCalls } from "./execution/stakingState.ts";
import { STAKING_ADDRESS } from "./execution/staking.ts";
import { SYSTEM_ADDRESS } from "./execution/systemCalls.ts";
import type { BlockHeader } from "@ethereumjs/block";
import { BlockPipeline } from "./node/blockPipeline.ts";
import { ChainView } from "./node/chainView.ts";
import { NodeOptionsError, NodeStateError, TransactionDroppedError } from "./node/errors.ts";
import { CLIENT_VERSION, DEFAULT_DEV_ACCOUNTS, DEV_CLIENT_VERSION, engineOptions, validateNodeOptions, type NodeOptions } from "./node/options.ts";
import { PoolSlot } from "./node/poolSlot.ts";
import { committedStatePort, type StatePort } from "./node/statePort.ts";
import { poolTransactionPort, type TransactionPort } from "./node/transactionPort.ts";
import type { BackendEvents, CallFrame } from "./rpc/backend.ts";
import { NodeBackend } from "./rpc/nodeBackend.ts";
import { startRpcServer, type RpcServer } from "./rpc/server.ts";
import { ChainStore } from "./storage/chainStore.ts";
import { LevelKeyValueStore, MemoryKeyValueStore, type KeyValueStore } from "./storage/keyValueStore.ts";
import { TxPool } from "./txpool/index.ts";
import type { Hex } from "./types.ts";

export { CLIENT_VERSION, DEV_CLIENT_VERSION, validateNodeOptions, type NodeOptions } from "./node/options.ts";
export { NodeOptionsError, NodeStateError, TransactionDroppedError } from "./node/errors.ts";

interface Parts {
  store: ChainStore;
  executor: BlockExecutor;
  pools: PoolSlot;
  view: ChainView;
  pipeline: BlockPipeline;
  engine: ConsensusEngine | undefined;
  backend: NodeBackend;
  dev: DevChain | undefined;
  rpc: RpcServer | undefined;
  /** Closers of what was built, in build order; run in reverse. */
  teardown: (() => Promise<void>)[];
}

export class ConcordNode {
  readonly chainId: bigint;
  readonly clientVersion: string;
  readonly devAccounts: ReadonlyMap<Hex, Uint8Array>;
  /** newHead, logs and pendingTransaction, for the RPC layer's subscriptions (and tests). */
  readonly events = new EventEmitter<BackendEvents>();
  /** The validator address this node proposes with; unset on a follower. */
  readonly coinbase?: Hex;

  private parts: Parts | undefined;

  constructor(readonly options: NodeOptions) {
    validateNodeOptions(options);
    this.chainId = options.genesis.chainId;
    this.clientVersion = options.devMode === true ? DEV_CLIENT_VERSION : CLIENT_VERSION;
    this.devAccounts = new Map(devAccountKeys(options.devAccounts ?? DEFAULT_DEV_ACCOUNTS).map((k) => [k.address, k.privateKey]));
    if (options.validatorKey !== undefined) this.coinbase = new LocalSigner(options.validatorKey, this.chainId).address;
  }

  /** What the RPC layer serves (also what tests read the chain through). */
  get backend(): NodeBackend {
    return this.started().backend;
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
    return this.started().pools.current;
  }

  get view(): ChainView {
    return this.started().view;
  }

  /** What the consensus engine is given (ConsensusHost). */
  get pipeline(): BlockPipeline {
    return this.started().pipeline;
  }

  /** Undefined on a node without a validator key. */
  get engine(): ConsensusEngine | undefined {
    return this.started().engine;
  }

  /** Dev mode's controls (undefined on a normal node). */
  get dev(): DevChain | undefined {
    return this.parts?.dev;
  }

  async start(): Promise<void> {
    if (this.parts !== undefined) throw new NodeStateError("ALREADY_STARTED", "node already started");
    const { options, chainId } = this;
    const teardown: (() => Promise<void>)[] = [];
    try {
      // Concord's departures from stock ethereumjs, process-wide; throws if one does not fit the library.
      await installPatches();
      const common = await createConcordCommon({ chainId });

      // storage
      const kv: KeyValueStore = options.dataDir === undefined ? new MemoryKeyValueStore() : await LevelKeyValueStore.open(options.dataDir, { sync: options.syncWrites ?? true });
      const store = await ChainStore.open(kv, common);
      teardown.push(() => store.close());
      const genesis = await createGenesis(options.genesis, common);
      const storedGenesis = await store.genesisHash();
      if (storedGenesis === undefined) {
        await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
      } else if (bytesToHex(storedGenesis) !== bytesToHex(genesis.block.hash())) {
        throw new NodeStateError("GENESIS_MISMATCH", `the data directory holds a chain with genesis ${bytesToHex(storedGenesis)}, not ${bytesToHex(genesis.block.hash())}`);
      }
      const head = (await store.getBlock(store.head()!.hash))!.block;
      const instanceId = await store.instanceId();
      const dev = options.devMode === true ? new DevChain({ committedState: store }) : undefined;
      let state: StatePort = committedStatePort(store);
      if (dev !== undefined) state = devStatePort(state, dev, { store, common });

      // execution
      const consoleLog = options.consoleLog !== undefined;
      let executor = new BlockExecutor({ common, stateNodes: state.stateNodes, blockHashes: store, consoleLog });
      let staking = new StakingState(executor);
      let epochLength: bigint | undefined;
      if (await staking.isDeployed(genesis.block.header)) await checkStakingPredeploy(staking, genesis.block.header);
      if (options.genesis.staking !== undefined) {
        epochLength = (await staking.config(genesis.block.header)).epochLength;
        executor = new BlockExecutor({ common, stateNodes: state.stateNodes, blockHashes: store, systemCalls: stakingSystemCalls(epochLength), consoleLog });
        staking = new StakingState(executor);
      }
      // eth_call, estimates and traces run on worker threads over the same state (never on this one).
      const calls = new ExecutionPool({
        chainId,
        stateNodes: state.stateNodes,
        blockHashes: store,
        epochLength,
        ...options.calls,
        onConsoleLog: consoleLog ? (source, lines) => this.events.emit("consoleLog", { source, lines }) : undefined,
      });
      const printConsole = options.consoleLog;
      if (printConsole !== undefined) {
        this.events.on("consoleLog", printConsole);
        teardown.push(async () => void this.events.off("consoleLog", printConsole));
      }
      const plainTransfers = new CallExecutor(executor, { gasCap: options.calls?.gasCap });
      teardown.push(() => calls.close());
      const view = new ChainView({ common, store, executor, state, coinbase: this.coinbase }, head);

      // txpool
      const pools = new PoolSlot(
        () =>
          new TxPool(
            { ...options.txpool, common, blockGasLimit: state.blockGasLimit(view.head()), baseFee: () => state.nextBaseFee(view.head()) },
            { getAccount: (address) => view.headAccount(address) },
          ),
      );
      pools.onExecutable((hash) => this.events.emit("pendingTransaction", hash));
      let transactions: TransactionPort = poolTransactionPort(pools);
      if (dev !== undefined) transactions = devTransactionPort(transactions, dev);
      if (options.network !== undefined) {
        const gossip = gossipTransactions(transactions, options.network);
        transactions = gossip.port;
        teardown.push(async () => gossip.stop());
      }
      // Outermost: the transaction is gossiped at admission, the client answered at commit.
      if (options.answerAfterCommit === true) transactions = answerWhenCommitted(transactions, this.events, { failureOf: (hash) => pipeline.failureOf(hash) });
      const pipeline = new BlockPipeline({
        chainId,
        view,
        store,
        executor,
        staking,
        epochLength,
        state,
        transactions,
        pools,
        targetGasLimit: options.blockGasLimit,
        events: this.events,
        onDropped: (dropped) => options.onError?.(new TransactionDroppedError(dropped.hash, dropped.sender, dropped.error)),
      });

      // consensus
      const engine = options.validatorKey === undefined ? undefined : await buildEngine(options, pipeline, chainId, () => state.now());
      const backend = new NodeBackend({
        chainId,
        clientVersion: this.clientVersion,
        devAccounts: this.devAccounts,
        coinbase: this.coinbase,
        events: this.events,
        common,
        store,
        view,
        executor,
        calls,
        plainTransfers,
        staking,
        state,
        transactions,
        pools,
        engine,
        instanceId,
        dev,
        network: options.network,
      });
      if (dev !== undefined) {
        if (engine?.onDemand === undefined) throw new NodeOptionsError("devMode", "needs an engine that produces blocks on request");
        const trace = async (hash: Hex) => (await backend.traceTransaction(hash, { tracer: "callTracer" })) as CallFrame;
        dev.attach(nodeDevHost({ chainId, store, executor, view, pipeline, pools, state, trace }), engine.onDemand);
      }
      if (engine !== undefined) {
        await engine.start();
        teardown.push(() => engine.stop());
      }

      // rpc
      let rpc: RpcServer | undefined;
      if (options.rpc !== undefined && options.rpc !== false) {
        const server = await startRpcServer(backend, options.rpc);
        teardown.push(() => server.close());
        rpc = server;
      }
      this.parts = { store, executor, pools, view, pipeline, engine, backend, dev, rpc, teardown };
    } catch (error) {
      await tearDown(teardown);
      throw error;
    }
  }

  /** Stops RPC, lets the block in progress finish, and closes the database cleanly. */
  async stop(): Promise<void> {
    const parts = this.parts;
    if (parts === undefined) return;
    this.parts = undefined;
    await tearDown(parts.teardown);
    this.events.removeAllListeners();
  }

  /** Removes a node's data directory (tests and `concord reset`). */
  static wipe(dataDir: string): void {
    rmSync(dataDir, { recursive: true, force: true });
  }

  private started(): Parts {
    if (this.parts === undefined) throw new NodeStateError("NOT_STARTED", "node not started");
    return this.parts;
  }
}

/** Closes what was built, last first. */
async function tearDown(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close();
}

/**
 * A staking predeploy whose constructor never ran (its code copied into a genesis alloc by hand) has
 * zero immutables: no system caller may advance its epochs and the chain would halt at the first epoch
 * boundary. Refuse such a genesis at start, saying what to fix.
 */
async function checkStakingPredeploy(staking: StakingState, genesisHeader: BlockHeader): Promise<void> {
  const systemCaller = await staking.systemCaller(genesisHeader);
  const config = await staking.config(genesisHeader);
  const problems: string[] = [];
  if (systemCaller !== SYSTEM_ADDRESS) problems.push(`its system caller is ${systemCaller}, not ${SYSTEM_ADDRESS}`);
  if (config.minSelfStake === 0n) problems.push("its minimum self-stake is 0");
  if (config.epochLength === 0n) problems.push("its epoch length is 0");
  if (problems.length > 0) {
    throw new NodeStateError(
      "INVALID_STAKING_GENESIS",
      `the genesis' staking contract at ${STAKING_ADDRESS} was not initialised (${problems.join("; ")}): its constructor never ran. ` +
        `Give the validators and staking parameters in the genesis' "staking" section (as \`concord genesis\` writes it), not its code in "alloc".`,
    );
  }
}

/**
 * The engine a validator runs, with what it needs: a BFT engine gets its network, a write-ahead log and
 * a signer whose sign guard persists in the data directory; the single-validator engine signs directly.
 */
async function buildEngine(options: NodeOptions, host: BlockPipeline, chainId: bigint, now: () => bigint): Promise<ConsensusEngine> {
  const engineConfig = engineOptions(options);
  const key = options.validatorKey!;
  if (engineConfig.kind === "tendermint") {
    const dataDir = options.dataDir!;
    // The WAL and the sign state are as durable as the blocks: flushed to the disk, or (a devnet
    // without --fsync) written to the OS, which a killed process cannot lose.
    const sync = options.syncWrites ?? true;
    return createEngine(engineConfig, {
      host,
      signer: await LocalSigner.guarded(key, chainId, join(dataDir, "sign-state.json"), { sync }),
      network: options.network,
      wal: new FileWal(join(dataDir, "consensus.wal"), { sync }),
      clock: { now },
      onError: options.onError,
    });
  }
  return createEngine(engineConfig, { host, signer: new LocalSigner(key, chainId), clock: { now }, onError: options.onError });
}
