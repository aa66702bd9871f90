// Deploys ValidatorRegistry the way the node's genesis builder does (constructor with msg.value = sum of
// the initial stakes) and impersonates the node's system address for system calls.
import { ethers as ethersLib } from "ethers";
import type { Contract } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

/** The node's system address (the same one the genesis builder passes). */
export const SYSTEM_CALLER = "0xfffffffffffffffffffffffffffffffffffffffe";

export const ETHER = 10n ** 18n;

export interface RegistryConfig {
  minSelfStake: bigint;
  unbondingPeriod: bigint;
  epochLength: bigint;
  maxValidators: bigint;
  slashFractionBps: bigint;
  jailDuration: bigint;
}

export interface InitialValidator {
  operator: string;
  signer: string;
  stake: bigint;
}

export const DAY = 86_400n;

export const DEFAULT_CONFIG: RegistryConfig = {
  minSelfStake: 100n * ETHER,
  unbondingPeriod: 7n * DAY,
  epochLength: 10n,
  maxValidators: 4n,
  slashFractionBps: 500n, // 5%
  jailDuration: DAY,
};

/** The `ConfigParameter` enum of IValidatorRegistry, in declaration order. */
export const ConfigParameter = {
  MinSelfStake: 0n,
  UnbondingPeriod: 1n,
  EpochLength: 2n,
  MaxValidators: 3n,
  SlashFractionBps: 4n,
  JailDuration: 5n,
} as const;

/**
 * A deterministic signing address for validator `n` (1-based). Signers are only identities to the
 * registry (it never calls them), and numeric ones make the signer-ascending tie-break easy to read.
 */
export function signerAddress(n: number): string {
  return ethersLib.getAddress(ethersLib.zeroPadValue(ethersLib.toBeHex(0x5100n + BigInt(n)), 20));
}

export function configTuple(config: RegistryConfig): bigint[] {
  return [
    config.minSelfStake,
    config.unbondingPeriod,
    config.epochLength,
    config.maxValidators,
    config.slashFractionBps,
    config.jailDuration,
  ];
}

export function initialTuples(initial: readonly InitialValidator[]): [string, string, bigint][] {
  return initial.map((v) => [v.operator, v.signer, v.stake]);
}

export function totalStake(initial: readonly InitialValidator[]): bigint {
  return initial.reduce((sum, v) => sum + v.stake, 0n);
}

/** Deploys with msg.value = sum of the stakes unless `value` overrides it. */
export async function deployRegistry(
  ethers: HardhatEthers,
  initial: readonly InitialValidator[],
  config: RegistryConfig = DEFAULT_CONFIG,
  value: bigint = totalStake(initial),
  systemCaller: string = SYSTEM_CALLER,
): Promise<Contract> {
  const factory = await ethers.getContractFactory("ValidatorRegistry");
  const registry = await factory.deploy(systemCaller, configTuple(config), initialTuples(initial), { value });
  await registry.waitForDeployment();
  return registry as Contract;
}

/** The system address as a funded, impersonated signer. */
export async function systemCallerSigner(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
): Promise<HardhatEthersSigner> {
  await networkHelpers.impersonateAccount(SYSTEM_CALLER);
  await networkHelpers.setBalance(SYSTEM_CALLER, 1_000_000n * ETHER);
  return ethers.getSigner(SYSTEM_CALLER);
}

export interface StandardRegistry {
  registry: Contract;
  system: HardhatEthersSigner;
  /** Operators of the genesis validators 1, 2, 3 (accounts 1..3). */
  operators: HardhatEthersSigner[];
  /** Accounts 4..: not operators of anything yet. */
  others: HardhatEthersSigner[];
  deployer: HardhatEthersSigner;
  initial: InitialValidator[];
}

/**
 * Genesis: validator 1 (300 coins), 2 (200), 3 (100), operated by accounts 1, 2, 3; DEFAULT_CONFIG
 * (min 100, unbonding 7 days, 4 seats, 5% slash, 1 day jail).
 */
export async function deployStandardRegistry(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
): Promise<StandardRegistry> {
  const [deployer, ...accounts] = await ethers.getSigners();
  const operators = accounts.slice(0, 3);
  const initial: InitialValidator[] = [
    { operator: operators[0]!.address, signer: signerAddress(1), stake: 300n * ETHER },
    { operator: operators[1]!.address, signer: signerAddress(2), stake: 200n * ETHER },
    { operator: operators[2]!.address, signer: signerAddress(3), stake: 100n * ETHER },
  ];
  const registry = await deployRegistry(ethers, initial);
  const system = await systemCallerSigner(ethers, networkHelpers);
  return { registry, system, operators, others: accounts.slice(3), deployer: deployer!, initial };
}

/** The active set as plain values: [signers, stakes]. */
export async function activeSet(registry: Contract): Promise<[string[], bigint[]]> {
  const [signers, stakes] = (await registry.getActiveValidators()) as [string[], bigint[]];
  return [[...signers], [...stakes]];
}

/**
 * `registry` as seen by `runner`. ethers types `connect` as returning a BaseContract (no ABI methods);
 * the object it returns is a full Contract with the same ABI.
 */
export function connect(registry: Contract, runner: HardhatEthersSigner): Contract {
  return registry.connect(runner) as Contract;
}
