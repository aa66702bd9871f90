/**
 * The node's execution workers: eth_call, eth_estimateGas and debug_traceTransaction run on worker
 * threads (executionWorker.ts) over the committed state, never on the thread that builds, verifies
 * and commits blocks. A client's endless loop then costs a worker, not the chain.
 *
 * - Each job has a wall-clock limit (geth's --rpc.evmtimeout, 5 s by default): past it the worker
 *   thread is stopped (an EVM in a tight loop never yields, so nothing short of that interrupts it),
 *   the client gets CallError TIMED_OUT naming the limit, and a fresh worker takes its place.
 * - Workers start on first use, up to `workers`, and stop after a minute with nothing to do; jobs
 *   beyond them wait in a bounded queue, and past it are refused with BUSY rather than piling up.
 * - Workers read state through this thread (`stateNodes`, `blockHashes`): one source of truth, and a
 *   dev chain's pending changes (hardhat_setBalance...) are seen by calls exactly as before.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Block } from "@ethereumjs/block";
import type { AccessListResult, CallContext, CallOutcome, CallRequest } from "../calls.ts";
import { DEFAULT_CALL_GAS_CAP } from "../calls.ts";
import { CallError, CallErrorCode } from "../errors.ts";
import type { BlockHashSource } from "../executionState.ts";
import type { StateNodeSource } from "../stateNodeDb.ts";
import type { TraceConfig } from "../tracing/traceConfig.ts";
import type { BlockTraceEntry } from "../tracing/traceRun.ts";
import type { Hex } from "../../types.ts";
import type { ExecutionJob, FromWorker, JobResult, SerializedError, ToWorker, WorkerSetup } from "./workerMessages.ts";

/** geth's --rpc.evmtimeout default. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export interface ExecutionPoolOptions {
  chainId: bigint;
  stateNodes: StateNodeSource;
  blockHashes: BlockHashSource;
  /** See CallExecutorOptions.gasCap (default 50,000,000). */
  gasCap?: bigint;
  /** Wall-clock limit of one call, estimate or trace, in milliseconds (default 5,000). */
  timeoutMs?: number;
  /** Most worker threads (default: one per core beyond the node's own, at least 2, at most 4). */
  workers?: number;
  /** Most jobs waiting for a worker before new ones are refused (default 256). */
  maxQueued?: number;
  /** A worker idle this long is stopped (default 60 s). */
  idleMs?: number;
  /** The staking contract's epoch length, for traces of blocks that run its system calls. */
  epochLength?: bigint;
  /** Receives the Solidity console.log lines of each eth_call and eth_estimateGas that printed any. */
  onConsoleLog?: (source: "eth_call" | "eth_estimateGas", lines: string[]) => void;
}

/** What the RPC backend runs without committing: the same signatures as CallExecutor and traceTransaction. */
export interface OffThreadExecution {
  call(context: CallContext, request: CallRequest): Promise<CallOutcome>;
  estimateGas(context: CallContext, request: CallRequest): Promise<bigint>;
  traceCall(context: CallContext, request: CallRequest, config: TraceConfig): Promise<unknown>;
  createAccessList(context: CallContext, request: CallRequest): Promise<AccessListResult>;
  /** Traces transaction `index` of `block`, or every transaction when `index` is undefined. */
  traceBlock(parent: Block, block: Block, senders: Hex[], config: TraceConfig, preStateRoot: Uint8Array, index?: number): Promise<BlockTraceEntry[]>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  job: ExecutionJob;
  resolve: (result: JobResult) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  thread: Worker;
  ready: Promise<void>;
  /** It loaded and said ready: a worker that never does is not replaced (it would fail again). */
  started: boolean;
  current?: Job;
  timer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

const WORKER_URL = new URL("./executionWorker.ts", import.meta.url);
/** Old-generation heap of one worker: the EVM, its caches (trie nodes: ~50 MB at most) and one call's state. */
const WORKER_HEAP_MB = 512;

export class ExecutionPool implements OffThreadExecution {
  readonly #options: Required<Omit<ExecutionPoolOptions, "epochLength" | "onConsoleLog">> & Pick<ExecutionPoolOptions, "epochLength" | "onConsoleLog">;
  readonly #idle: PoolWorker[] = [];
  readonly #busy = new Set<PoolWorker>();
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Jobs stopped at the time limit since the pool started (the soak benchmark reports it). */
  timeouts = 0;

