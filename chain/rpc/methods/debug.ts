/**
 * geth's debug tracing: debug_traceTransaction, debug_traceBlockByNumber, debug_traceBlockByHash and
 * debug_traceCall, with the struct logger (no tracer), "callTracer" (onlyTopCall, withLog) or
 * "prestateTracer" (diffMode). Traces run on the execution workers, under the same gas cap and time
 * limit as eth_call.
 */
import type { BlockTraceEntry, CallFrame, PrestateTrace, StructLogTrace, TraceConfig } from "../backend.ts";
import type { PrestateAccount } from "../../execution/tracing/prestateTracer.ts";
import { InvalidParamsError, RpcError, RpcErrorCode } from "../errors.ts";
import { quantity } from "../hex.ts";
import { blockBySelector, stateReference } from "../blockResolution.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import {
  blockOverride,
  blockSelector,
  bool,
  hash,
  object,
  optional,
  ParamError,
  shortString,
  stateOverride,
  transactionRequest,
  type Validator,
} from "../validation.ts";
import { checkChainId } from "./execution.ts";
import type { AccountOverride, BlockOverride } from "../../execution/calls.ts";
import type { Hex } from "../../types.ts";

const SUPPORTED_TRACERS = '"callTracer", "prestateTracer", or no tracer for struct logs';

interface TraceOptions {
  config: TraceConfig;
  stateOverrides?: AccountOverride[];
  blockOverrides?: BlockOverride;
}

/** geth's trace options; `forCall` also takes debug_traceCall's state and block overrides. */
function traceOptions(forCall: boolean): Validator<TraceOptions> {
  return (value) => {
    const fields = object(value);
    const tracer = fields.tracer === undefined || fields.tracer === null ? undefined : inField("tracer", shortString(64), fields.tracer);
    const tracerConfig = fields.tracerConfig === undefined || fields.tracerConfig === null ? {} : inField("tracerConfig", object, fields.tracerConfig);
    const flag = (name: string) => (tracerConfig[name] === undefined || tracerConfig[name] === null ? undefined : inField(`tracerConfig.${name}`, bool, tracerConfig[name]));
    let config: TraceConfig;
    switch (tracer) {
      case undefined:
        config = { tracer: "structLogs" };
        break;
      case "callTracer":
        config = { tracer: "callTracer", onlyTopCall: flag("onlyTopCall"), withLog: flag("withLog") };
        break;
      case "prestateTracer":
        config = { tracer: "prestateTracer", diffMode: flag("diffMode") };
        break;
      default:
        throw new ParamError(`tracer "${tracer}" is not supported: use ${SUPPORTED_TRACERS} (JavaScript tracers are not)`);
    }
    const options: TraceOptions = { config };
    if (forCall) {
      if (fields.stateOverrides !== undefined && fields.stateOverrides !== null) options.stateOverrides = inField("stateOverrides", stateOverride, fields.stateOverrides);
      if (fields.blockOverrides !== undefined && fields.blockOverrides !== null) options.blockOverrides = inField("blockOverrides", blockOverride, fields.blockOverrides);
    }
    return options;
  };
}

function inField<T>(name: string, validator: Validator<T>, value: unknown): T {
  try {
    return validator(value);
  } catch (error) {
    if (error instanceof ParamError) throw new ParamError(`${name}: ${error.reason}`);
    throw error;
  }
}

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
  if (frame.logs !== undefined && frame.logs.length > 0) result.logs = frame.logs.map((log) => ({ ...log, position: quantity(BigInt(log.position)) }));
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

/** geth's prestate shape: balance as hex, nonce as a JSON number, code and storage as hex. */
export function formatPrestate(trace: PrestateTrace): Record<string, unknown> {
  const accounts = (state: Record<Hex, PrestateAccount>) =>
    Object.fromEntries(
      Object.entries(state).map(([address, account]) => {
        const json: Record<string, unknown> = {};
        if (account.balance !== undefined) json.balance = quantity(account.balance);
        if (account.nonce !== undefined) json.nonce = Number(account.nonce);
        if (account.code !== undefined) json.code = account.code;
        if (account.storage !== undefined) json.storage = account.storage;
        return [address, json];
      }),
    );
  if ("pre" in trace && "post" in trace && typeof trace.pre === "object") {
    return { pre: accounts(trace.pre as Record<Hex, PrestateAccount>), post: accounts(trace.post as Record<Hex, PrestateAccount>) };
  }
  return accounts(trace as Record<Hex, PrestateAccount>);
}

function formatTrace(config: TraceConfig, trace: unknown): unknown {
  switch (config.tracer) {
    case "callTracer":
      return formatCallFrame(trace as CallFrame);
    case "prestateTracer":
      return formatPrestate(trace as PrestateTrace);
    case "structLogs":
      return formatStructLogs(trace as StructLogTrace);
  }
}

function formatBlockTrace(config: TraceConfig, entries: BlockTraceEntry[]): unknown[] {
  return entries.map((entry) => ({ txHash: entry.txHash, result: formatTrace(config, entry.result) }));
}

export const debugMethods: MethodTable = {
  debug_traceTransaction: defineMethod([hash, optional(traceOptions(false))], async ({ backend }, [txHash, options]) => {
    const config = options?.config ?? { tracer: "structLogs" };
    const located = await backend.getTransaction(txHash);
    if (located === undefined || located.blockHash === null) {
      throw new RpcError(RpcErrorCode.ServerError, `transaction ${txHash} not found`);
    }
    return formatTrace(config, await backend.traceTransaction(txHash, config));
  }),

  debug_traceBlockByNumber: defineMethod([blockSelector, optional(traceOptions(false))], async ({ backend }, [selector, options]) => {
    if (!("tag" in selector)) throw new InvalidParamsError(0, "expected a block number or tag; use debug_traceBlockByHash for a hash");
    return traceBlock(backend, selector, options?.config ?? { tracer: "structLogs" });
  }),

  debug_traceBlockByHash: defineMethod([hash, optional(traceOptions(false))], async ({ backend }, [blockHash, options]) =>
    traceBlock(backend, { hash: blockHash, requireCanonical: false }, options?.config ?? { tracer: "structLogs" }),
  ),

  debug_traceCall: defineMethod(
    [transactionRequest, optional(blockSelector), optional(traceOptions(true))],
    async ({ backend }, [request, selector, options]) => {
      const config = options?.config ?? { tracer: "structLogs" };
      const call = { ...checkChainId(backend, request), stateOverride: options?.stateOverrides, blockOverride: options?.blockOverrides };
      const block = await stateReference(backend, selector ?? { tag: "latest" });
      return formatTrace(config, await backend.traceCall(call, block, config));
    },
  ),
};

async function traceBlock(backend: Parameters<typeof blockBySelector>[0], selector: Parameters<typeof blockBySelector>[1], config: TraceConfig): Promise<unknown[]> {
  const block = await blockBySelector(backend, selector);
  if (block === undefined) throw new RpcError(RpcErrorCode.ServerError, `block ${"tag" in selector ? String(selector.tag) : selector.hash} not found`);
  // As geth: the genesis block ran no transactions and has no parent to re-run them on.
  if (block.header.number === 0n) throw new RpcError(RpcErrorCode.ServerError, "genesis is not traceable");
  const entries = await backend.traceBlock(`0x${Buffer.from(block.hash()).toString("hex")}` as Hex, config);
  if (entries === undefined) throw new RpcError(RpcErrorCode.ServerError, `block ${block.header.number} not found`);
  return formatBlockTrace(config, entries);
}
