/**
 * Runs the EVM's synchronous opcodes without a promise per step.
 *
 * ethereumjs' interpreter awaits `runStep` for every opcode, and `runStep` is an async function: each
 * PUSH, DUP, ADD or JUMP allocates a promise and waits a microtask turn, although only storage,
 * account and call opcodes (and the dynamic-gas ones, whose gas handlers are async functions) ever
 * wait for anything. In a profile of consecutive blocks of ERC20 transfers, `run` and `runStep` were
 * the two largest self-times (~12% of block building), most of it that machinery.
 *
 * The replacement loop does what ethereumjs' `run` does for legacy bytecode, but executes a step
 * inline when it is one of the plain cases (a synchronous opcode, nobody listening to `step` events,
 * no debug logging, no pending EIP-7928 call, no stateless access witness): charge the gas, advance
 * the program counter, call the handler. The gas is the base fee for static-gas opcodes; for MLOAD,
 * MSTORE and MSTORE8 (memory expansion; the most frequent dynamic-gas opcodes of compiled Solidity)
 * and KECCAK256 (memory expansion and a fee per word; every mapping access) it is the base fee plus
 * what their gas handlers compute, with ethereumjs' own `subMemUsage`, without the promise. Every
 * other step goes through ethereumjs' own `runStep` and is awaited. Whole messages fall back to the
 * original `run` when EOF (EIP-3540) or stateless gas (EIP-6800/7864) is active, or when the
 * interpreter's profiler is on, so those paths stay ethereumjs' own.
 *
 * The interpreter class is not exported by @ethereumjs/evm; its module is reached by path next to the
 * package's ESM entry point (as in jumpAnalysisCache.ts). If its shape is not the one this loop was
 * written against (an upgrade renamed something), nothing is patched: execution stays correct, only
 * slower. test/chain/execution/interpreterLoop.test.ts runs contracts with and without the loop and
 * compares every result, and checks that the loop is active.
 */

interface OpcodeInfo {
  code: number;
  feeBigInt: bigint;
  dynamicGas: boolean;
  isAsync: boolean;
  isInvalid: boolean;
}
interface OpcodeEntry {
  opcodeInfo: OpcodeInfo;
  opHandler: (runState: RunState, common: ParamSource) => void;
  gasHandler?: unknown;
}
type SubMemUsage = (runState: RunState, offset: bigint, length: bigint, common: unknown) => bigint;
/** The Common as the gas functions use it. */
interface ParamSource {
  param(name: string): bigint;
}
interface RunState {
  stack: { peek(count?: number): bigint[] };
  programCounter: number;
  opCode: number;
  code: Uint8Array;
  gasLeft: bigint;
  validJumps: Uint8Array;
  cachedPushes: Record<number, bigint>;
  shouldDoJumpAnalysis: boolean;
  eip7928PostTargetCallOog?: unknown;
  eip8037BurnLeftoverAfterCreateHaltOntoAlive?: boolean;
  env: { accessWitness?: { revert?(): void } };
}
interface RunResult {
  runState: RunState;
  exceptionError: unknown;
}
interface InterpreterLike {
  _runState: RunState;
  _evm: { DEBUG: boolean; events: { listenerCount(event: string): number } };
  common: ParamSource & { isActivatedEIP(eip: number): boolean };
  profilerOpts?: { enabled?: boolean };
  run(code: Uint8Array, opts?: { pc?: number }): Promise<RunResult>;
  runStep(opcodeObj?: OpcodeEntry): Promise<void>;
  useGas(amount: bigint, context?: unknown): void;
  lookupOpInfo(opCode: number): OpcodeEntry;
  _getValidJumpDestinations(code: Uint8Array): { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: OpcodeEntry[] };
}
interface EvmErrorLike {
  errorType: string;
  error: string;
}
type EvmErrorClass = (new (message: string) => EvmErrorLike) & { errorMessages: Record<string, string> };

const JUMP = 0x56;
const JUMPI = 0x57;
const JUMPSUB = 0x5e;

let installed: Promise<boolean> | undefined;
let enabled = true;
const counters = { inlineSteps: 0 };

/** Patches the interpreter once per process; resolves whether the loop is active. */
export function installInterpreterLoop(): Promise<boolean> {
  installed ??= patch();
  return installed;
}

/** Turns the loop off and on again (tests compare both); installs it first if needed. */
export async function setInterpreterLoopEnabled(on: boolean): Promise<boolean> {
  const active = await installInterpreterLoop();
  enabled = on;
  return active;
}

/** Steps executed inline since the process started (0 means the loop never ran). */
export function interpreterLoopStats(): { inlineSteps: number } {
  return { ...counters };
}

