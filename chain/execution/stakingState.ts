/**
 * Reading the staking contract from a block's state (a view call, never committed) and the system
 * calls blocks make to it. The consensus engine learns its validator set here: from state, so every
 * node derives the same set at the same block.
 */
import type { BlockHeader } from "@ethereumjs/block";
import { createAddressFromString, createZeroAddress } from "@ethereumjs/util";
import { Block } from "@ethereumjs/block";
import { CallError, CallErrorCode, SystemCallError } from "./errors.ts";
import type { BlockExecutor, SystemCallPolicy } from "./blockExecutor.ts";
import {
  STAKING_ADDRESS,
  decodeActiveValidators,
  decodeConfig,
  decodeValidator,
  encodeCall,
  stakingInterface,
  type ActiveValidators,
  type StakingConfig,
  type ValidatorRecord,
} from "./staking.ts";
import type { Hex } from "../types.ts";

const stakingAddress = createAddressFromString(STAKING_ADDRESS);

export class StakingState {
  constructor(private readonly executor: BlockExecutor) {}

  /** The active set in `header`'s state, ordered by stake desc then signer asc (the contract's order). */
  async activeValidators(header: BlockHeader): Promise<ActiveValidators> {
    return decodeActiveValidators(await this.view(header, "getActiveValidators"));
  }

  async config(header: BlockHeader): Promise<StakingConfig> {
    return decodeConfig(await this.view(header, "config"));
  }

  async validator(header: BlockHeader, signer: Hex): Promise<ValidatorRecord> {
    return decodeValidator(await this.view(header, "validatorBySigner", [signer]));
  }

  /** The system address the contract obeys (an immutable: zero if its constructor never ran). */
  async systemCaller(header: BlockHeader): Promise<Hex> {
    const [address] = stakingInterface().decodeFunctionResult("systemCaller", await this.view(header, "systemCaller"));
    return (address as string).toLowerCase() as Hex;
  }

  async currentEpoch(header: BlockHeader): Promise<bigint> {
    const data = await this.view(header, "currentEpoch");
    return BigInt(`0x${Buffer.from(data).toString("hex") || "0"}`);
  }

  /** Whether `header`'s state holds the staking contract. */
  async isDeployed(header: BlockHeader): Promise<boolean> {
    const state = await this.executor.openState(header.stateRoot);
    return (await state.stateManager.getCode(stakingAddress)).length > 0;
  }

  private async view(header: BlockHeader, name: string, args: readonly unknown[] = []): Promise<Uint8Array> {
    const state = await this.executor.openState(header.stateRoot);
    if ((await state.stateManager.getCode(stakingAddress)).length === 0) {
      throw new CallError(CallErrorCode.InvalidRequest, `no staking contract at ${STAKING_ADDRESS} in block ${header.number}`);
    }
    const data = encodeCall(name, args);
    const result = await state.vm.evm.runCall({
      caller: createZeroAddress(),
      to: stakingAddress,
      data,
      gasLimit: 30_000_000n,
      isStatic: true,
      block: new Block(header, [], [], [], { common: state.vm.common }),
    });
    const error = result.execResult.exceptionError;
    if (error !== undefined) throw new SystemCallError(STAKING_ADDRESS, name, result.execResult.returnValue, error.error);
    return result.execResult.returnValue;
  }
}

/**
 * Concord's block system calls: `advanceEpoch()` in the first block of every epoch
 * (number % epochLength == 0, genesis excluded), as the staking contract expects.
 */
export function stakingSystemCalls(epochLength: bigint): SystemCallPolicy {
  if (epochLength <= 0n) throw new RangeError(`epoch length must be positive, got ${epochLength}`);
  const advanceEpoch = encodeCall("advanceEpoch");
  return (header) => (header.number > 0n && header.number % epochLength === 0n ? [{ to: stakingAddress, data: advanceEpoch }] : []);
}
