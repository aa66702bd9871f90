/**
 * Dev mode: the Hardhat / Anvil development controls of a single-validator devnet (`concord devnet`,
 * `concord node`), so that Hardhat's network helpers, loadFixture and Ignition work against a real
 * Concord chain. Only a node started with `devMode: true` has one; a BFT network never does, because
 * rewriting state, time and history is only sound where one validator alone decides every block.
 *
 * What it controls, and how each change reaches the chain:
 * - state changes (setBalance, setCode, setNonce, setStorageAt) go to `PendingState`, an overlay
 *   root that "latest" reads and the next block is built on (pendingState.ts says why not a block
 *   per change);
 * - block time (`BlockClock`): offset, next timestamp, per-block timestamps for hardhat_mine;
 * - next-block header values (coinbase, base fee, prevRandao, gas limit) passed to the block builder;
 * - automine and on-demand mining, through the engine, which serialises all of this with block
 *   production (`exclusive`), so a block is never built on a state that changes under it;
 * - snapshots: head, pending state, clock, next-block values and both pools; reverting truncates
 *   storage to the snapshot's head in one batch and puts the rest back;
 * - impersonation: eth_sendTransaction from an address without a key (impersonation.ts), waiting
 *   in `ImpersonatedPool` instead of the signature-recovering transaction pool.
 *
 * The node calls the hooks in the first section at fixed points of its block cycle (`DevHost` is what
 * it offers in return); the RPC methods (chain/rpc/methods/dev.ts) call the rest.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { Account, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import type { BuildBlockOptions, ExecutedBlock, PendingTransaction } from "../execution/blockExecutor.ts";
import type { ExecutionState } from "../execution/executionState.ts";
import type { StateNodeSource } from "../execution/stateNodeDb.ts";
import type { OnDemandProduction, ProposalOptions } from "../consensus/engine.ts";
import type { StatelessRules } from "../txpool/validateTransaction.ts";
import { BlockClock, type ClockState } from "./blockClock.ts";
import { DevErrorCode, DevModeError, invalidArgument } from "./errors.ts";
import { ImpersonatedPool, type AccountView, type ImpersonatedEntry } from "./impersonatedPool.ts";
import { impersonatedTransaction } from "./impersonation.ts";
import { PendingState, type PendingStateVersion } from "./pendingState.ts";
import { SnapshotRegistry } from "./snapshots.ts";
import { applyAnvilAccount } from "./anvilAccounts.ts";
import { collectStateNodes, createStateDump, dumpNodes, type LoadableState, type StateDump } from "./stateDump.ts";
import type { Hex } from "../types.ts";

/** The engine controls dev mode needs (an engine that produces blocks on request). */
export type DevEngine = OnDemandProduction;

/** What the node offers dev mode. */
export interface DevHost {
  head(): Block;
  /** An execution state over `root` whose reads go through the pending state. */
  openState(root: Uint8Array): Promise<ExecutionState>;
  /** The account as "latest" reads it (pending changes included). */
  account(address: Hex): Promise<AccountView>;
  /** The stateless admission rules of the transaction pool, as they are now. */
  admissionRules(): StatelessRules;
  /** Every pooled transaction, per sender in nonce order. */
  poolTransactions(): TypedTransaction[];
  hasPooled(hash: Hex): boolean;
  /** Replaces the pool by one holding `transactions` (re-admitted against the current state). */
  replacePool(transactions: readonly TypedTransaction[]): Promise<void>;
  /** State at "latest" changed between blocks: readers reopen, the pool re-checks its senders. */
  stateChanged(): Promise<void>;
  /** Drops every block above `height`; the node's head becomes block `height`. */
  truncate(height: bigint): Promise<void>;
  isMined(hash: Hex): Promise<boolean>;
  /** The error a client gets for a transaction that is in a block but failed there; undefined if it succeeded or is not in a block. */
  minedFailure(hash: Hex): Promise<Error | undefined>;
  /** A transaction became executable (wakes the engine, feeds pending-transaction subscribers). */
  announcePending(hash: Hex): void;
}

export interface DevChainOptions {
  /** Where committed trie nodes are read (the chain store). */
  committedState: StateNodeSource;
  /** Wall clock in milliseconds (injectable for tests). */
  wallClockMs?: () => number;
}

