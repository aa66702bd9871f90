/**
 * The devnet's Ignition parameters (ignition/parameters.devnet.json) hand the proposal guardian role and
 * every governance token to the public test keys, with one-second voting delays: fine on a devnet, a
 * gift to anyone on a real chain. This check refuses them anywhere else; the Hardhat plugin beside it
 * (devnetOnlyParameters.ts) runs it before `hardhat ignition deploy`.
 *
 * A chain is a development chain when its id is 31337 (Hardhat's, Anvil's and the Concord devnet's
 * default) or when it answers `hardhat_metadata` (a Hardhat node, or a Concord devnet started with
 * another --chain-id); real networks answer neither.
 */
import path from "node:path";

export const DEVNET_PARAMETERS_FILE = "parameters.devnet.json";
const DEVELOPMENT_CHAIN_ID = 31337n;

/** The keys an operator must set for a real deployment, by module (what the devnet file gives the test keys). */
const PARAMETERS_TO_SET = "Governance.recipients, Governance.amounts, Governance.guardian, Governance.votingDelay, Governance.votingPeriod, Governance.timelockMinDelay, Governance.proposalThreshold, Governance.quorumNumerator";

export class DevnetParametersError extends Error {
  override readonly name = "DevnetParametersError";
  readonly code = "DEVNET_PARAMETERS_ON_ANOTHER_CHAIN";
}

export function isDevnetParametersFile(parameters: string | undefined): boolean {
  return parameters !== undefined && path.basename(parameters) === DEVNET_PARAMETERS_FILE;
}

/** Throws unless `chainId` is a development chain (see above) when `parameters` is the devnet's file. */
export function checkDevnetParameters(parameters: string | undefined, chainId: bigint, answersDevMethods: boolean): void {
  if (!isDevnetParametersFile(parameters) || chainId === DEVELOPMENT_CHAIN_ID || answersDevMethods) return;
  throw new DevnetParametersError(
    `${parameters} is for a development chain only: it gives the proposal guardian role and every governance token to the ` +
      `public test keys, with one-second voting delays. Chain ${chainId} is not a development chain (its id is not 31337 and it does not answer hardhat_metadata). ` +
      `Write a parameters file of your own that sets ${PARAMETERS_TO_SET}, and pass it with --parameters.`,
  );
}
