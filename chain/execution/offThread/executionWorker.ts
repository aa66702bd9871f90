/**
 * An execution worker: runs eth_call, eth_estimateGas and debug_traceTransaction on its own thread,
 * so that no client request can hold up the thread that builds, verifies and commits blocks.
 *
 * It builds the node's EVM (same Common, patches, system calls) over a state it reads through the
 * node: each trie node and block hash is asked for by message (remoteSources below). One job runs at
 * a time; the pool stops the whole thread when a job passes its time limit, which is the only way to
 * interrupt an EVM that never yields.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { Block, createBlockFromRLP } from "@ethereumjs/block";
import { bindSender, unfrozenCopy } from "../boundSender.ts";
import { BlockExecutor } from "../blockExecutor.ts";
import { CallExecutor } from "../calls.ts";
import { createConcordCommon } from "../common.ts";
import { contextHeader } from "../header.ts";
import { stakingSystemCalls } from "../stakingState.ts";
import { traceBlockTransactions } from "../tracing/traceRun.ts";
import type { BlockHashSource } from "../executionState.ts";
import type { StateNodeSource } from "../stateNodeDb.ts";
import type { ExecutionJob, FromWorker, JobResult, SerializedError, ToWorker, WorkerSetup } from "./workerMessages.ts";

const port = parentPort!;
const setup = workerData as WorkerSetup;

/**
 * Calls yield the CPU to block production: on Linux, niceness is per thread, so this worker's
 * thread runs at nice 10 (about a tenth of the node thread's share when both want a core). On a
 * 2-core laptop, two busy workers at the same priority took 80% of block throughput away.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, CALL_THREAD_NICENESS);
  } catch {
    // Not Linux, or not allowed: calls then share the CPU equally, which is only slower under load.
  }
}
const CALL_THREAD_NICENESS = 10;
lowerThreadPriority();

const send = (message: FromWorker) => port.postMessage(message);

/** Reads answered by the node thread, by request id. */
const waiting = new Map<number, { resolve: (value: Uint8Array | undefined) => void; reject: (error: Error) => void }>();
let nextRequestId = 1;

function ask(message: { type: "stateNode"; key: string } | { type: "blockHash"; number: bigint }): Promise<Uint8Array | undefined> {
  const requestId = nextRequestId++;
  return new Promise((resolve, reject) => {
    waiting.set(requestId, { resolve, reject });
    send({ ...message, requestId });
  });
}

const remoteStateNodes: StateNodeSource = { getStateNode: (key) => ask({ type: "stateNode", key }) };
const remoteBlockHashes: BlockHashSource = { blockHash: (number) => ask({ type: "blockHash", number }) };

const common = await createConcordCommon({ chainId: setup.chainId });
const executor = new BlockExecutor({
  common,
  stateNodes: remoteStateNodes,
  blockHashes: remoteBlockHashes,
  systemCalls: setup.epochLength === undefined ? undefined : stakingSystemCalls(setup.epochLength),
});
/** Console.log lines of the job running now (one job at a time per worker). */
let consoleLines: string[] = [];
const calls = new CallExecutor(executor, {
  gasCap: setup.gasCap,
  onConsoleLog: setup.consoleLog === true ? (lines) => consoleLines.push(...lines) : undefined,
});

async function run(job: ExecutionJob): Promise<JobResult> {
  switch (job.kind) {
    case "call":
      return calls.call({ header: contextHeader(job.header, common), stateRoot: job.stateRoot }, job.request);
    case "estimateGas":
      return calls.estimateGas({ header: contextHeader(job.header, common), stateRoot: job.stateRoot }, job.request);
    case "createAccessList":
      return calls.createAccessList({ header: contextHeader(job.header, common), stateRoot: job.stateRoot }, job.request);
    case "traceCall":
      return calls.traceCall({ header: contextHeader(job.header, common), stateRoot: job.stateRoot }, job.request, job.config);
    case "traceBlock": {
      const parent = createBlockFromRLP(job.parent, { common });
      // Senders as the node recorded them: an impersonated transaction (dev chain) has no real signature.
      const decoded = createBlockFromRLP(job.block, { common });
      const transactions = decoded.transactions.map((tx, i) => bindSender(unfrozenCopy(tx), job.senders[i]!));
      const block = new Block(decoded.header, transactions, [], decoded.withdrawals, { common });
      return traceBlockTransactions(executor, parent, block, job.config, job.preStateRoot, job.index);
    }
  }
}

function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const typed = error as Error & { code?: unknown; returnData?: unknown };
  return {
    name: error.name,
    message: error.message,
    code: typeof typed.code === "string" ? typed.code : undefined,
    returnData: typed.returnData instanceof Uint8Array ? typed.returnData : undefined,
  };
}

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "job":
      consoleLines = [];
      run(message.job).then(
        (result) => send({ type: "done", id: message.id, result, consoleLines: consoleLines.length > 0 ? consoleLines : undefined }),
        (error: unknown) => send({ type: "failed", id: message.id, error: serializeError(error) }),
      );
      return;
    case "readFailed": {
      const reader = waiting.get(message.requestId);
      waiting.delete(message.requestId);
      reader?.reject(new Error(message.message));
      return;
    }
    default: {
      const reader = waiting.get(message.requestId);
      waiting.delete(message.requestId);
      reader?.resolve(message.value);
    }
  }
});

send({ type: "ready" });
