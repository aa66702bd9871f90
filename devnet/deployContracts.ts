/**
 * Deploys the project's Ignition modules to a running Concord node, the way a developer would:
 * `hardhat ignition deploy ignition/modules/Concord.ts --network devnet`, as a child process so the
 * devnet exercises exactly the path Hardhat users take.
 *
 * The deployment journal lives in ignition/deployments/<deploymentId>; each data directory has its
 * own id, and a fresh chain resets its journal (otherwise Ignition would trust addresses from a
 * chain that no longer exists). The resulting addresses are copied into the data directory, where
 * the app and scripts read them.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CONCORD_MODULE = "ignition/modules/Concord.ts";
export const PARAMETERS_FILE = "ignition/parameters.json";
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

/** Deploys (or resumes) the Concord Ignition module and returns the deployed addresses by future id. */
export async function deployContracts(options: DeployOptions): Promise<Record<string, string>> {
  const deploymentId = deploymentIdFor(options.dataDir);
  const args = [
    "hardhat", "ignition", "deploy", CONCORD_MODULE,
    "--network", "devnet",
    "--parameters", options.parametersFile ?? PARAMETERS_FILE,
    "--deployment-id", deploymentId,
  ];
  if (options.freshChain) args.push("--reset");
  const output = await run("npx", args, {
    ...process.env,
    CONCORD_RPC_URL: options.rpcUrl,
    // Ignition asks before deploying to a chain id other than 31337; a devnet is ours to deploy to.
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
    HARDHAT_IGNITION_CONFIRM_RESET: "1",
    // Ignition's interactive UI redraws the terminal; plain lines read better inside the devnet's log.
    CI: "true",
  }, options.onOutput);
  const journalDir = path.join(PROJECT_ROOT, "ignition", "deployments", deploymentId);
  const addressesFile = path.join(journalDir, "deployed_addresses.json");
  let addresses: Record<string, string>;
  try {
    addresses = JSON.parse(await readFile(addressesFile, "utf8"));
  } catch (cause) {
    throw new DeploymentError(`Ignition finished but ${addressesFile} is unreadable`, output);
  }
  await copyFile(addressesFile, path.join(options.dataDir, DEPLOYED_ADDRESSES_FILE));
  return addresses;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onOutput?: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim() !== "") onOutput?.(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) => reject(new DeploymentError(`could not run ${command}: ${error.message}`, output)));
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new DeploymentError(`Ignition deployment failed (exit code ${code})`, output));
    });
  });
}