/** Header values the next block(s) take instead of the protocol's. */
interface NextBlockSettings {
  /** Every following block (hardhat_setCoinbase). */
  coinbase?: Hex;
  /** The next block only. */
  baseFeePerGas?: bigint;
  /** The next block only. */
  prevRandao?: Uint8Array;
}

interface DevSnapshot {
  head: { number: bigint; hash: Uint8Array };
  pending: PendingStateVersion;
  clock: ClockState;
  next: NextBlockSettings;
  pool: TypedTransaction[];
  impersonated: ImpersonatedEntry[];
}

/** The most blocks one hardhat_mine / anvil_mine call produces (each is a real, stored block). */
export const MAX_BLOCKS_PER_MINE = 100_000;

export class DevChain {
  readonly pendingState: PendingState;
  readonly clock: BlockClock;
  readonly #snapshots = new SnapshotRegistry<DevSnapshot>();
  readonly #impersonated = new Set<Hex>();
  readonly #impersonatedPool = new ImpersonatedPool();
  #next: NextBlockSettings = {};
  /** Every following block (evm_setBlockGasLimit); undefined: the protocol's rule. */
  #gasLimit: bigint | undefined;
  /** The timestamp a mining request chose for the block being produced. */
  #chosenTimestamp: bigint | undefined;
  #host: DevHost | undefined;
  #engine: DevEngine | undefined;

  constructor(options: DevChainOptions) {
    this.pendingState = new PendingState(options.committedState);
    this.clock = new BlockClock(options.wallClockMs);
  }

  /** Called once the node's parts exist. */
  attach(host: DevHost, engine: DevEngine): void {
    this.#host = host;
    this.#engine = engine;
  }

  // ------------------------------------------------------------------ hooks of the node's block cycle

  /** The state root "latest" is read at. */
  stateRoot(head: Block): Uint8Array {
    return this.pendingState.rootOver(head.header.stateRoot);
  }

  /** The engine's clock: the next block's time before it is kept above the parent's. */
  nextBlockTime(): bigint {
    return this.clock.nextBlockTime();
  }

  /** Base fee of the next block, when hardhat_setNextBlockBaseFeePerGas chose it. */
  nextBaseFee(): bigint | undefined {
    return this.#next.baseFeePerGas;
  }

  /** Gas limit of the next blocks, when evm_setBlockGasLimit chose it. */
  blockGasLimit(): bigint | undefined {
    return this.#gasLimit;
  }

