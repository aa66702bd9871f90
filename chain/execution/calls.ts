/**
 * eth_call and eth_estimateGas: a transaction run on a throwaway copy of a block's state, never
 * committed (its trie overlay is dropped with it).
 *
 * Requests run through `runTx` as a real transaction would (intrinsic gas, EIP-2929 warm set, fee
 * and value checks), with the sender taken from `from` instead of a signature and its nonce not
 * checked. As geth does, a request without fee fields runs with gas price 0 in a context whose base
 * fee is 0, so it needs no balance for gas. A `from` that holds contract code (EIP-3607 forbids it as
 * a transaction sender) runs as a plain message call instead, charged the same intrinsic gas.
 */
import { Block, type BlockHeader } from "@ethereumjs/block";
import { createTx, type TypedTransaction, type TypedTxData } from "@ethereumjs/tx";
import { Account, Address, KECCAK256_NULL, bigIntToBytes, createAddressFromString, createZeroAddress, equalsBytes, generateAddress, hexToBytes } from "@ethereumjs/util";
import { EVMError, type ExecResult, type InterpreterStep } from "@ethereumjs/evm";
import { runTx } from "@ethereumjs/vm";
import { contextHeader } from "./header.ts";
import { CallError, CallErrorCode } from "./errors.ts";
import type { BlockExecutor } from "./blockExecutor.ts";
import type { ExecutionState } from "./executionState.ts";
import { ConsoleCapture } from "./consoleLog.ts";
import { AccessListTracer, type AccessListEntry } from "./tracing/accessListTracer.ts";
import { createTracer, runTraced } from "./tracing/traceRun.ts";
import type { TraceConfig } from "./tracing/traceConfig.ts";
import type { Hex } from "../types.ts";

/** An eth_call / eth_estimateGas / eth_sendTransaction request after parameter validation (the RPC layer uses this one). */
export interface CallRequest {
  from?: Hex;
  to?: Hex | null;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  value?: bigint;
  data?: Uint8Array;
  nonce?: bigint;
  accessList?: { address: Hex; storageKeys: Hex[] }[];
  type?: number;
  /** State the call runs on instead of the block's, per account (eth_call's third parameter). */
  stateOverride?: AccountOverride[];
  /** The block context the call sees instead of its block's (eth_call's fourth parameter). */
  blockOverride?: BlockOverride;
}

/** geth's block overrides: each given field replaces the block's in the call's context. */
export interface BlockOverride {
  number?: bigint;
  /** Seconds. */
  time?: bigint;
  gasLimit?: bigint;
  feeRecipient?: Hex;
  prevRandao?: Hex;
  baseFeePerGas?: bigint;
}

/** One account of a state override (geth's and Hardhat's shape): what is given replaces what is there. */
export interface AccountOverride {
  address: Hex;
  balance?: bigint;
  nonce?: bigint;
  code?: Uint8Array;
  /** The whole storage: every other slot reads zero. */
  state?: [slot: Hex, value: Hex][];
  /** Only these slots change. */
  stateDiff?: [slot: Hex, value: Hex][];
}

export type CallFailureKind = "revert" | "outOfGas" | "invalidOpcode" | "other";

export interface CallOutcome {
  returnData: Uint8Array;
  /** Gas the transaction would be charged (intrinsic + execution - refund). */
  gasUsed: bigint;
  /** The refund `gasUsed` is net of: the limit must cover it too, since it is only paid back at the end. */
  gasRefund: bigint;
  error?: { kind: CallFailureKind; message: string };
}

/** The state and block context a call runs in. */
export interface CallContext {
  /** State the call reads. */
  stateRoot: Uint8Array;
  /** The block context (number, timestamp, coinbase, base fee, gas limit, prevRandao). */
  header: BlockHeader;
}

const MIN_TRANSACTION_GAS = 21_000n;

/** Runs of eth_createAccessList before giving up (a call whose accesses depend on gas left may not settle). */
const MAX_ACCESS_LIST_ROUNDS = 10;

