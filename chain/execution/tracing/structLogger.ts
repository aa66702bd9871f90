/** geth's default tracer (no `tracer` option): every executed opcode with pc, gas left, cost, depth and stack. */
import type { InterpreterStep } from "@ethereumjs/evm";
import { bigIntToHex, bytesToHex } from "@ethereumjs/util";
import { CallError, CallErrorCode } from "../errors.ts";
import type { TracedOutcome, TxTracer } from "./traceConfig.ts";
import type { Hex } from "../../types.ts";

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

/** Struct logs kept per trace; a longer execution is refused rather than exhausting memory. */
export const MAX_STRUCT_LOGS = 500_000;

export class StructLogger implements TxTracer<StructLogTrace> {
  private readonly logs: StructLog[] = [];
  private truncated = false;

  step(step: InterpreterStep): void {
    if (this.logs.length >= MAX_STRUCT_LOGS) {
      this.truncated = true;
      return;
    }
    this.logs.push({
      pc: step.pc,
      op: step.opcode.name,
      gas: step.gasLeft,
      gasCost: step.opcode.dynamicFee ?? BigInt(step.opcode.fee),
      depth: step.depth + 1,
      stack: step.stack.map((item) => bigIntToHex(item) as Hex),
    });
  }

  async result(outcome: TracedOutcome): Promise<StructLogTrace> {
    if (this.truncated) throw new CallError(CallErrorCode.InvalidRequest, `trace exceeds ${MAX_STRUCT_LOGS} steps: use the callTracer`);
    return { gas: outcome.gasUsed, failed: outcome.failed, returnValue: bytesToHex(outcome.returnValue) as Hex, structLogs: this.logs };
  }
}
