/**
 * The genesis block and state of a Concord chain, from a config and nothing else: the same config
 * gives the same genesis hash on every machine (no clock, no randomness, accounts applied in
 * address order).
 *
 * The staking system contract is predeployed at 0x…1000 by running its constructor in a VM at that
 * address (caller: the system address, msg.value: the sum of the initial stakes), then keeping the
 * runtime code it returns, the storage it wrote and the balance. Immutables and `address(this)` are
 * therefore the predeploy's own, exactly as if it had been deployed there.
 */
import { createBlock, type Block } from "@ethereumjs/block";
import { Account, KECCAK256_RLP, bytesToHex, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import { emptyStateSource } from "./stateNodeDb.ts";
import { openExecutionState } from "./executionState.ts";
import { DEV_ACCOUNT_BALANCE, devAccountKeys } from "./devAccounts.ts";
import { SYSTEM_ADDRESS } from "./systemCalls.ts";
import {
  STAKING_ADDRESS,
  hexBytes,
  stakingInterface,
  validatorRegistryArtifact,
  type ContractArtifact,
  type InitialValidator,
  type StakingConfig,
} from "./staking.ts";
import { Interface } from "ethers";
import type { Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export const DEFAULT_BLOCK_GAS_LIMIT = 30_000_000n;
/** EIP-1559's initial base fee (1 gwei), as on Ethereum and Hardhat. */
export const GENESIS_BASE_FEE = 1_000_000_000n;

export const DEFAULT_STAKING_CONFIG: StakingConfig = {
  minSelfStake: 100n * 10n ** 18n,
  unbondingPeriod: 3600n,
  epochLength: 100n,
  maxValidators: 100,
  slashFractionBps: 500,
  jailDuration: 600n,
};

export interface GenesisAccount {
  balance?: bigint;
  nonce?: bigint;
  code?: Uint8Array;
  /** 32-byte slot -> value (both 0x hex). */
  storage?: Record<Hex, Hex>;
}

export interface StakingGenesis {
  config: StakingConfig;
  validators: InitialValidator[];
  /** Defaults to the compiled ValidatorRegistry in artifacts/. */
  artifact?: ContractArtifact;
}

export interface GenesisConfig {
  chainId: bigint;
  /** Seconds. */
  timestamp: bigint;
  gasLimit: bigint;
  extraData: Uint8Array;
  baseFeePerGas: bigint;
  /** By lowercase address. */
  alloc: Record<Hex, GenesisAccount>;
  staking?: StakingGenesis;
}

export interface Genesis {
  block: Block;
  /** Trie nodes and code of the genesis state, committed with block 0. */
  stateNodes: ReadonlyMap<string, Uint8Array>;
}

export class GenesisError extends ConcordError<"INVALID_CONFIG" | "STAKING_CONSTRUCTOR_FAILED"> {
  override readonly name = "GenesisError";
  constructor(
    code: "INVALID_CONFIG" | "STAKING_CONSTRUCTOR_FAILED",
    message: string,
    readonly returnData?: Hex,
  ) {
    super(code, message);
  }
}

export interface DefaultGenesisOptions {
  chainId?: bigint;
  timestamp?: bigint;
  gasLimit?: bigint;
  extraData?: Uint8Array;
  /** Initial validators; empty: no staking predeploy (tests of execution alone). */
  validators?: InitialValidator[];
  stakingConfig?: Partial<StakingConfig>;
  /** Extra or overriding accounts. */
  alloc?: Record<Hex, GenesisAccount>;
}

/** Hardhat's 20 dev accounts with 10000 ETH each, a 30M gas limit, and the given validators. */
export function defaultGenesisConfig(options: DefaultGenesisOptions = {}): GenesisConfig {
  const alloc: Record<Hex, GenesisAccount> = {};
  for (const { address } of devAccountKeys()) alloc[address] = { balance: DEV_ACCOUNT_BALANCE };
  for (const [address, account] of Object.entries(options.alloc ?? {})) alloc[address.toLowerCase() as Hex] = account;
  const validators = options.validators ?? [];
  return {
    chainId: options.chainId ?? 31337n,
    timestamp: options.timestamp ?? 0n,
    gasLimit: options.gasLimit ?? DEFAULT_BLOCK_GAS_LIMIT,
    extraData: options.extraData ?? new Uint8Array(),
    baseFeePerGas: GENESIS_BASE_FEE,
    alloc,
    staking: validators.length === 0 ? undefined : { config: { ...DEFAULT_STAKING_CONFIG, ...options.stakingConfig }, validators },
  };
}

export async function createGenesis(config: GenesisConfig, common: Common): Promise<Genesis> {
  validateGenesisConfig(config, common);
  const state = await openExecutionState(common, emptyStateSource, { blockHash: async () => undefined }, KECCAK256_RLP);
  const { stateManager, vm } = state;
  const addresses = Object.keys(config.alloc).sort() as Hex[];
  for (const address of addresses) {
    const entry = config.alloc[address];
    const at = createAddressFromString(address);
    await stateManager.putAccount(at, new Account(entry.nonce ?? 0n, entry.balance ?? 0n));
    if (entry.code !== undefined && entry.code.length > 0) await stateManager.putCode(at, entry.code);
    for (const [slot, value] of Object.entries(entry.storage ?? {})) {
      await stateManager.putStorage(at, setLengthLeft(hexToBytes(slot as Hex), 32), hexToBytes(value as Hex));
    }
  }
  const header = {
    number: 0n,
    gasLimit: config.gasLimit,
    timestamp: config.timestamp,
    extraData: config.extraData,
    baseFeePerGas: config.baseFeePerGas,
  };
  if (config.staking !== undefined) {
    const context = createBlock({ header }, { common });
    await predeployStaking(vm, config.staking, context);
  }
  const stateRoot = await stateManager.getStateRoot();
  const block = createBlock({ header: { ...header, stateRoot } }, { common });
  return { block, stateNodes: state.db.writes() };
}

async function predeployStaking(vm: Awaited<ReturnType<typeof openExecutionState>>["vm"], staking: StakingGenesis, context: Block): Promise<void> {
  const artifact = staking.artifact ?? validatorRegistryArtifact();
  const totalStake = staking.validators.reduce((sum, v) => sum + v.stake, 0n);
  const initcode = hexBytes(
    artifact.bytecode +
      new Interface(artifact.abi).encodeDeploy([SYSTEM_ADDRESS, staking.config, staking.validators]).slice(2),
  );
  const at = createAddressFromString(STAKING_ADDRESS);
  const system = createAddressFromString(SYSTEM_ADDRESS);
  // A deployed contract starts at nonce 1 (EIP-161) and already holds msg.value while its constructor runs.
  await vm.stateManager.putAccount(at, new Account(1n, totalStake));
  const result = await vm.evm.runCode({
    code: initcode,
    data: new Uint8Array(),
    to: at,
    caller: system,
    origin: system,
    value: totalStake,
    gasLimit: 1_000_000_000n,
    block: context,
  });
  if (result.exceptionError !== undefined) {
    const returnData = bytesToHex(result.returnValue) as Hex;
    const decoded = stakingInterface().parseError(returnData);
    throw new GenesisError(
      "STAKING_CONSTRUCTOR_FAILED",
      `staking contract constructor failed: ${decoded === null ? result.exceptionError.error : `${decoded.name}(${decoded.args.join(", ")})`}`,
      returnData,
    );
  }
  await vm.stateManager.putCode(at, result.returnValue);
}

function validateGenesisConfig(config: GenesisConfig, common: Common): void {
  const fail = (message: string) => {
    throw new GenesisError("INVALID_CONFIG", message);
  };
  if (config.chainId !== BigInt(common.chainId())) fail(`genesis chain id ${config.chainId} differs from Common's ${common.chainId()}`);
  if (config.gasLimit < 5000n || config.gasLimit >= 2n ** 63n) fail(`gas limit ${config.gasLimit} out of range`);
  if (config.timestamp < 0n || config.timestamp >= 2n ** 64n) fail(`timestamp ${config.timestamp} out of range`);
  if (config.extraData.length > 32) fail("extraData is over 32 bytes");
  if (config.baseFeePerGas < 0n) fail("negative base fee");
  for (const address of Object.keys(config.alloc)) {
    if (!/^0x[0-9a-f]{40}$/.test(address)) fail(`alloc address ${address} is not a lowercase 20-byte hex address`);
    if (address === STAKING_ADDRESS && config.staking !== undefined) fail(`alloc overrides the staking predeploy at ${STAKING_ADDRESS}`);
  }
  if (config.staking !== undefined) {
    if (config.staking.validators.length === 0) fail("staking genesis without validators");
    for (const v of config.staking.validators) if (v.stake <= 0n) fail(`validator ${v.signer} has no stake`);
  }
}
