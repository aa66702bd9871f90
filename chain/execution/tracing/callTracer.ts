/**
 * geth's callTracer: one frame per message call, nested as they ran.
 *
 * Frames come from `beforeMessage` / `afterMessage`; the opcode that opened a frame (CALL, STATICCALL,
 * DELEGATECALL, CALLCODE, CREATE, CREATE2) comes from the last `step` of the parent frame, since a
 * message alone cannot tell a CALL inside a static context from a STATICCALL. The top frame reports
 * the transaction's gas limit and its receipt gas, as geth does. `withLog` adds each frame's logs
 * (read from the LOGn opcode's stack and memory), dropped again when the frame fails, as geth does.
 */
import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import { bytesToHex, type Address } from "@ethereumjs/util";
import { failureKind } from "../calls.ts";
import type { TracedOutcome, TxTracer } from "./traceConfig.ts";
import type { Hex } from "../../types.ts";

export type CallFrameType = "CALL" | "STATICCALL" | "DELEGATECALL" | "CALLCODE" | "CREATE" | "CREATE2" | "SELFDESTRUCT";

export interface CallFrameLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  /** How many child calls of the frame came before the log. */
  position: number;
}

/** geth's callTracer frame (what debug_traceTransaction serves). */
export interface CallFrame {
  type: CallFrameType;
  from: Hex;
  to?: Hex;
  value?: bigint;
  gas: bigint;
  gasUsed: bigint;
  input: Hex;
  output?: Hex;
  error?: string;
  revertReason?: string;
  calls?: CallFrame[];
  logs?: CallFrameLog[];
}

export interface CallTracerOptions {
  /** Only the top frame (geth's `onlyTopCall`). */
  onlyTopCall?: boolean;
  /** Each frame's logs (geth's `withLog`). */
  withLog?: boolean;
}

const FRAME_OPENERS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE", "CREATE", "CREATE2"]);

export class CallTracer implements TxTracer<CallFrame> {
  private readonly stack: CallFrame[] = [];
  private top: CallFrame | undefined;
  private opener: CallFrameType | undefined;

  constructor(private readonly options: CallTracerOptions = {}) {}

  step(step: InterpreterStep): void {
    const name = step.opcode.name;
    // An opener that produced no message (early failure) must not type a later frame.
    this.opener = FRAME_OPENERS.has(name) ? (name as CallFrameType) : undefined;
    if (name === "SELFDESTRUCT") {
      const beneficiary = step.stack[step.stack.length - 1]!;
      this.current()?.calls?.push({
        type: "SELFDESTRUCT",
        from: hex(step.address),
        to: `0x${beneficiary.toString(16).padStart(40, "0")}` as Hex,
        value: step.account.balance,
        gas: 0n,
        gasUsed: 0n,
        input: "0x",
      });
    } else if (this.options.withLog === true && name.startsWith("LOG")) {
      this.log(step, Number(name.slice(3)));
    }
  }

  enter(message: Message): void {
    const isCreate = message.to === undefined;
    const type: CallFrameType = this.stack.length === 0 || this.opener === undefined ? (isCreate ? "CREATE" : "CALL") : this.opener;
    this.opener = undefined;
    const delegated = type === "DELEGATECALL" || type === "CALLCODE";
    const frame: CallFrame = {
      type,
      // Under DELEGATECALL the message keeps the original msg.sender; the frame's "from" is the
      // contract that delegated (the storage context), as in geth.
      from: hex(type === "DELEGATECALL" ? message.to! : message.caller),
      to: isCreate ? undefined : hex(delegated ? message.codeAddress : message.to!),
      value: type === "STATICCALL" ? undefined : message.value,
      gas: message.gasLimit,
      gasUsed: 0n,
      input: bytesToHex(message.data) as Hex,
      calls: [],
    };
    if (this.options.withLog === true) frame.logs = [];
    // With onlyTopCall the nested frames are still tracked (to keep the stack right), never attached.
    if (this.options.onlyTopCall !== true) this.current()?.calls?.push(frame);
    if (this.stack.length === 0) this.top = frame;
    this.stack.push(frame);
  }

  exit(result: EVMResult): void {
    const frame = this.stack.pop();
    if (frame === undefined) return;
    const { execResult } = result;
    frame.gasUsed = execResult.executionGasUsed;
    if (result.createdAddress !== undefined) frame.to = hex(result.createdAddress);
    const output = bytesToHex(execResult.returnValue) as Hex;
    if (execResult.exceptionError === undefined) {
      frame.output = output;
    } else {
      if (failureKind(execResult.exceptionError) === "revert") {
        frame.error = "execution reverted";
        frame.output = output;
        const reason = errorStringReason(execResult.returnValue);
        if (reason !== undefined) frame.revertReason = reason;
      } else {
        frame.error = execResult.exceptionError.error;
      }
      // A failed frame's logs (and its children's) never happened.
      clearLogs(frame);
    }
    if (frame.calls?.length === 0) delete frame.calls;
    if (frame.logs?.length === 0) delete frame.logs;
  }

  async result(outcome: TracedOutcome): Promise<CallFrame> {
    if (this.top === undefined) throw new Error("transaction produced no call frame");
    this.top.gas = outcome.gasLimit;
    this.top.gasUsed = outcome.gasUsed;
    return this.top;
  }

  private log(step: InterpreterStep, topicCount: number): void {
    const frame = this.current();
    if (frame?.logs === undefined) return;
    const stack = step.stack;
    const offset = Number(stack[stack.length - 1]);
    const size = Number(stack[stack.length - 2]);
    const topics = Array.from({ length: topicCount }, (_, i) => `0x${stack[stack.length - 3 - i]!.toString(16).padStart(64, "0")}` as Hex);
    // Memory not yet expanded to the range reads as zeros, as LOG will see it after expansion.
    const data = new Uint8Array(size);
    data.set(step.memory.subarray(offset, offset + size));
    frame.logs.push({ address: hex(step.address), topics, data: bytesToHex(data) as Hex, position: frame.calls?.length ?? 0 });
  }

  private current(): CallFrame | undefined {
    return this.stack[this.stack.length - 1];
  }
}

function clearLogs(frame: CallFrame): void {
  if (frame.logs !== undefined) frame.logs = [];
  for (const child of frame.calls ?? []) clearLogs(child);
}

function hex(address: Address): Hex {
  return address.toString().toLowerCase() as Hex;
}

/** The message of Solidity's `Error(string)` revert, else undefined. */
export function errorStringReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== "0x08c379a0") return undefined;
  const view = Buffer.from(data);
  const offset = Number(view.readBigUInt64BE(4 + 24));
  const start = 4 + offset;
  if (start + 32 > data.length) return undefined;
  const length = Number(view.readBigUInt64BE(start + 24));
  if (start + 32 + length > data.length) return undefined;
  return view.subarray(start + 32, start + 32 + length).toString("utf8");
}
