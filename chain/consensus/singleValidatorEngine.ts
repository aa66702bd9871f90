/**
 * The consensus engine of a one-validator network: what Tendermint degenerates to when one validator
 * holds more than 2/3 of the voting power. It proposes, "votes" and commits alone: each block is
 * built, its commit (chain id, height, round 0, block hash) signed, and committed with a certificate
 * holding that one signature, which verifies against the validator set like any BFT certificate.
 *
 * Block production is Hardhat's automine: a block is produced as soon as transactions wait in the
 * pool, and only then (no empty blocks unless a heartbeat interval is set). While a block is being
 * built and committed, new arrivals accumulate and go into the next block together, so a burst of
 * transactions shares few blocks while a lone transaction gets its receipt within milliseconds.
 *
 * Before each block the engine gathers the burst it was woken by (arrivalGathering.ts): what arrived
 * in the same event-loop turn, and the rest of a JSON-RPC batch still being admitted, so a batch
 * shares one block.
 *
 * Timestamps: max(now, parent + 1) in seconds. Ethereum (and ethereumjs' header validation) require
 * timestamp > parent.timestamp, and Hardhat does the same in automine (it never produces two blocks
 * with one timestamp by default). Consequence, also as in Hardhat: more than one block per second
 * makes block time run ahead of the wall clock, and it catches up when production slows down.
 *
 * Dev mode (a single-validator devnet driven by Hardhat / Anvil methods) adds three controls, all
 * serialised with block production by one lock so that no block is ever built on a state that
 * changes under it: `setAutomine(false)` stops producing blocks for waiting transactions (heartbeat
 * blocks, if configured, still come, as Hardhat's interval mining), `mine()` produces blocks on
 * request (empty or not, with chosen timestamps), and `exclusive()` runs a task (snapshot, revert,
 * state override) while no block is being built or committed.
 */
import { bytesToHex } from "@ethereumjs/util";
import {
  ConsensusError,
  type ConsensusEngine,
  type ConsensusHost,
  type ConsensusSigner,
  type EngineStatus,
  type MinedTimestamp,
  type OnDemandProduction,
} from "./engine.ts";
import type { Hex } from "../types.ts";
import { ArrivalGathering, type GatheringOptions } from "./arrivalGathering.ts";

export interface SingleValidatorEngineOptions extends GatheringOptions {
  signer: ConsensusSigner;
  /** Produce a block (empty if nothing waits) after this many milliseconds without one; undefined: never. */
  heartbeatMs?: number;
  /** Unix time in seconds (injectable for tests). */
  now?: () => bigint;
  /** A block could not be produced (the engine keeps running and retries on the next trigger). */
  onError?: (error: unknown) => void;
  /** Produce a block as soon as transactions wait (default true); see `setAutomine`. */
  automine?: boolean;
}

type Step = "idle" | "building" | "committing" | "halted" | "stopped";

/** Interval mining: a block after a quiet time drawn in [minMs, maxMs] (Hardhat's evm_setIntervalMining range). */
export interface BlockInterval {
  minMs: number;
  maxMs: number;
}

export class SingleValidatorEngine implements ConsensusEngine, OnDemandProduction {
  readonly name = "single-validator";
  /** A lone validator decides every block, so it can also make them on request (dev mode). */
  readonly onDemand: OnDemandProduction = this;
  /** Set while started. */
  private host: ConsensusHost | undefined;
  private step: Step = "stopped";
  private wanted = false;
  private heartbeatDue = false;
  private production: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private validatorCount = 0;
  private readonly now: () => bigint;
  private automineEnabled: boolean;
  private interval: BlockInterval | undefined;
  private readonly gathering: ArrivalGathering;
  /** Tail of the production lock: every block and every exclusive task runs after the previous one. */
  private lockTail: Promise<unknown> = Promise.resolve();
  /** Who waits for the next committed block (`nextBlock`). */
  private blockWaiters: ((produced: boolean) => void)[] = [];

