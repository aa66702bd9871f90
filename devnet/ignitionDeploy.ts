/**
 * The child process deployContracts.ts runs: deploys the Concord Ignition module to a running node with
 * ignition-core's `deploy`, the function `hardhat ignition deploy` runs underneath, on a Hardhat runtime
 * built from the project's own config (same artifacts, settings and deployer account as the CLI).
 *
 * What differs from the CLI, all for the devnet's sake:
 * - the journal lives in the devnet's data directory (<dataDir>/ignition/deployments/<id>), never in the
 *   source tree: the CLI only accepts deployment directories under its own root;
 * - progress is one line per finished step (ignitionProgress.ts), not a redrawn batch table;
 * - the devnet node signs the transactions (its test accounts are unlocked, as Hardhat's node's are):
 *   deriving the config's 20 accounts from the mnemonic took ~0.8 s, a fifth of a whole deployment;
 * - Ignition polls every 50 ms instead of every second. The devnet answers a send once its block is
 *   committed, so the receipt is there at the first look; the short interval only matters if it is not.
 *
 * Input: a JSON request in argv[2]. Output on stdout, one JSON object per line: `{ "progress": "..." }`
 * for each finished step, then `{ "addresses": {...} }`, or `{ "error": "..." }` before a non-zero exit.
 */
import path from "node:path";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import { deploy } from "@nomicfoundation/ignition-core";
import { HardhatArtifactResolver, readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import projectConfig from "../hardhat.config.ts";
import ConcordModule from "../ignition/modules/Concord.ts";
import { progressListener } from "./ignitionProgress.ts";

export interface IgnitionDeployRequest {
  rpcUrl: string;
  /** The journal's directory (created if missing). */
  deploymentDir: string;
  parametersFile: string;
  projectRoot: string;
}

/** Ignition's polling interval on a devnet (ms). */
const BLOCK_POLLING_INTERVAL_MS = 50;

function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(request: IgnitionDeployRequest): Promise<void> {
  const hre = await createHardhatRuntimeEnvironment(
    {
      ...projectConfig,
      networks: { ...projectConfig.networks, devnet: { ...projectConfig.networks!.devnet!, url: request.rpcUrl, accounts: "remote" } as never },
    },
    {},
    request.projectRoot,
  );
  const connection = await hre.network.connect({ network: "devnet" });
  try {
    const result = await deploy({
      // Concord's blocks are final once committed (BFT, no reorgs): one confirmation is certainty.
      config: { requiredConfirmations: 1, blockPollingInterval: BLOCK_POLLING_INTERVAL_MS },
      artifactResolver: new HardhatArtifactResolver(hre.artifacts),
      provider: connection.provider,
      executionEventListener: progressListener((line) => emit({ progress: line })),
      deploymentDir: request.deploymentDir,
      ignitionModule: ConcordModule,
      deploymentParameters: await readDeploymentParameters(path.resolve(request.projectRoot, request.parametersFile)),
      accounts: (await connection.provider.request({ method: "eth_accounts" })) as string[],
    });
    if (result.type !== "SUCCESSFUL_DEPLOYMENT") {
      emit({ error: `Ignition did not complete the deployment (${result.type}): ${JSON.stringify(result, null, 1)}` });
      process.exitCode = 1;
      return;
    }
    emit({ addresses: Object.fromEntries(Object.entries(result.contracts).map(([id, contract]) => [id, contract.address])) });
  } finally {
    await connection.close();
  }
}

await main(JSON.parse(process.argv[2] ?? "{}") as IgnitionDeployRequest).catch((error: unknown) => {
  emit({ error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
});
