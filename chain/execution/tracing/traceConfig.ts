/**
 * What a trace asks for (geth's `tracer` and `tracerConfig`), and the contract every tracer meets:
 * it listens to the EVM's events while one transaction or call runs, then reports.
 */
import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import type { ExecutionState } from "../executionState.ts";

export type TraceConfig =
  /** geth's default: struct logs. */
  | { tracer: "structLogs" }
  | { tracer: "callTracer"; onlyTopCall?: boolean; withLog?: boolean }
  | { tracer: "prestateTracer"; diffMode?: boolean };

export type TracerName = TraceConfig["tracer"];

/** How the traced transaction or call ended. */
export interface TracedOutcome {
  gasLimit: bigint;
  /** Gas as the receipt counts it (after refunds). */
  gasUsed: bigint;
  failed: boolean;
  returnValue: Uint8Array;
}

/** The accounts a transaction touches before any opcode runs (the prestate tracer reads them). */
export interface TracedTransaction {
  from: string;
  to?: string;
  coinbase: string;
}

export interface TxTracer<Result> {
  step?(step: InterpreterStep): void;
  enter?(message: Message): void;
  exit?(result: EVMResult): void;
  /**
   * The report. A tracer that must see the state before the run (prestate) is given `undo`, which
   * rolls the run back; it is called at most once, and the caller re-runs if it needs the effects.
   */
  result(outcome: TracedOutcome, state: ExecutionState, undo: () => Promise<void>): Promise<Result>;
  /** True when `result` calls `undo`: the caller checkpoints the state before the run. */
  readonly needsUndo?: boolean;
}