async function patch(): Promise<boolean> {
  let prototype: InterpreterLike | undefined;
  let errors: { EVMError?: EvmErrorClass; EVMErrorTypeString?: string };
  let gas: { dynamicGasHandlers?: Map<number, unknown> };
  let util: { subMemUsage?: SubMemUsage };
  try {
    const entry = import.meta.resolve("@ethereumjs/evm");
    const module = (await import(new URL("./interpreter.js", entry).href)) as { Interpreter?: { prototype: InterpreterLike } };
    errors = (await import(new URL("./errors.js", entry).href)) as typeof errors;
    gas = (await import(new URL("./opcodes/gas.js", entry).href)) as typeof gas;
    util = (await import(new URL("./opcodes/util.js", entry).href)) as typeof util;
    prototype = module.Interpreter?.prototype;
  } catch {
    return false;
  }
  const EVMError = errors.EVMError;
  const errorType = errors.EVMErrorTypeString;
  const originalRun = prototype?.run;
  if (
    prototype === undefined ||
    typeof originalRun !== "function" ||
    typeof prototype.runStep !== "function" ||
    typeof prototype.useGas !== "function" ||
    typeof prototype.lookupOpInfo !== "function" ||
    typeof prototype._getValidJumpDestinations !== "function" ||
    EVMError?.errorMessages?.INVALID_OPCODE === undefined ||
    EVMError.errorMessages.STOP === undefined ||
    EVMError.errorMessages.OUT_OF_GAS === undefined ||
    typeof errorType !== "string" ||
    !(gas.dynamicGasHandlers instanceof Map) ||
    typeof util.subMemUsage !== "function"
  ) {
    return false;
  }
  const { INVALID_OPCODE, STOP, OUT_OF_GAS } = EVMError.errorMessages;
  const subMemUsage = util.subMemUsage;

  /**
   * Synchronous equivalents of ethereumjs' (async) gas handlers of the memory opcodes, used only
   * while an opcode still has ethereumjs' own handler (not a custom opcode's).
   */
  const memoryGas = new Map<unknown, (runState: RunState, common: ParamSource) => bigint>();
  for (const [opcode, length] of [[0x51, 32n], [0x52, 32n], [0x53, 1n]] as const) {
    const handler = gas.dynamicGasHandlers.get(opcode);
    if (handler !== undefined) memoryGas.set(handler, (runState, common) => subMemUsage(runState, runState.stack.peek()[0]!, length, common));
  }
  // KECCAK256 (every mapping access in Solidity): memory expansion, then a fee per word hashed.
  const keccakGas = gas.dynamicGasHandlers.get(0x20);
  if (keccakGas !== undefined) {
    memoryGas.set(keccakGas, (runState, common) => {
      const [offset, length] = runState.stack.peek(2) as [bigint, bigint];
      const memory = subMemUsage(runState, offset, length, common);
      return memory + common.param("keccak256WordGas") * ((length + 31n) / 32n);
    });
  }

  /** One step: undefined when it ran inline, otherwise ethereumjs' own step, to await. */
  function step(interpreter: InterpreterLike, entry: OpcodeEntry | undefined, plain: boolean): Promise<void> | undefined {
    const runState = interpreter._runState;
    const opEntry = entry ?? interpreter.lookupOpInfo(runState.opCode);
    const info = opEntry.opcodeInfo;
    const dynamicGas = info.dynamicGas ? memoryGas.get(opEntry.gasHandler) : undefined;
    if (
      !plain ||
      (info.dynamicGas && dynamicGas === undefined) ||
      info.isAsync ||
      runState.eip7928PostTargetCallOog !== undefined ||
      runState.env.accessWitness !== undefined
    ) {
      return interpreter.runStep(entry);
    }
    // As runStep: dynamic gas first (it may grow the memory word count), then the invalid check.
    const cost = dynamicGas === undefined ? info.feeBigInt : info.feeBigInt + dynamicGas(runState, interpreter.common);
    if (info.isInvalid) throw new EVMError!(INVALID_OPCODE);
    interpreter.useGas(cost, info);
    runState.programCounter++;
    opEntry.opHandler(runState, interpreter.common);
    counters.inlineSteps++;
    return undefined;
  }

  prototype.run = async function run(this: InterpreterLike, code: Uint8Array, opts: { pc?: number } = {}): Promise<RunResult> {
    if (
      !enabled ||
      this.common.isActivatedEIP(3540) ||
      this.common.isActivatedEIP(6800) ||
      this.common.isActivatedEIP(7864) ||
      this.profilerOpts?.enabled === true
    ) {
      return originalRun.call(this, code, opts);
    }
    const runState = this._runState;
    runState.code = code;
    runState.programCounter = opts.pc ?? runState.programCounter;
    const pc = runState.programCounter;
    if (pc !== 0 && (pc < 0 || pc >= runState.code.length)) {
      throw new Error("Internal error: program counter not in range");
    }
    let err: EvmErrorLike | undefined;
    let cachedOpcodes: OpcodeEntry[] | undefined;
    let doJumpAnalysis = true;
    while (runState.programCounter < runState.code.length) {
      const programCounter = runState.programCounter;
      let opCode: number;
      let opCodeObj: OpcodeEntry | undefined;
      if (doJumpAnalysis) {
        opCode = runState.code[programCounter]!;
        if (opCode === JUMP || opCode === JUMPI || opCode === JUMPSUB) {
          const { jumps, pushes, opcodesCached } = this._getValidJumpDestinations(runState.code);
          runState.validJumps = jumps;
          runState.cachedPushes = pushes;
          runState.shouldDoJumpAnalysis = false;
          cachedOpcodes = opcodesCached;
          doJumpAnalysis = false;
        }
      } else {
        opCodeObj = cachedOpcodes![programCounter]!;
        opCode = opCodeObj.opcodeInfo.code;
      }
      runState.opCode = opCode;
      try {
        // Checked per step, as ethereumjs does: a tracer may attach in the middle of a message.
        const plain = !this._evm.DEBUG && this._evm.events.listenerCount("step") === 0;
        const pending = step(this, opCodeObj, plain);
        if (pending !== undefined) await pending;
      } catch (e) {
        runState.env.accessWitness?.revert?.();
        const error = e as Partial<EvmErrorLike> | null;
        if (!(typeof error === "object" && error !== null && error.errorType === errorType)) throw e;
        if (error.error !== STOP) err = error as EvmErrorLike;
        break;
      }
    }
    if (err === undefined && runState.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true && runState.gasLeft > 0n) {
      runState.gasLeft = 0n;
      err = new EVMError!(OUT_OF_GAS);
    }
    return { runState, exceptionError: err };
  };
  (prototype.run as { original?: unknown }).original = originalRun;
  return true;
}