/** eth_createAccessList's answer. */
export interface AccessListResult {
  accessList: AccessListEntry[];
  gasUsed: bigint;
  /** Why the call failed with that list, if it did. */
  error?: string;
}

/** geth's --rpc.gascap default: the most gas one call, estimate or trace may burn. */
export const DEFAULT_CALL_GAS_CAP = 50_000_000n;

export interface CallExecutorOptions {
  /**
   * The most gas a call or estimate runs with, whatever the request asks (geth's --rpc.gascap); the
   * block gas limit where that is higher, so that anything a block could run, a call can.
   */
  gasCap?: bigint;
  /** Receives the Solidity console.log lines of each call, and of each estimate's first run. */
  onConsoleLog?: (lines: string[]) => void;
}

export class CallExecutor {
  private readonly gasCap: bigint;
  private readonly onConsoleLog: ((lines: string[]) => void) | undefined;

  constructor(
    private readonly executor: BlockExecutor,
    options: CallExecutorOptions = {},
  ) {
    this.gasCap = options.gasCap ?? DEFAULT_CALL_GAS_CAP;
    this.onConsoleLog = options.onConsoleLog;
  }

  async call(context: CallContext, request: CallRequest): Promise<CallOutcome> {
    const state = await this.executor.openState(context.stateRoot);
    await applyStateOverride(state, request.stateOverride);
    const header = applyBlockOverride(context.header, request.blockOverride);
    return this.withConsole(state, () => this.run(state, header, request, this.gasLimit(header, request)));
  }

  /** Runs `task` with console.log collected (when someone listens) and handed over once it ends. */
  private async withConsole<T>(state: ExecutionState, task: () => Promise<T>): Promise<T> {
    if (this.onConsoleLog === undefined) return task();
    const capture = new ConsoleCapture();
    capture.attach(state.vm.evm.events!);
    try {
      return await task();
    } finally {
      capture.detach(state.vm.evm.events!);
      if (capture.lines.length > 0) this.onConsoleLog(capture.lines);
    }
  }

  /** debug_traceCall: the call with a tracer listening (same gas cap, state override and context as eth_call). */
  async traceCall(callContext: CallContext, request: CallRequest, config: TraceConfig): Promise<unknown> {
    const state = await this.executor.openState(callContext.stateRoot);
    await applyStateOverride(state, request.stateOverride);
    const context = { ...callContext, header: applyBlockOverride(callContext.header, request.blockOverride) };
    const gasLimit = this.gasLimit(context.header, request);
    const tracer = createTracer(config, {
      from: request.from ?? createZeroAddress().toString(),
      to: request.to ?? undefined,
      coinbase: context.header.coinbase.toString(),
    });
    const { result } = await runTraced(state, tracer, async () => {
      const outcome = await this.run(state, context.header, request, gasLimit);
      return { gasLimit, gasUsed: outcome.gasUsed, failed: outcome.error !== undefined, returnValue: outcome.returnData };
    });
    return result;
  }

