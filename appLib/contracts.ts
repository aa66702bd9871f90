/**
 * The one typed registry of the contracts the app talks to (scaffold-eth-2's deployed-contracts
 * registry): ABIs generated from Hardhat's artifacts (contracts.generated.ts), addresses from the
 * deployment the devnet wrote (deployment.ts reads it on the server and hands it to the browser).
 * Browser-safe: no Node APIs.
 */
import type { Address } from "viem";
import { contractAbis, type ContractName } from "./contracts.generated.ts";

export { contractAbis, type ContractName };

/** The app's name for each deployed contract, and the contract (Ignition future `Module#Name`) it is. */
export const APP_CONTRACTS = {
  governor: "ConcordGovernor",
  token: "ConcordToken",
  timelock: "ConcordTimelock",
  didRegistry: "EthereumDIDRegistry",
  credentialRegistry: "CredentialRegistry",
  contentRegistry: "ContentRegistry",
} as const satisfies Record<string, ContractName>;

export type AppContractKey = keyof typeof APP_CONTRACTS;

/** Governance cannot work without these three; the others are optional for this part of the app. */
export const REQUIRED_CONTRACTS = ["governor", "token", "timelock"] as const satisfies readonly AppContractKey[];

export type DeployedAddresses = { [K in (typeof REQUIRED_CONTRACTS)[number]]: Address } & {
  [K in Exclude<AppContractKey, (typeof REQUIRED_CONTRACTS)[number]>]?: Address;
};

/** What the browser needs to know about the deployment (serialisable: passed from server components). */
export interface Deployment {
  chainId: number;
  addresses: DeployedAddresses;
}

export type AppContract<K extends AppContractKey> = { address: Address; abi: (typeof contractAbis)[(typeof APP_CONTRACTS)[K]] };

export type GovernanceContracts = { [K in (typeof REQUIRED_CONTRACTS)[number]]: AppContract<K> };

/** Address + ABI of the governance contracts, ready for viem's readContract / writeContract. */
export function governanceContracts(addresses: DeployedAddresses): GovernanceContracts {
  return {
    governor: { address: addresses.governor, abi: contractAbis.ConcordGovernor },
    token: { address: addresses.token, abi: contractAbis.ConcordToken },
    timelock: { address: addresses.timelock, abi: contractAbis.ConcordTimelock },
  };
}

/** Every ABI the app knows, for decoding a revert's custom error or a proposal's calls. */
export const ALL_ABIS = Object.values(contractAbis).flat();
