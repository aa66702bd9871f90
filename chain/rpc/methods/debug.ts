/** debug_traceTransaction: geth's callTracer frames, or struct logs without a tracer. */
import type { CallFrame } from "../backend.ts";
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
    return tracer === "callTracer" ? formatCallFrame(trace as CallFrame) : toJsonValue(trace);
  }),
};