  /**
   * eth_createAccessList, as geth computes it: run the call with an access-list tracer, run it again
   * with what it found declared, until the list stops changing; the answer's gas is that of the last
   * run (with the list), and a failed call reports its error beside the list.
   */
  async createAccessList(callContext: CallContext, request: CallRequest): Promise<AccessListResult> {
    const state = await this.executor.openState(callContext.stateRoot);
    await applyStateOverride(state, request.stateOverride);
    const header = applyBlockOverride(callContext.header, request.blockOverride);
    const gasLimit = this.gasLimit(header, request);
    const from = request.from === undefined ? createZeroAddress() : createAddressFromString(request.from);
    const recipient =
      request.to === undefined || request.to === null
        ? createContractAddress(from, request.nonce ?? (await state.stateManager.getAccount(from))?.nonce ?? 0n)
        : createAddressFromString(request.to);
    const excluded = new Set<Hex>([from.toString(), recipient.toString(), ...[...state.vm.evm.precompiles.keys()].map((key) => `0x${key}`)].map((a) => a.toLowerCase() as Hex));
    const events = state.vm.evm.events!;
    let previous = new AccessListTracer(request.accessList ?? [], excluded);
    for (let round = 0; round < MAX_ACCESS_LIST_ROUNDS; round++) {
      const accessList = previous.list();
      const tracer = new AccessListTracer(accessList, excluded);
      const onStep = (step: InterpreterStep) => tracer.step(step);
      await state.vm.evm.journal.checkpoint();
      events.on("step", onStep);
      let outcome: CallOutcome;
      try {
        outcome = await this.run(state, header, { ...request, accessList }, gasLimit);
      } finally {
        events.off("step", onStep);
        await state.vm.evm.journal.revert();
      }
      if (tracer.equals(previous)) {
        const error = outcome.error === undefined ? undefined : outcome.error.kind === "revert" ? "execution reverted" : outcome.error.message;
        return { accessList, gasUsed: outcome.gasUsed, error };
      }
      previous = tracer;
    }
    throw new CallError(CallErrorCode.InvalidRequest, `the access list did not settle within ${MAX_ACCESS_LIST_ROUNDS} runs (the call touches different state each time)`);
  }

  /** The request's gas (the block gas limit when it names none), capped as geth caps it: silently. */
  private gasLimit(header: BlockHeader, request: CallRequest): bigint {
    const cap = this.gasCap > header.gasLimit ? this.gasCap : header.gasLimit;
    const asked = request.gas ?? header.gasLimit;
    return asked < cap ? asked : cap;
  }

  /**
   * The smallest gas limit at which `request` succeeds (binary search; each probe starts from the
   * same state). Throws `CallError` REVERTED with the revert data when it fails even at the cap.
   */
  async estimateGas(callContext: CallContext, request: CallRequest): Promise<bigint> {
    const state = await this.executor.openState(callContext.stateRoot);
    await applyStateOverride(state, request.stateOverride);
    const context = { ...callContext, header: applyBlockOverride(callContext.header, request.blockOverride) };
    let cap = this.gasLimit(context.header, request);
    // As geth: with a fee cap, the search stops at the gas the sender can pay for.
    const feeCap = request.gasPrice ?? request.maxFeePerGas ?? 0n;
    if (feeCap > 0n) {
      const from = request.from === undefined ? createZeroAddress() : createAddressFromString(request.from);
      const balance = (await state.stateManager.getAccount(from))?.balance ?? 0n;
      const available = balance - (request.value ?? 0n);
      const allowance = available > 0n ? available / feeCap : 0n;
      if (allowance < MIN_TRANSACTION_GAS) {
        throw new CallError(CallErrorCode.InvalidRequest, `insufficient funds for gas * price + value: balance ${balance}, fee cap ${feeCap}`);
      }
      if (allowance < cap) cap = allowance;
    }
    const probe = async (gas: bigint) => {
      await state.vm.evm.journal.checkpoint();
      try {
        return await this.run(state, context.header, request, gas);
      } finally {
        await state.vm.evm.journal.revert();
      }
    };
    // Only the first run prints console.log: the search runs the same code a dozen times.
    const atCap = await this.withConsole(state, () => probe(cap));
    if (atCap.error !== undefined) {
      if (atCap.error.kind === "revert") throw new CallError(CallErrorCode.Reverted, "execution reverted", atCap.returnData);
      throw new CallError(CallErrorCode.InvalidRequest, `gas required exceeds allowance (${cap}): ${atCap.error.message}`);
    }
    // Gas used is a lower bound (refunds and the 63/64 rule can make the needed limit higher).
    let low = atCap.gasUsed - 1n;
    let high = cap;
    // Most transactions succeed with exactly the gas they used: one probe settles them (a contract
    // call costs ~10 ms a probe, and a full search a dozen probes).
    if (atCap.gasUsed < high) {
      if ((await probe(atCap.gasUsed)).error === undefined) return atCap.gasUsed;
      low = atCap.gasUsed;
    }
    // As geth: the refund is paid back only at the end, so the limit must cover it as well.
    const optimistic = ((atCap.gasUsed + atCap.gasRefund + 2300n) * 64n) / 63n;
    if (optimistic < high) {
      if ((await probe(optimistic)).error === undefined) high = optimistic;
      else low = optimistic;
    }
    while (high - low > 1n) {
      // Skewed to the low end, as geth: the limit a transaction needs is rarely far above its gas used.
      const middle = (low + high) / 2n > low * 2n ? low * 2n : (low + high) / 2n;
      if ((await probe(middle)).error === undefined) high = middle;
      else low = middle;
    }
    return high;
  }

