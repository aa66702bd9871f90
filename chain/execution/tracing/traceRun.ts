/**
 * Tracing a committed transaction, a whole block, or a call: the transaction runs on its block's
 * state with a tracer listening to the EVM's events (debug_traceTransaction, debug_traceBlockBy*,
 * debug_traceCall). Blocks are re-executed on their parent's state, up to the transaction asked for.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import { bytesToHex } from "@ethereumjs/util";
import { BlockRun, type BlockExecutor } from "../blockExecutor.ts";
import { CallError, CallErrorCode } from "../errors.ts";
import type { ExecutionState } from "../executionState.ts";
import { CallTracer } from "./callTracer.ts";
import { PrestateTracer } from "./prestateTracer.ts";
import { StructLogger } from "./structLogger.ts";
import type { TraceConfig, TracedOutcome, TracedTransaction, TxTracer } from "./traceConfig.ts";
import type { Hex } from "../../types.ts";

export function createTracer(config: TraceConfig, transaction: TracedTransaction): TxTracer<unknown> {
  switch (config.tracer) {
    case "callTracer":
      return new CallTracer({ onlyTopCall: config.onlyTopCall, withLog: config.withLog });
    case "prestateTracer":
      return new PrestateTracer(transaction, config.diffMode);
    case "structLogs":
      return new StructLogger();
  }
}

/**
 * Runs `execute` with `tracer` listening, and asks it for its report. `rewind` undoes whatever the
 * run recorded outside the state (a block's gas accounting) when the tracer rolls the run back.
 */
export async function runTraced(
  state: ExecutionState,
  tracer: TxTracer<unknown>,
  execute: () => Promise<TracedOutcome>,
  rewind: () => void = () => {},
): Promise<{ result: unknown; undone: boolean }> {
  const events = state.vm.evm.events!;
  const onStep = (step: InterpreterStep) => tracer.step?.(step);
  const onBefore = (message: Message) => tracer.enter?.(message);
  const onAfter = (result: EVMResult) => tracer.exit?.(result);
  if (tracer.needsUndo === true) await state.vm.evm.journal.checkpoint();
  if (tracer.step !== undefined) events.on("step", onStep);
  if (tracer.enter !== undefined) events.on("beforeMessage", onBefore);
  if (tracer.exit !== undefined) events.on("afterMessage", onAfter);
  let outcome: TracedOutcome;
  try {
    outcome = await execute();
  } catch (error) {
    if (tracer.needsUndo === true) await state.vm.evm.journal.revert();
    throw error;
  } finally {
    events.off("step", onStep);
    events.off("beforeMessage", onBefore);
    events.off("afterMessage", onAfter);
  }
  let undone = false;
  const undo = async () => {
    if (undone) return;
    undone = true;
    await state.vm.evm.journal.revert();
    rewind();
  };
  const result = await tracer.result(outcome, state, undo);
  if (tracer.needsUndo === true && !undone) await state.vm.evm.journal.commit();
  return { result, undone };
}

export interface BlockTraceEntry {
  txHash: Hex;
  result: unknown;
}

/**
 * Traces transaction `index` of `block` (all of them when `index` is undefined), re-running the
 * block on `preStateRoot` (the parent's state, or a dev chain's pending state it was built on).
 */
export async function traceBlockTransactions(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  config: TraceConfig,
  preStateRoot: Uint8Array = parent.header.stateRoot,
  index?: number,
): Promise<BlockTraceEntry[]> {
  if (index !== undefined && block.transactions[index] === undefined) {
    throw new CallError(CallErrorCode.UnknownTransaction, `block ${block.header.number} has no transaction ${index}`);
  }
  const run = await BlockRun.start(executor, await executor.openState(preStateRoot), block);
  const last = index ?? block.transactions.length - 1;
  const traces: BlockTraceEntry[] = [];
  for (let i = 0; i <= last; i++) {
    const tx = block.transactions[i]!;
    if (index !== undefined && i < index) {
      await run.runTransaction(tx);
      continue;
    }
    const tracer = createTracer(config, tracedTransaction(tx, block));
    const mark = run.mark();
    const { result, undone } = await runTraced(
      run.state,
      tracer,
      async () => outcomeOf(tx, await run.runTransaction(tx)),
      () => run.rewind(mark),
    );
    // A tracer that rolled its transaction back (prestate): run it again so the next ones see its effects.
    if (undone && i < last) await run.runTransaction(tx);
    traces.push({ txHash: bytesToHex(tx.hash()) as Hex, result });
  }
  return traces;
}

/** Traces one committed transaction: see `traceBlockTransactions`. */
export async function traceTransaction(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  index: number,
  config: TraceConfig,
  preStateRoot?: Uint8Array,
): Promise<unknown> {
  const [entry] = await traceBlockTransactions(executor, parent, block, config, preStateRoot, index);
  return entry!.result;
}

function tracedTransaction(tx: TypedTransaction, block: Block): TracedTransaction {
  return { from: tx.getSenderAddress().toString(), to: tx.to?.toString(), coinbase: block.header.coinbase.toString() };
}

function outcomeOf(tx: TypedTransaction, result: { totalGasSpent: bigint; execResult: { exceptionError?: unknown; returnValue: Uint8Array } }): TracedOutcome {
  return {
    gasLimit: tx.gasLimit,
    gasUsed: result.totalGasSpent,
    failed: result.execResult.exceptionError !== undefined,
    returnValue: result.execResult.returnValue,
  };
}
