/**
 * The child process deployContracts.ts runs: deploys the Concord Ignition module to a running node with
 * ignition-core's `deploy`, the function `hardhat ignition deploy` runs underneath, on a Hardhat runtime
 * built from the project's own config (same accounts, artifacts and settings as the CLI).
 *
 * Two things differ from the CLI, both for the devnet's sake:
 * - the journal lives in the devnet's data directory (<dataDir>/ignition/deployments/<id>), never in the
 *   source tree: the CLI only accepts modules under its deployments' own root;
 * - Ignition polls for new blocks every 50 ms instead of every second: a devnet makes a block as soon
 *   as a transaction waits, so the default made a first start wait ~1 s per deployment step.
 *
 * Input: a JSON request in argv[2]. Output on stdout, one JSON object per line: `{ "progress": "..." }`
 * for each finished step, then `{ "addresses": {...} }`, or `{ "error": "..." }` before a non-zero exit.
 */
import path from "node:path";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import { deploy, type ExecutionEventListener } from "@nomicfoundation/ignition-core";
import { HardhatArtifactResolver, readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import projectConfig from "../hardhat.config.ts";
import ConcordModule from "../ignition/modules/Concord.ts";

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

/** Reports each finished step once; every other Ignition event is ignored. */
function progressListener(): ExecutionEventListener {
  const reported: Partial<ExecutionEventListener> = {
    async deploymentExecutionStateComplete(event) {
      const outcome = event.result.type === "SUCCESS" ? `deployed at ${event.result.result}` : `failed: ${describe(event.result)}`;
      emit({ progress: `${event.futureId} ${outcome}` });
    },
    async callExecutionStateComplete(event) {
      emit({ progress: `${event.futureId} ${event.result.type === "SUCCESS" ? "called" : `failed: ${describe(event.result)}`}` });
    },
  };
  return new Proxy(reported, { get: (target, name) => target[name as keyof ExecutionEventListener] ?? (async () => {}) }) as ExecutionEventListener;
}

function describe(result: { type: string; error?: string }): string {
  return result.error ?? result.type.toLowerCase();
}

async function main(request: IgnitionDeployRequest): Promise<void> {
  const hre = await createHardhatRuntimeEnvironment(
    {
      ...projectConfig,
      networks: { ...projectConfig.networks, devnet: { ...projectConfig.networks!.devnet!, url: request.rpcUrl } as never },
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
      executionEventListener: progressListener(),
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