  private async run(state: ExecutionState, header: BlockHeader, request: CallRequest, gasLimit: bigint): Promise<CallOutcome> {
    const { vm } = state;
    const hasFees = request.gasPrice !== undefined || request.maxFeePerGas !== undefined || request.maxPriorityFeePerGas !== undefined;
    const context = new Block(
      hasFees ? header : contextHeader({ ...headerFields(header), baseFeePerGas: 0n }, vm.common),
      [],
      [],
      [],
      { common: vm.common },
    );
    const from = request.from === undefined ? createZeroAddress() : createAddressFromString(request.from);
    const account = await vm.stateManager.getAccount(from);
    const tx = this.transaction(request, gasLimit, account?.nonce ?? 0n, context.header.baseFeePerGas ?? 0n, from);
    const intrinsic = tx.getIntrinsicGas();
    if (gasLimit < intrinsic) {
      throw new CallError(CallErrorCode.InvalidRequest, `intrinsic gas too low: have ${gasLimit}, want ${intrinsic}`);
    }
    if (account !== undefined && !equalsBytes(account.codeHash, KECCAK256_NULL) && !(await isDelegated(state, from))) {
      return this.runAsMessage(state, context, tx, from, gasLimit - intrinsic, intrinsic);
    }
    const cost = tx.getUpfrontCost(context.header.baseFeePerGas ?? 0n);
    if ((account?.balance ?? 0n) < cost) {
      throw new CallError(CallErrorCode.InvalidRequest, `insufficient funds for gas * price + value: have ${account?.balance ?? 0n} want ${cost}`);
    }
    let result;
    try {
      result = await runTx(vm, { tx, block: context, skipNonce: true, skipBlockGasLimitValidation: true, skipHardForkValidation: true });
    } catch (error) {
      throw new CallError(CallErrorCode.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
    return outcome(result.execResult, result.totalGasSpent, result.gasRefund);
  }

  private async runAsMessage(
    state: ExecutionState,
    context: Block,
    tx: TypedTransaction,
    from: Address,
    gasLimit: bigint,
    intrinsic: bigint,
  ): Promise<CallOutcome> {
    const result = await state.vm.evm.runCall({
      caller: from,
      origin: from,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      gasLimit,
      gasPrice: 0n,
      block: context,
    });
    return outcome(result.execResult, intrinsic + result.execResult.executionGasUsed, result.execResult.gasRefund ?? 0n);
  }

  private transaction(request: CallRequest, gasLimit: bigint, nonce: bigint, baseFee: bigint, from: Address): TypedTransaction {
    const common = this.executor.common;
    const base = {
      nonce: request.nonce ?? nonce,
      gasLimit,
      to: request.to ?? undefined,
      value: request.value ?? 0n,
      data: request.data ?? new Uint8Array(),
      accessList: request.accessList?.map((entry) => ({ address: entry.address, storageKeys: entry.storageKeys })),
    };
    let data: TypedTxData;
    if (request.gasPrice !== undefined) {
      data = { ...base, type: request.accessList === undefined ? 0 : 1, gasPrice: request.gasPrice, chainId: common.chainId() };
    } else {
      const tip = request.maxPriorityFeePerGas ?? 0n;
      const maxFee = request.maxFeePerGas ?? (request.maxPriorityFeePerGas === undefined ? 0n : baseFee + tip);
      data = { ...base, type: 2, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip < maxFee ? tip : maxFee, chainId: common.chainId() };
    }
    let tx: TypedTransaction;
    try {
      tx = createTx(data, { common, freeze: false });
    } catch (error) {
      throw new CallError(CallErrorCode.InvalidRequest, error instanceof Error ? error.message : String(error));
    }
    // The request is not signed: its sender is what it says.
    (tx as { getSenderAddress: () => Address }).getSenderAddress = () => from;
    return tx;
  }
}

/** Writes a state override into a call's throwaway state (it is never committed). */
async function applyStateOverride(state: ExecutionState, overrides: AccountOverride[] | undefined): Promise<void> {
  if (overrides === undefined) return;
  const manager = state.stateManager;
  for (const override of overrides) {
    const address = createAddressFromString(override.address);
    const account = (await manager.getAccount(address)) ?? new Account();
    if (override.balance !== undefined) account.balance = override.balance;
    if (override.nonce !== undefined) account.nonce = override.nonce;
    await manager.putAccount(address, account);
    if (override.code !== undefined) await manager.putCode(address, override.code);
    if (override.state !== undefined) await manager.clearStorage(address);
    for (const [slot, value] of override.state ?? override.stateDiff ?? []) {
      await manager.putStorage(address, hexToBytes(slot), hexToBytes(value));
    }
  }
}

function createContractAddress(from: Address, nonce: bigint): Address {
  return new Address(generateAddress(from.bytes, bigIntToBytes(nonce)));
}

function applyBlockOverride(header: BlockHeader, override: BlockOverride | undefined): BlockHeader {
  if (override === undefined) return header;
  return contextHeader(
    {
      ...headerFields(header),
      baseFeePerGas: override.baseFeePerGas ?? header.baseFeePerGas,
      number: override.number ?? header.number,
      timestamp: override.time ?? header.timestamp,
      gasLimit: override.gasLimit ?? header.gasLimit,
      coinbase: override.feeRecipient === undefined ? header.coinbase : createAddressFromString(override.feeRecipient),
      mixHash: override.prevRandao === undefined ? header.mixHash : hexToBytes(override.prevRandao),
    },
    header.common,
  );
}

async function isDelegated(state: ExecutionState, address: Address): Promise<boolean> {
  const code = await state.stateManager.getCode(address);
  return code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00;
}

function outcome(execResult: ExecResult, gasUsed: bigint, gasRefund: bigint): CallOutcome {
  const error = execResult.exceptionError;
  if (error === undefined) return { returnData: execResult.returnValue, gasUsed, gasRefund };
  return { returnData: execResult.returnValue, gasUsed, gasRefund, error: { kind: failureKind(error), message: error.error } };
}

export function failureKind(error: EVMError): CallFailureKind {
  switch (error.error) {
    case EVMError.errorMessages.REVERT:
      return "revert";
    case EVMError.errorMessages.OUT_OF_GAS:
    case EVMError.errorMessages.CODESTORE_OUT_OF_GAS:
      return "outOfGas";
    case EVMError.errorMessages.INVALID_OPCODE:
      return "invalidOpcode";
    default:
      return "other";
  }
}

function headerFields(header: BlockHeader) {
  return {
    parentHash: header.parentHash,
    coinbase: header.coinbase,
    number: header.number,
    gasLimit: header.gasLimit,
    gasUsed: header.gasUsed,
    timestamp: header.timestamp,
    mixHash: header.mixHash,
    excessBlobGas: header.excessBlobGas,
    parentBeaconBlockRoot: header.parentBeaconBlockRoot,
  };
}

