/**
 * debug_traceTransaction: re-executes a committed block on its parent's state up to the transaction,
 * then runs that transaction with EVM event listeners attached.
 *
 * - `callTracer` builds geth's call frames from `beforeMessage` / `afterMessage`; the opcode that
 *   opened a frame (CALL, STATICCALL, DELEGATECALL, CALLCODE, CREATE, CREATE2) comes from the last
 *   `step` of the parent frame, since a message alone cannot tell a CALL inside a static context from
 *   a STATICCALL. The top frame reports the transaction's gas limit and its receipt gas, as geth does.
 * - `structLogs` records each executed opcode (pc, op, gas left, cost, depth, stack), geth's default.
 */
import type { Block } from "@ethereumjs/block";
import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import { bigIntToHex, bytesToHex, type Address } from "@ethereumjs/util";
import { BlockRun, type BlockExecutor } from "./blockExecutor.ts";
import { failureKind } from "./calls.ts";
import { CallError, CallErrorCode } from "./errors.ts";
import type { Hex } from "../types.ts";

export type CallFrameType = "CALL" | "STATICCALL" | "DELEGATECALL" | "CALLCODE" | "CREATE" | "CREATE2" | "SELFDESTRUCT";

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
}

export interface StructLog {
  pc: number;
  op: string;
  gas: bigint;
  gasCost: bigint;
  depth: number;
  stack: Hex[];
}

export interface StructLogTrace {
  gas: bigint;
  failed: boolean;
  returnValue: Hex;
  structLogs: StructLog[];
}

export type TracerName = "callTracer" | "structLogs";

/** Struct logs kept per trace; a longer execution is refused rather than exhausting memory. */
export const MAX_STRUCT_LOGS = 500_000;

const FRAME_OPENERS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE", "CREATE", "CREATE2"]);

export async function traceTransaction(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  index: number,
  tracer: "callTracer",
  preStateRoot?: Uint8Array,
): Promise<CallFrame>;
export async function traceTransaction(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  index: number,
  tracer: "structLogs",
  preStateRoot?: Uint8Array,
): Promise<StructLogTrace>;
export async function traceTransaction(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  index: number,
  tracer: TracerName,
  preStateRoot?: Uint8Array,
): Promise<CallFrame | StructLogTrace>;
export async function traceTransaction(
  executor: BlockExecutor,
  parent: Block,
  block: Block,
  index: number,
  tracer: TracerName,
  preStateRoot: Uint8Array = parent.header.stateRoot,
): Promise<CallFrame | StructLogTrace> {
  const tx = block.transactions[index];
  if (tx === undefined) throw new CallError(CallErrorCode.UnknownTransaction, `block ${block.header.number} has no transaction ${index}`);
  // A dev chain's block may start from the parent's state plus pending changes (hardhat_setBalance...).
  const run = await BlockRun.start(executor, await executor.openState(preStateRoot), block);
  for (let i = 0; i < index; i++) await run.runTransaction(block.transactions[i]);
  const events = run.vm.evm.events!;
  if (tracer === "callTracer") {
    const calls = new CallFrameBuilder();
    const onStep = (step: InterpreterStep) => calls.step(step);
    const onBefore = (message: Message) => calls.enter(message);
    const onAfter = (result: EVMResult) => calls.exit(result);
    events.on("step", onStep);
    events.on("beforeMessage", onBefore);
    events.on("afterMessage", onAfter);
    try {
      const result = await run.runTransaction(tx);
      const root = calls.root();
      root.gas = tx.gasLimit;
      root.gasUsed = result.totalGasSpent;
      return root;
    } finally {
      events.off("step", onStep);
      events.off("beforeMessage", onBefore);
      events.off("afterMessage", onAfter);
    }
  }
  const structLogs: StructLog[] = [];
  let truncated = false;
  const onStep = (step: InterpreterStep) => {
    if (structLogs.length >= MAX_STRUCT_LOGS) {
      truncated = true;
      return;
    }
    structLogs.push({
      pc: step.pc,
      op: step.opcode.name,
      gas: step.gasLeft,
      gasCost: step.opcode.dynamicFee ?? BigInt(step.opcode.fee),
      depth: step.depth + 1,
      stack: step.stack.map((item) => bigIntToHex(item) as Hex),
    });
  };
  events.on("step", onStep);
  try {
    const result = await run.runTransaction(tx);
    if (truncated) throw new CallError(CallErrorCode.InvalidRequest, `trace exceeds ${MAX_STRUCT_LOGS} steps: use the callTracer`);
    return {
      gas: result.totalGasSpent,
      failed: result.execResult.exceptionError !== undefined,
      returnValue: bytesToHex(result.execResult.returnValue) as Hex,
      structLogs,
    };
  } finally {
    events.off("step", onStep);
  }
}

class CallFrameBuilder {
  private readonly stack: CallFrame[] = [];
  private top: CallFrame | undefined;
  private opener: CallFrameType | undefined;

  step(step: InterpreterStep): void {
    const name = step.opcode.name;
    // An opener that produced no message (early failure) must not type a later frame.
    this.opener = FRAME_OPENERS.has(name) ? (name as CallFrameType) : undefined;
    if (name === "SELFDESTRUCT") {
      const beneficiary = step.stack[step.stack.length - 1];
      this.current()?.calls?.push({
        type: "SELFDESTRUCT",
        from: hex(step.address),
        to: `0x${beneficiary.toString(16).padStart(40, "0")}` as Hex,
        value: step.account.balance,
        gas: 0n,
        gasUsed: 0n,
        input: "0x",
      });
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
    this.current()?.calls?.push(frame);
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
    } else if (failureKind(execResult.exceptionError) === "revert") {
      frame.error = "execution reverted";
      frame.output = output;
      const reason = errorStringReason(execResult.returnValue);
      if (reason !== undefined) frame.revertReason = reason;
    } else {
      frame.error = execResult.exceptionError.error;
    }
    if (frame.calls?.length === 0) delete frame.calls;
  }

  root(): CallFrame {
    if (this.top === undefined) throw new Error("transaction produced no call frame");
    return this.top;
  }

  private current(): CallFrame | undefined {
    return this.stack[this.stack.length - 1];
  }
}

function hex(address: Address): Hex {
  return address.toString().toLowerCase() as Hex;
}

/** The message of Solidity's `Error(string)` revert, else undefined. */
function errorStringReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== "0x08c379a0") return undefined;
  const view = Buffer.from(data);
  const offset = Number(view.readBigUInt64BE(4 + 24));
  const start = 4 + offset;
  if (start + 32 > data.length) return undefined;
  const length = Number(view.readBigUInt64BE(start + 24));
  if (start + 32 + length > data.length) return undefined;
  return view.subarray(start + 32, start + 32 + length).toString("utf8");
}
