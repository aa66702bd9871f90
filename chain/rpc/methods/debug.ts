/** debug_traceTransaction: geth's callTracer frames, or struct logs without a tracer. */
import type { CallFrame, StructLogTrace } from "../backend.ts";
import { InvalidParamsError, RpcError, RpcErrorCode } from "../errors.ts";
import { toJsonValue } from "../format/json.ts";
import { quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { hash, object, optional, ParamError, shortString, type Validator } from "../validation.ts";

interface TraceOptions {
  tracer?: string;
}

const traceOptions: Validator<TraceOptions> = (value) => {
  const fields = object(value);
  if (fields.tracer === undefined || fields.tracer === null) return {};
  try {
    return { tracer: shortString(64)(fields.tracer) };
  } catch (error) {
    if (error instanceof ParamError) throw new ParamError(`tracer: ${error.reason}`);
    throw error;
  }
};

export function formatCallFrame(frame: CallFrame): Record<string, unknown> {
  const result: Record<string, unknown> = {
    type: frame.type,
    from: frame.from,
    gas: quantity(frame.gas),
    gasUsed: quantity(frame.gasUsed),
    input: frame.input,
  };
  if (frame.to !== undefined) result.to = frame.to;
  if (frame.value !== undefined) result.value = quantity(frame.value);
  if (frame.output !== undefined) result.output = frame.output;
  if (frame.error !== undefined) result.error = frame.error;
  if (frame.revertReason !== undefined) result.revertReason = frame.revertReason;
  if (frame.calls !== undefined && frame.calls.length > 0) result.calls = frame.calls.map(formatCallFrame);
  return result;
}

/** geth's default tracer output: gas figures as JSON numbers, stack words as hex. */
export function formatStructLogs(trace: StructLogTrace): Record<string, unknown> {
  return {
    gas: Number(trace.gas),
    failed: trace.failed,
    returnValue: trace.returnValue,
    structLogs: trace.structLogs.map((log) => ({
      pc: log.pc,
      op: log.op,
      gas: Number(log.gas),
      gasCost: Number(log.gasCost),
      depth: log.depth,
      stack: log.stack,
    })),
  };
}

function isStructLogTrace(trace: unknown): trace is StructLogTrace {
  return typeof trace === "object" && trace !== null && Array.isArray((trace as { structLogs?: unknown }).structLogs);
}

export const debugMethods: MethodTable = {
  debug_traceTransaction: defineMethod([hash, optional(traceOptions)], async ({ backend }, [txHash, options]) => {
    const tracer = options?.tracer;
    if (tracer !== undefined && tracer !== "callTracer") {
      throw new InvalidParamsError(1, `tracer "${tracer}" is not supported: use "callTracer", or no tracer for struct logs`);
    }
    const located = await backend.getTransaction(txHash);
    if (located === undefined || located.blockHash === null) {
      throw new RpcError(RpcErrorCode.ServerError, `transaction ${txHash} not found`);
    }
    const trace = await backend.traceTransaction(txHash, tracer ?? "structLogs");
    if (tracer === "callTracer") return formatCallFrame(trace as CallFrame);
    return isStructLogTrace(trace) ? formatStructLogs(trace) : toJsonValue(trace);
  }),
};
