/**
 * Messages between the node's thread and its execution workers (executionPool.ts, executionWorker.ts).
 *
 * A job carries everything that is not state: the request, the block context as header JSON, blocks
 * as RLP. State is pulled by the worker as it needs it, one trie node or block hash at a time, from
 * the node's committed (or dev pending) state: those are content-addressed, so a worker caches them
 * without ever invalidating. Values cross as structured clones (bigint and Uint8Array survive).
 */
import type { JSONHeader } from "@ethereumjs/block";
import type { CallOutcome, CallRequest } from "../calls.ts";
import type { TraceConfig } from "../tracing/traceConfig.ts";
import type { Hex } from "../../types.ts";

/** What a worker needs to build the same EVM as the node's (chain id, staking epochs for traces). */
export interface WorkerSetup {
  chainId: bigint;
  gasCap: bigint;
  /** The staking contract's epoch length when the chain has one (its system calls run in traced blocks). */
  epochLength?: bigint;
  /** Collect Solidity console.log lines of calls and estimates (sent back with the job's result). */
  consoleLog?: boolean;
}

export type ExecutionJob =
  | { kind: "call"; header: JSONHeader; stateRoot: Uint8Array; request: CallRequest }
  | { kind: "estimateGas"; header: JSONHeader; stateRoot: Uint8Array; request: CallRequest }
  | { kind: "createAccessList"; header: JSONHeader; stateRoot: Uint8Array; request: CallRequest }
  | { kind: "traceCall"; header: JSONHeader; stateRoot: Uint8Array; request: CallRequest; config: TraceConfig }
  /** One transaction of a block (`index`), or all of them. */
  | { kind: "traceBlock"; parent: Uint8Array; block: Uint8Array; senders: Hex[]; index?: number; config: TraceConfig; preStateRoot: Uint8Array };

export type JobResult = CallOutcome | bigint | unknown;

/** A thrown error, as data: CallErrors keep their code and revert data. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  returnData?: Uint8Array;
}

/** Node thread -> worker. */
export type ToWorker =
  | { type: "job"; id: number; job: ExecutionJob }
  | { type: "stateNode"; requestId: number; value: Uint8Array | undefined }
  | { type: "blockHash"; requestId: number; value: Uint8Array | undefined }
  | { type: "readFailed"; requestId: number; message: string };

/** Worker -> node thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "done"; id: number; result: JobResult; consoleLines?: string[] }
  | { type: "failed"; id: number; error: SerializedError }
  | { type: "stateNode"; requestId: number; key: string }
  | { type: "blockHash"; requestId: number; number: bigint };