  constructor(
    private readonly builtFor: ConsensusHost,
    private readonly options: SingleValidatorEngineOptions,
  ) {
    if (options.heartbeatMs !== undefined && !(Number.isFinite(options.heartbeatMs) && options.heartbeatMs > 0)) {
      throw new RangeError(`heartbeatMs must be a positive number, got ${options.heartbeatMs}`);
    }
    this.gathering = new ArrivalGathering(options, () => this.host?.burstsInProgress?.() ?? 0);
    this.now = options.now ?? (() => BigInt(Math.floor(Date.now() / 1000)));
    this.automineEnabled = options.automine ?? true;
    this.interval = options.heartbeatMs === undefined ? undefined : { minMs: options.heartbeatMs, maxMs: options.heartbeatMs };
  }

  get automine(): boolean {
    return this.automineEnabled;
  }

  /** Turning automine back on mines what waits, as a new arrival would have been. */
  setAutomine(enabled: boolean): void {
    this.automineEnabled = enabled;
    if (enabled && this.host?.hasPendingTransactions() === true) this.trigger();
  }

  get intervalMining(): BlockInterval | undefined {
    return this.interval === undefined ? undefined : { ...this.interval };
  }

  /** Changes interval mining (undefined: off); the next block comes after the new interval. */
  setIntervalMining(interval: BlockInterval | undefined): void {
    if (interval !== undefined && !(interval.minMs > 0 && interval.maxMs >= interval.minMs && Number.isFinite(interval.maxMs))) {
      throw new RangeError(`a block interval needs 0 < min <= max, got [${interval.minMs}, ${interval.maxMs}]`);
    }
    this.interval = interval === undefined ? undefined : { ...interval };
    this.armHeartbeat();
  }

  /**
   * Runs `task` while no block is being built or committed, and holds production until it settles.
   * `task` must not call `mine()` (it would wait for itself).
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lockTail.then(task);
    this.lockTail = run.catch(() => undefined);
    return run;
  }

  /**
   * Produces `count` blocks now, each with what the pool offers (empty blocks too), and resolves
   * once all are committed. `timestamp` chooses each block's time; by default the engine's rule.
   */
  async mine(count: number, timestamp?: MinedTimestamp): Promise<void> {
    if (!this.producing()) throw new ConsensusError("NOT_STARTED", `the engine is ${this.step}, it cannot mine`);
    await this.exclusive(async () => {
      for (let index = 0; index < count; index++) {
        const host = this.host;
        if (host === undefined || !this.producing()) throw new ConsensusError("NOT_STARTED", "the engine stopped while mining");
        await this.produceBlock(host, true, timestamp?.(index, host.head()));
      }
    });
  }

  async start(): Promise<void> {
    if (this.host !== undefined) throw new ConsensusError("ALREADY_STARTED", "engine already started");
    const host = this.builtFor;
    await this.checkVotingPower(host);
    this.host = host;
    this.step = "idle";
    this.unsubscribe = host.onPendingTransactions(() => {
      this.gathering.arrived();
      this.trigger();
    });
    this.armHeartbeat();
    if (host.hasPendingTransactions()) this.trigger();
  }

  async stop(): Promise<void> {
    if (this.host === undefined) return;
    this.unsubscribe?.();
    clearTimeout(this.heartbeatTimer);
    this.step = "stopped";
    await this.production;
    await this.lockTail;
    this.host = undefined;
  }

  status(): EngineStatus {
    return {
      engine: this.name,
      height: this.host === undefined ? 0n : this.host.head().header.number + 1n,
      round: 0,
      step: this.step,
      proposer: this.options.signer.address,
      validators: this.validatorCount,
    };
  }

  /** Resolves when no block is being produced (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.production !== undefined) await this.production;
  }

  /**
   * Resolves true once the block in production is committed, or production ends without one;
   * false at once when nothing is being produced. Under a stream of transactions production runs
   * block after block: an automined submission waits for its own block this way, not for the
   * stream to end.
   */
  nextBlock(): Promise<boolean> {
    if (this.production === undefined) return Promise.resolve(false);
    return new Promise((resolve) => this.blockWaiters.push(resolve));
  }