  constructor(options: ExecutionPoolOptions) {
    this.#options = {
      gasCap: DEFAULT_CALL_GAS_CAP,
      timeoutMs: DEFAULT_CALL_TIMEOUT_MS,
      workers: Math.min(4, Math.max(2, availableParallelism() - 1)),
      maxQueued: 256,
      idleMs: 60_000,
      ...options,
    };
  }

  call(context: CallContext, request: CallRequest): Promise<CallOutcome> {
    return this.#submit({ kind: "call", header: context.header.toJSON(), stateRoot: context.stateRoot, request }) as Promise<CallOutcome>;
  }

  estimateGas(context: CallContext, request: CallRequest): Promise<bigint> {
    return this.#submit({ kind: "estimateGas", header: context.header.toJSON(), stateRoot: context.stateRoot, request }) as Promise<bigint>;
  }

  createAccessList(context: CallContext, request: CallRequest): Promise<AccessListResult> {
    return this.#submit({ kind: "createAccessList", header: context.header.toJSON(), stateRoot: context.stateRoot, request }) as Promise<AccessListResult>;
  }

  traceCall(context: CallContext, request: CallRequest, config: TraceConfig): Promise<unknown> {
    return this.#submit({ kind: "traceCall", header: context.header.toJSON(), stateRoot: context.stateRoot, request, config });
  }

  traceBlock(parent: Block, block: Block, senders: Hex[], config: TraceConfig, preStateRoot: Uint8Array, index?: number): Promise<BlockTraceEntry[]> {
    return this.#submit({ kind: "traceBlock", parent: parent.serialize(), block: block.serialize(), senders, index, config, preStateRoot }) as Promise<BlockTraceEntry[]>;
  }

