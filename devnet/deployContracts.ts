/**
 * Deploys the project's Ignition modules to a running Concord node with ignition-core, the engine of
 * `hardhat ignition deploy`, in a child process (ignitionDeploy.ts) so Hardhat's runtime never loads
 * into the devnet's own process.
 *
 * The deployment journal lives in the data directory (<dataDir>/ignition/deployments/<deploymentId>),
 * next to the chain it describes; a fresh chain resets it (otherwise Ignition would trust addresses
 * from a chain that no longer exists). The resulting addresses are written to the data directory,
 * where the app and scripts read them.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CONCORD_MODULE = "ignition/modules/Concord.ts";
export const PARAMETERS_FILE = "ignition/parameters.devnet.json";
export const DEPLOYED_ADDRESSES_FILE = "deployed-addresses.json";

export interface DeployOptions {
  rpcUrl: string;
  dataDir: string;
  /** True when the chain was just created: the journal of an earlier chain is discarded. */
  freshChain: boolean;
  /** Ignition parameters file (default PARAMETERS_FILE), e.g. a test deployment's short delays. */
  parametersFile?: string;
  /** Receives Ignition's progress lines. */
  onOutput?: (line: string) => void;
}

export class DeploymentError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "DeploymentError";
  }
}

/** One Ignition deployment id per data directory, stable across restarts. */
export function deploymentIdFor(dataDir: string): string {
  const digest = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 10);
  return `concord-devnet-${digest}`;
}

/** Where a data directory's Ignition journal lives. */
export function deploymentDirFor(dataDir: string): string {
  return path.join(dataDir, "ignition", "deployments", deploymentIdFor(dataDir));
}

/** Deploys (or resumes) the Concord Ignition module and returns the deployed addresses by future id. */
export async function deployContracts(options: DeployOptions): Promise<Record<string, string>> {
  const deploymentDir = deploymentDirFor(options.dataDir);
  if (options.freshChain) await rm(deploymentDir, { recursive: true, force: true });
  await mkdir(deploymentDir, { recursive: true });
  const request = {
    rpcUrl: options.rpcUrl,
    deploymentDir,
    parametersFile: options.parametersFile ?? PARAMETERS_FILE,
    projectRoot: PROJECT_ROOT,
  };
  warmUpCallWorkers(options.rpcUrl);
  const addresses = await runDeployment(request, options.onOutput);
  await writeFile(path.join(options.dataDir, DEPLOYED_ADDRESSES_FILE), `${JSON.stringify(addresses, null, 2)}\n`);
  return addresses;
}

/**
 * A node runs eth_estimateGas on worker threads it starts on first use; on a new chain that is
 * Ignition's first estimate, which then waited ~2 s for them. One throwaway estimate (a contract
 * creation, which no node answers without running the EVM) starts them while the deployment process
 * loads. Its answer, or failure, does not matter.
 */
function warmUpCallWorkers(rpcUrl: string): void {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_estimateGas", params: [{ data: "0x00" }] });
  fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(30_000) })
    .then((response) => response.arrayBuffer())
    .catch(() => {});
}

/** Runs ignitionDeploy.ts and reads its JSON lines (progress, then the addresses or an error). */
function runDeployment(request: object, onOutput?: (line: string) => void): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const script = path.join(PROJECT_ROOT, "devnet", "ignitionDeploy.ts");
    const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(request)], {
      cwd: PROJECT_ROOT,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let pending = "";
    let addresses: Record<string, string> | undefined;
    let failure: string | undefined;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === "") continue;
        let message: { progress?: string; addresses?: Record<string, string>; error?: string };
        try {
          message = JSON.parse(line);
        } catch {
          onOutput?.(line); // a library's own console output
          continue;
        }
        if (message.progress !== undefined) onOutput?.(message.progress);
        if (message.addresses !== undefined) addresses = message.addresses;
        if (message.error !== undefined) failure = message.error;
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", (error) => reject(new DeploymentError(`could not run the Ignition deployment: ${error.message}`, output)));
    child.on("close", (code) => {
      if (code === 0 && addresses !== undefined) resolve(addresses);
      else reject(new DeploymentError(`Ignition deployment failed${failure === undefined ? ` (exit code ${code})` : `: ${failure}`}`, output));
    });
  });
}