  private blockDone(): void {
    const waiters = this.blockWaiters;
    this.blockWaiters = [];
    for (const resolve of waiters) resolve(true);
  }

  private trigger(): void {
    this.wanted = true;
    if (this.production !== undefined || !this.producing()) return;
    this.production = this.produce().finally(() => {
      this.production = undefined;
      this.blockDone();
      // A trigger between the loop's last check and here found production still running and left
      // the work to it: pick it up now rather than lose it until the next arrival.
      if (this.hasWork()) this.trigger();
    });
  }

  private producing(): boolean {
    return this.step === "idle" || this.step === "building" || this.step === "committing";
  }

  private hasWork(): boolean {
    return this.producing() && ((this.wanted && this.automineEnabled) || this.heartbeatDue);
  }

  private async produce(): Promise<void> {
    while (this.hasWork()) {
      await this.gathering.gather(() => this.producing());
      if (!this.producing()) return;
      const host = this.host!;
      const heartbeat = this.heartbeatDue;
      this.wanted = false;
      this.heartbeatDue = false;
      try {
        await this.exclusive(() => (this.producing() ? this.produceBlock(host, heartbeat) : Promise.resolve()));
      } catch (error) {
        if (error instanceof ConsensusError) {
          this.step = "halted";
          clearTimeout(this.heartbeatTimer);
        } else if (this.producing()) {
          this.step = "idle";
        }
        this.options.onError?.(error);
        return;
      }
    }
  }

  private async produceBlock(host: ConsensusHost, heartbeat: boolean, chosenTimestamp?: bigint): Promise<void> {
    const parent = host.head();
    const gatheringMark = this.gathering.mark();
    await this.checkVotingPower(host);
    this.step = "building";
    const now = chosenTimestamp ?? this.now();
    const timestamp = now > parent.header.timestamp ? now : parent.header.timestamp + 1n;
    const built = await host.buildBlock(parent, { timestamp, coinbase: this.options.signer.address });
    if (built.block.transactions.length === 0 && !heartbeat) {
      if (this.producing()) this.step = "idle";
      return;
    }
    this.gathering.built(built.block.transactions.length, gatheringMark);
    const height = built.block.header.number;
    const blockHash = bytesToHex(built.block.hash()) as Hex;
    const signature = this.options.signer.signCommit(height, 0, blockHash);
    // A stop() during the build leaves the step "stopped": the block is still committed, nothing after it.
    if (this.producing()) this.step = "committing";
    await host.commitBlock(built, { height, round: 0, blockHash, signatures: [signature] });
    this.blockDone();
    if (this.producing()) this.step = "idle";
    // Transactions still waiting (the block was full): they get the next block now, not at the next
    // arrival (automine: a block whenever transactions wait). A build that then includes nothing
    // ends the loop above, so transactions that cannot run do not keep it spinning.
    if (host.hasPendingTransactions()) this.wanted = true;
    this.armHeartbeat();
  }

  /** This node may commit alone only while it holds more than 2/3 of the voting power. */
  private async checkVotingPower(host: ConsensusHost): Promise<void> {
    const set = await host.validatorSet(host.head());
    this.validatorCount = set.validators.length;
    const own = set.validators.find((v) => v.address === this.options.signer.address);
    if (own === undefined) {
      throw new ConsensusError("NOT_A_VALIDATOR", `${this.options.signer.address} is not in the active validator set`);
    }
    if (own.votingPower * 3n <= set.totalVotingPower * 2n) {
      throw new ConsensusError(
        "INSUFFICIENT_VOTING_POWER",
        `${this.options.signer.address} holds ${own.votingPower} of ${set.totalVotingPower} voting power: a single validator needs more than 2/3`,
      );
    }
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    const interval = this.interval;
    if (interval === undefined || !this.producing()) return;
    const ms = interval.minMs + Math.floor(Math.random() * (interval.maxMs - interval.minMs + 1));
    this.heartbeatTimer = setTimeout(() => {
      this.heartbeatDue = true;
      this.trigger();
    }, ms);
    this.heartbeatTimer.unref();
  }
}
