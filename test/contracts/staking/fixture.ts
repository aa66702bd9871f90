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

/** How many test signer keys exist: `signerAddress(n)` takes 1 <= n <= SIGNER_POOL_SIZE. */
export const SIGNER_POOL_SIZE = 1536;
let signerPool: ethersLib.Wallet[] | undefined;
let walletBySigner: Map<string, ethersLib.Wallet> | undefined;

/**
 * The signing key of validator `n` (1-based). The registry needs each signer key's consent to register
 * it, so signers are real keys; the pool is sorted by address so that `signerAddress(n)` ascends with
 * `n`, which keeps the signer-ascending tie-breaks of the tests readable.
 */
export function signerWallet(n: number): ethersLib.Wallet {
  if (!Number.isInteger(n) || n < 1 || n > SIGNER_POOL_SIZE) throw new RangeError(`signer ${n} is outside the pool 1..${SIGNER_POOL_SIZE}`);
  signerPool ??= Array.from({ length: SIGNER_POOL_SIZE }, (_, i) => new ethersLib.Wallet(ethersLib.id(`concord test validator signer ${i}`))).sort(
    (a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1),
  );
  return signerPool[n - 1]!;
}

/** The address of validator `n`'s signing key (ascending with `n`). */
export function signerAddress(n: number): string {
  return signerWallet(n).address;
}

/** The EIP-712 domain the registry's signer consent is signed under. */
export async function consentDomain(registry: Contract): Promise<ethersLib.TypedDataDomain> {
  const { chainId } = await registry.runner!.provider!.getNetwork();
  return { name: "Concord ValidatorRegistry", version: "1", chainId, verifyingContract: await registry.getAddress() };
}

export const CONSENT_TYPES = {
  ValidatorConsent: [
    { name: "signer", type: "address" },
    { name: "operator", type: "address" },
  ],
};

/** The signer key's consent to `operator` registering it, signed with the pool key of `signer`. */
export async function signerConsent(registry: Contract, signer: string, operator: string): Promise<string> {
  walletBySigner ??= new Map(Array.from({ length: SIGNER_POOL_SIZE }, (_, i) => [signerAddress(i + 1), signerWallet(i + 1)]));
  const wallet = walletBySigner.get(ethersLib.getAddress(signer));
  if (!wallet) throw new Error(`${signer} is not a test signer key; pass the consent by hand`);
  return wallet.signTypedData(await consentDomain(registry), CONSENT_TYPES, { signer, operator });
}

/** `operator` registers `signer` with `value` as stake, with the signer key's consent. */
export async function register(
  registry: Contract,
  operator: { address: string } & HardhatEthersSigner,
  signer: string,
  value: bigint,
): Promise<ethersLib.ContractTransactionResponse> {
  const consent = await signerConsent(registry, signer, operator.address);
  return connect(registry, operator).register(signer, consent, { value });
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

/** A height for a double sign reported in the next block: the latest block's. */
export async function offenceHeight(ethers: HardhatEthers): Promise<bigint> {
  return BigInt(await ethers.provider.getBlockNumber());
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