  /** Workers running now (tests and the soak benchmark look). */
  get threads(): number {
    return this.#idle.length + this.#busy.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new CallError(CallErrorCode.Busy, "the node is shutting down"));
    const all = [...this.#idle.splice(0), ...this.#busy];
    this.#busy.clear();
    for (const worker of all) worker.current?.reject(new CallError(CallErrorCode.Busy, "the node is shutting down"));
    await Promise.all(all.map((worker) => this.#stop(worker)));
  }

  #submit(job: ExecutionJob): Promise<JobResult> {
    if (this.#closed) return Promise.reject(new CallError(CallErrorCode.Busy, "the node is shutting down"));
    return new Promise((resolve, reject) => {
      const entry: Job = { id: this.#nextId++, job, resolve, reject };
      const worker = this.#idle.pop() ?? (this.threads < this.#options.workers ? this.#spawn() : undefined);
      if (worker !== undefined) {
        this.#start(worker, entry);
        return;
      }
      if (this.#queue.length >= this.#options.maxQueued) {
        reject(
          new CallError(
            CallErrorCode.Busy,
            `too many calls in progress (${this.#options.workers} running, ${this.#queue.length} waiting); try again shortly`,
          ),
        );
        return;
      }
      this.#queue.push(entry);
    });
  }

  #spawn(): PoolWorker {
    const setup: WorkerSetup = {
      chainId: this.#options.chainId,
      gasCap: this.#options.gasCap,
      epochLength: this.#options.epochLength,
      consoleLog: this.#options.onConsoleLog !== undefined,
    };
    // A heap limit per worker: a call that allocates without end fails alone instead of the node.
    const thread = new Worker(WORKER_URL, { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // A worker must not keep the process alive: the node decides when it stops.
    thread.unref();
    const worker: PoolWorker = {
      thread,
      started: false,
      ready: new Promise((resolve, reject) => {
        thread.once("message", (message: FromWorker) => (message.type === "ready" ? resolve() : reject(new Error(`worker sent ${message.type} first`))));
        thread.once("error", reject);
      }),
    };
    worker.ready.then(
      () => (worker.started = true),
      () => {},
    );
    thread.on("message", (message: FromWorker) => this.#onMessage(worker, message));
    thread.on("error", (error) => this.#onCrash(worker, error));
    thread.on("exit", (code) => {
      if (worker.current !== undefined) this.#onCrash(worker, new Error(`execution worker exited with code ${code}`));
    });
    return worker;
  }

  #start(worker: PoolWorker, job: Job): void {
    clearTimeout(worker.idleTimer);
    worker.current = job;
    this.#busy.add(worker);
    worker.ready.then(
      () => {
        if (worker.current !== job) return;
        // The limit counts from the start of the run: not the time queued, nor a new worker's loading.
        worker.timer = setTimeout(() => this.#timedOut(worker, job), this.#options.timeoutMs);
        worker.thread.postMessage({ type: "job", id: job.id, job: job.job } satisfies ToWorker);
      },
      (error: unknown) => this.#onCrash(worker, error),
    );
  }

  #onMessage(worker: PoolWorker, message: FromWorker): void {
    switch (message.type) {
      case "ready":
        return;
      case "stateNode":
        this.#answerRead(worker, message.requestId, "stateNode", () => this.#options.stateNodes.getStateNode(message.key));
        return;
      case "blockHash":
        this.#answerRead(worker, message.requestId, "blockHash", () => this.#options.blockHashes.blockHash(message.number));
        return;
      case "done":
      case "failed": {
        const job = worker.current;
        if (job === undefined || job.id !== message.id) return;
        this.#finish(worker);
        if (message.type === "done" && message.consoleLines !== undefined && (job.job.kind === "call" || job.job.kind === "estimateGas")) {
          this.#options.onConsoleLog?.(job.job.kind === "call" ? "eth_call" : "eth_estimateGas", message.consoleLines);
        }
        if (message.type === "done") job.resolve(message.result);
        else job.reject(deserializeError(message.error));
      }
    }
  }

  #answerRead(worker: PoolWorker, requestId: number, type: "stateNode" | "blockHash", read: () => Promise<Uint8Array | undefined>): void {
    read().then(
      (value) => worker.thread.postMessage({ type, requestId, value } satisfies ToWorker),
      (error: unknown) => worker.thread.postMessage({ type: "readFailed", requestId, message: error instanceof Error ? error.message : String(error) } satisfies ToWorker),
    );
  }

  /** The worker is free again: it takes the next queued job, or waits (and stops when idle long). */
  #finish(worker: PoolWorker): void {
    clearTimeout(worker.timer);
    worker.current = undefined;
    this.#busy.delete(worker);
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#start(worker, next);
      return;
    }
    this.#idle.push(worker);
    worker.idleTimer = setTimeout(() => {
      const index = this.#idle.indexOf(worker);
      if (index === -1) return;
      this.#idle.splice(index, 1);
      void this.#stop(worker);
    }, this.#options.idleMs).unref();
  }

  #timedOut(worker: PoolWorker, job: Job): void {
    if (worker.current !== job) return;
    this.timeouts++;
    worker.current = undefined;
    this.#replace(worker);
    const seconds = this.#options.timeoutMs / 1000;
    job.reject(
      new CallError(
        CallErrorCode.TimedOut,
        `execution aborted (timeout = ${seconds}s): the call ran past the node's time limit for one call; lower its gas, or raise the limit with --rpc-evmtimeout`,
      ),
    );
  }

  #onCrash(worker: PoolWorker, error: unknown): void {
    const job = worker.current;
    worker.current = undefined;
    if (!this.#busy.has(worker) && !this.#idle.includes(worker)) return;
    this.#replace(worker);
    if ((error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY") {
      job?.reject(new CallError(CallErrorCode.InvalidRequest, `the call ran out of memory (an execution worker holds at most ${WORKER_HEAP_MB} MB) and was stopped`));
      return;
    }
    job?.reject(new Error(`execution worker failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** Stops a worker that cannot go on, and gives its place (and the next queued job) to a new one. */
  #replace(worker: PoolWorker): void {
    clearTimeout(worker.timer);
    this.#busy.delete(worker);
    const index = this.#idle.indexOf(worker);
    if (index !== -1) this.#idle.splice(index, 1);
    void this.#stop(worker);
    if (this.#closed) return;
    if (!worker.started) {
      // The worker could not even load: so would the next. Fail what waits instead of looping.
      for (const job of this.#queue.splice(0)) job.reject(new Error("execution workers cannot start; see the node's log"));
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) this.#start(this.#spawn(), next);
  }

  async #stop(worker: PoolWorker): Promise<void> {
    clearTimeout(worker.timer);
    clearTimeout(worker.idleTimer);
    await worker.thread.terminate().catch(() => {});
  }
}

function deserializeError(error: SerializedError): Error {
  if (error.name === "CallError" && error.code !== undefined) return new CallError(error.code as CallErrorCode, error.message, error.returnData);
  const restored = new Error(error.message);
  restored.name = error.name;
  return restored;
}