  /** How the child of the head is built: on the pending state, with the chosen header values. */
  buildOptions(options: ProposalOptions & { targetGasLimit?: bigint }): BuildBlockOptions {
    const { baseFeePerGas, prevRandao, coinbase } = this.#next;
    return {
      ...options,
      coinbase: coinbase ?? options.coinbase,
      preStateRoot: this.pendingState.version.root,
      devOverrides: { baseFeePerGas, prevRandao, gasLimit: this.#gasLimit },
    };
  }

  /** Impersonated transactions ready for the next block, after the pool's own. */
  candidates(): (PendingTransaction & { hash: Hex })[] {
    return this.#impersonatedPool.executable().map(({ tx, sender, hash }) => ({ tx, sender, hash }));
  }

  executableCount(): number {
    return this.#impersonatedPool.executableCount();
  }

  /** What a block built by `buildOptions` commits: its own trie nodes and the pending state's. */
  stateNodesToCommit(executed: ExecutedBlock): ReadonlyMap<string, Uint8Array> {
    const pending = this.pendingState.version.nodes;
    if (pending.size === 0) return executed.stateNodes;
    const nodes = new Map(pending);
    for (const [key, value] of executed.stateNodes) nodes.set(key, value);
    return nodes;
  }

  /** After each commit: pending changes and one-block settings are used up, time re-anchors. */
  async onBlockCommitted(block: Block): Promise<void> {
    const chosen = this.#chosenTimestamp ?? this.clock.nextTimestamp;
    this.clock.onBlockCommitted(block.header.timestamp, chosen !== undefined && chosen === block.header.timestamp);
    this.#chosenTimestamp = undefined;
    this.pendingState.clear();
    this.#next = { coinbase: this.#next.coinbase };
    for (const tx of block.transactions) this.#impersonatedPool.remove(`0x${Buffer.from(tx.hash()).toString("hex")}`);
    await this.#resyncImpersonated();
  }

  /**
   * With automine on, a transaction's submission answers once the block that includes it is
   * committed, as on Hardhat and Anvil: a client reading state right after sending sees its effect.
   * A transaction that failed in its block makes the submission fail with the reason (and revert
   * data), as Hardhat's node does: a test that sends with a fixed gas limit (no estimate to catch the
   * revert first) still sees the custom error. The transaction stays mined.
   */
  async afterSubmit(hash: Hex): Promise<void> {
    const { host, engine } = this.#started();
    if (!engine.automine) return;
    // Answered once its block is committed (Hardhat's automine promise), not when production next
    // pauses: under other clients' stream of transactions that could be many blocks later. A
    // transaction leaves the pool at its block's commit, or when the build drops it; one that stays
    // (a nonce gap) is answered when production stops, as before.
    while ((host.hasPooled(hash) || this.#impersonatedPool.get(hash) !== undefined) && (await engine.nextBlock()));
    const failure = await host.minedFailure(hash);
    if (failure !== undefined) throw failure;
  }

  impersonatedTransaction(hash: Hex): ImpersonatedEntry | undefined {
    return this.#impersonatedPool.get(hash);
  }

  /** The next nonce of `sender` counting impersonated transactions waiting here. */
  impersonatedPendingNonce(sender: Hex): bigint | undefined {
    return this.#impersonatedPool.pendingNonce(sender);
  }

  impersonatedTransactions(): ImpersonatedEntry[] {
    return this.#impersonatedPool.entries();
  }

  // ------------------------------------------------------------------ snapshots

  async snapshot(): Promise<bigint> {
    const { host, engine } = this.#started();
    return engine.exclusive(async () => {
      const head = host.head();
      return this.#snapshots.take({
        head: { number: head.header.number, hash: head.hash() },
        pending: this.pendingState.version,
        clock: this.clock.capture(),
        next: { ...this.#next },
        pool: host.poolTransactions(),
        impersonated: this.#impersonatedPool.entries(),
      });
    });
  }

  /** false for an unknown (or already used) id, as Hardhat answers. */
  async revert(id: bigint): Promise<boolean> {
    const { host, engine } = this.#started();
    return engine.exclusive(async () => {
      const snapshot = this.#snapshots.takeBack(id);
      if (snapshot === undefined) return false;
      await host.truncate(snapshot.head.number);
      this.pendingState.restore(snapshot.pending);
      this.clock.restore(snapshot.clock);
      this.#next = { ...snapshot.next };
      this.#chosenTimestamp = undefined;
      await host.stateChanged();
      await host.replacePool(snapshot.pool);
      this.#impersonatedPool.restore(snapshot.impersonated);
      await this.#resyncImpersonated();
      for (const entry of this.#impersonatedPool.executable()) host.announcePending(entry.hash);
      return true;
    });
  }

  /**
   * hardhat_reset / anvil_reset: back to the genesis block, as a fresh chain: history, pending
   * changes, both pools, snapshots, impersonations, time offset and next-block settings are dropped.
   * Mining settings (automine, interval) stay, as on Hardhat's node.
   */
  async reset(): Promise<void> {
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      await host.truncate(0n);
      this.pendingState.clear();
      this.clock.restore({ offset: 0n, nextTimestamp: undefined, capturedAtMs: Date.now() });
      this.#next = {};
      this.#gasLimit = undefined;
      this.#chosenTimestamp = undefined;
      this.#snapshots.clear();
      this.#impersonated.clear();
      this.#impersonatedPool.restore([]);
      await host.stateChanged();
      await host.replacePool([]);
    });
  }

  /** anvil_dumpState / --dump-state: the state "latest" reads (pending changes included), as a trie dump. */
  async dumpState(): Promise<StateDump> {
    const { host, engine } = this.#started();
    return engine.exclusive(async () => {
      const head = host.head();
      const root = this.pendingState.rootOver(head.header.stateRoot);
      return createStateDump(head.common.chainId(), head.header.number, root, await collectStateNodes(this.pendingState, root));
    });
  }

  /**
   * anvil_loadState / --load-state: a trie dump becomes the state the next block is built on (reads
   * at "latest" see it at once); an Anvil account dump is applied account by account over the state.
   */
  async loadState(state: LoadableState): Promise<void> {
    if (state.kind === "accounts") {
      await this.#changeState(async (manager) => {
        for (const [address, fields] of state.accounts) await applyAnvilAccount(manager, address, fields);
      });
      return;
    }
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      this.pendingState.replace(hexToBytes(state.dump.stateRoot), dumpNodes(state.dump));
      await host.stateChanged();
      await this.#resyncImpersonated();
    });
  }

  /** Live snapshots: id -> [block number, block hash] (anvil_metadata). */
  snapshots(): [bigint, { number: bigint; hash: Uint8Array }][] {
    return this.#snapshots.entries().map(([id, snapshot]) => [id, snapshot.head]);
  }

  // ------------------------------------------------------------------ time and mining

  /** evm_increaseTime; returns the total offset in seconds. */
  increaseTime(seconds: bigint): bigint {
    return this.clock.increase(seconds);
  }

  async setNextBlockTimestamp(timestamp: bigint): Promise<void> {
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      const latest = host.head().header.timestamp;
      if (timestamp <= latest) throw invalidArgument(0, `timestamp ${timestamp} is lower than or equal to the latest block's timestamp ${latest}`);
      this.clock.setNextTimestamp(timestamp);
    });
  }

  /**
   * `count` blocks now, whatever the automine setting: the first at `timestamp` if given (else the
   * next timestamp or the clock), each following one `interval` seconds after its parent.
   */
  async mine(count: number, interval: bigint, timestamp?: bigint): Promise<void> {
    const { engine } = this.#started();
    await engine.mine(count, (index, parent) => {
      if (index > 0) return parent.header.timestamp + interval;
      if (timestamp === undefined) return undefined;
      if (timestamp <= parent.header.timestamp) {
        throw invalidArgument(0, `timestamp ${timestamp} is lower than or equal to the latest block's timestamp ${parent.header.timestamp}`);
      }
      this.#chosenTimestamp = timestamp;
      return timestamp;
    });
  }

  get automine(): boolean {
    return this.#started().engine.automine;
  }

  setAutomine(enabled: boolean): void {
    this.#started().engine.setAutomine(enabled);
  }

  /** evm_setIntervalMining: the --block-interval of a running devnet (undefined: off). */
  get intervalMining(): { minMs: number; maxMs: number } | undefined {
    return this.#started().engine.intervalMining;
  }

  setIntervalMining(interval: { minMs: number; maxMs: number } | undefined): void {
    this.#started().engine.setIntervalMining(interval);
  }

  // ------------------------------------------------------------------ state

  async setBalance(address: Hex, balance: bigint): Promise<void> {
    await this.#changeState(async (state) => {
      const at = createAddressFromString(address);
      const account = (await state.getAccount(at)) ?? new Account();
      account.balance = balance;
      await state.putAccount(at, account);
    });
  }

  async setCode(address: Hex, code: Uint8Array): Promise<void> {
    await this.#changeState((state) => state.putCode(createAddressFromString(address), code));
  }

  /** As Hardhat: only while no transaction waits, and never below the current nonce. */
  async setNonce(address: Hex, nonce: bigint): Promise<void> {
    const { host } = this.#started();
    await this.#changeState(async (state) => {
      if (host.poolTransactions().length > 0 || this.#impersonatedPool.size > 0) {
        throw new DevModeError(DevErrorCode.NonceNotSettable, "Cannot set account nonce when the transaction pool is not empty");
      }
      const at = createAddressFromString(address);
      const account = (await state.getAccount(at)) ?? new Account();
      if (nonce < account.nonce) {
        throw new DevModeError(DevErrorCode.NonceNotSettable, `New nonce (${nonce}) must not be smaller than the existing nonce (${account.nonce})`);
      }
      account.nonce = nonce;
      await state.putAccount(at, account);
    });
  }

  /** `slot` and `value` are 32-byte words. */
  async setStorageAt(address: Hex, slot: Hex, value: Uint8Array): Promise<void> {
    await this.#changeState(async (state) => {
      const at = createAddressFromString(address);
      if ((await state.getAccount(at)) === undefined) await state.putAccount(at, new Account());
      await state.putStorage(at, setLengthLeft(hexToBytes(slot), 32), value);
    });
  }

  // ------------------------------------------------------------------ next-block settings

  setCoinbase(address: Hex): void {
    this.#next.coinbase = address;
  }

  async setNextBlockBaseFeePerGas(baseFee: bigint): Promise<void> {
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      this.#next.baseFeePerGas = baseFee;
      // Admission compares fee caps with the next base fee: rebuild against the new one.
      await host.replacePool(host.poolTransactions());
    });
  }

  setPrevRandao(prevRandao: Uint8Array): void {
    this.#next.prevRandao = prevRandao;
  }

  /** From the next block on; pooled transactions above the new limit are dropped, as on Hardhat. */
  async setBlockGasLimit(gasLimit: bigint): Promise<void> {
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      this.#gasLimit = gasLimit;
      await host.replacePool(host.poolTransactions());
      for (const entry of this.#impersonatedPool.entries()) if (entry.tx.gasLimit > gasLimit) this.#impersonatedPool.remove(entry.hash);
    });
  }

  // ------------------------------------------------------------------ pool

  /** true if it was waiting (now gone), false if unknown; a mined transaction is an error. */
  async dropTransaction(hash: Hex): Promise<boolean> {
    const { host, engine } = this.#started();
    return engine.exclusive(async () => {
      if (this.#impersonatedPool.remove(hash)) return true;
      if (host.hasPooled(hash)) {
        await host.replacePool(host.poolTransactions().filter((tx) => `0x${Buffer.from(tx.hash()).toString("hex")}` !== hash));
        return true;
      }
      if (await host.isMined(hash)) {
        throw new DevModeError(DevErrorCode.AlreadyMined, `Transaction ${hash} cannot be dropped because it's already mined`);
      }
      return false;
    });
  }

  /** An impersonated transaction a block build refused: it leaves the dev pool (false if not there). */
  dropRefused(hash: Hex): boolean {
    return this.#impersonatedPool.remove(hash);
  }

  // ------------------------------------------------------------------ impersonation

  impersonate(address: Hex): void {
    this.#impersonated.add(address);
  }

  /** true if `address` was impersonated. */
  stopImpersonating(address: Hex): boolean {
    return this.#impersonated.delete(address);
  }

  isImpersonated(address: Hex): boolean {
    return this.#impersonated.has(address);
  }

  /** Admits a filled, unsigned transaction from an impersonated `sender`; resolves with its hash. */
  async sendImpersonated(sender: Hex, unsigned: TypedTransaction): Promise<Hex> {
    const { host, engine } = this.#started();
    const tx = impersonatedTransaction(unsigned, sender);
    const hash = await engine.exclusive(async () => {
      const admitted = this.#impersonatedPool.add(tx, sender, await host.account(sender), host.admissionRules());
      if (admitted.executable) host.announcePending(admitted.hash);
      return admitted.hash;
    });
    await this.afterSubmit(hash);
    return hash;
  }

  // ------------------------------------------------------------------ helpers

  async #changeState(change: (state: ExecutionState["stateManager"]) => Promise<void>): Promise<void> {
    const { host, engine } = this.#started();
    await engine.exclusive(async () => {
      await this.pendingState.apply(host.head().header.stateRoot, (root) => host.openState(root), change);
      await host.stateChanged();
      await this.#resyncImpersonated();
    });
  }

  async #resyncImpersonated(): Promise<void> {
    const host = this.#host;
    if (host === undefined || this.#impersonatedPool.size === 0) return;
    const senders = this.#impersonatedPool.senders();
    const accounts = await Promise.all(senders.map((sender) => host.account(sender)));
    this.#impersonatedPool.resync(new Map(senders.map((sender, i) => [sender, accounts[i]!])));
  }

  #started(): { host: DevHost; engine: DevEngine } {
    if (this.#host === undefined || this.#engine === undefined) throw new DevModeError(DevErrorCode.NotAttached, "dev mode is not attached to a started node");
    return { host: this.#host, engine: this.#engine };
  }
}
