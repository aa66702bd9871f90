/**
 * The staking system contract as the node sees it: its address, the calls the node makes and the
 * decoding of their results. The ABI comes from the compiled artifacts (agreed interface:
 * /work/briefs/STAKING_ABI.md, contracts/staking/IValidatorRegistry.sol).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Interface, Wallet, hexlify, type InterfaceAbi } from "ethers";
import type { Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export const STAKING_ADDRESS = "0x0000000000000000000000000000000000001000" as const;

const ARTIFACTS = new URL("../../artifacts/contracts/staking/", import.meta.url);

export interface ContractArtifact {
  abi: InterfaceAbi;
  /** Creation bytecode (0x-prefixed). */
  bytecode: Hex;
}

export class ArtifactMissingError extends ConcordError<"ARTIFACT_MISSING"> {
  override readonly name = "ArtifactMissingError";
  constructor(readonly path: string) {
    super("ARTIFACT_MISSING", `contract artifact ${path} not found: run \`npx hardhat compile\``);
  }
}

export function loadArtifact(relativePath: string): ContractArtifact {
  const path = fileURLToPath(new URL(relativePath, ARTIFACTS));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ArtifactMissingError(path);
  }
  const json = JSON.parse(text) as { abi: InterfaceAbi; bytecode: Hex };
  return { abi: json.abi, bytecode: json.bytecode };
}

/** The deployable registry (bytecode + ABI). */
export function validatorRegistryArtifact(): ContractArtifact {
  return loadArtifact("ValidatorRegistry.sol/ValidatorRegistry.json");
}

let registryInterface: Interface | undefined;
/** The registry's ABI, from the interface artifact (stable while the implementation changes). */
export function stakingInterface(): Interface {
  registryInterface ??= new Interface(loadArtifact("IValidatorRegistry.sol/IValidatorRegistry.json").abi);
  return registryInterface;
}

export interface StakingConfig {
  minSelfStake: bigint;
  /** Seconds. */
  unbondingPeriod: bigint;
  /** Blocks per epoch. */
  epochLength: bigint;
  maxValidators: number;
  slashFractionBps: number;
  /** Seconds. */
  jailDuration: bigint;
}

export interface InitialValidator {
  operator: Hex;
  signer: Hex;
  stake: bigint;
}

export interface ActiveValidators {
  signers: Hex[];
  stakes: bigint[];
}

/** The EIP-712 domain and type under which a signer key consents to its operator (ValidatorRegistry.register). */
export function validatorConsentTypedData(chainId: bigint, signer: Hex, operator: Hex, registry: Hex = STAKING_ADDRESS) {
  return {
    domain: { name: "Concord ValidatorRegistry", version: "1", chainId, verifyingContract: registry },
    types: { ValidatorConsent: [{ name: "signer", type: "address" }, { name: "operator", type: "address" }] },
    message: { signer, operator },
  };
}

/**
 * The signature `register(signer, consent)` needs: the signer key agrees that `operator` registers it
 * (without it anyone could register someone else's key first and collect its node's rewards).
 */
export async function signValidatorConsent(signerKey: Hex | Uint8Array, operator: Hex, chainId: bigint, registry: Hex = STAKING_ADDRESS): Promise<Hex> {
  const wallet = new Wallet(typeof signerKey === "string" ? signerKey : hexlify(signerKey));
  const { domain, types, message } = validatorConsentTypedData(chainId, wallet.address as Hex, operator, registry);
  return (await wallet.signTypedData(domain, types, message)) as Hex;
}

export function encodeCall(name: string, args: readonly unknown[] = []): Uint8Array {
  return hexBytes(stakingInterface().encodeFunctionData(name, args));
}

export function decodeActiveValidators(returnData: Uint8Array): ActiveValidators {
  const [signers, stakes] = stakingInterface().decodeFunctionResult("getActiveValidators", returnData) as unknown as [string[], bigint[]];
  return { signers: signers.map((s) => s.toLowerCase() as Hex), stakes: [...stakes] };
}

export function decodeConfig(returnData: Uint8Array): StakingConfig {
  const [c] = stakingInterface().decodeFunctionResult("config", returnData) as unknown as [
    { minSelfStake: bigint; unbondingPeriod: bigint; epochLength: bigint; maxValidators: bigint; slashFractionBps: bigint; jailDuration: bigint },
  ];
  return {
    minSelfStake: c.minSelfStake,
    unbondingPeriod: c.unbondingPeriod,
    epochLength: c.epochLength,
    maxValidators: Number(c.maxValidators),
    slashFractionBps: Number(c.slashFractionBps),
    jailDuration: c.jailDuration,
  };
}

export interface ValidatorRecord {
  operator: Hex;
  signer: Hex;
  stake: bigint;
  jailed: boolean;
  jailedUntil: bigint;
  registered: boolean;
  unbonding: bigint;
  rewards: bigint;
}

export function decodeValidator(returnData: Uint8Array): ValidatorRecord {
  const [v] = stakingInterface().decodeFunctionResult("validatorBySigner", returnData) as unknown as [
    { operator: string; signer: string; stake: bigint; jailed: boolean; jailedUntil: bigint; registered: boolean; unbonding: bigint; rewards: bigint },
  ];
  return {
    operator: v.operator.toLowerCase() as Hex,
    signer: v.signer.toLowerCase() as Hex,
    stake: v.stake,
    jailed: v.jailed,
    jailedUntil: v.jailedUntil,
    registered: v.registered,
    unbonding: v.unbonding,
    rewards: v.rewards,
  };
}

export function hexBytes(hex: string): Uint8Array {
  return Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex");
}
