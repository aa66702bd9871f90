import "server-only";
/**
 * Reads the deployment the app governs: deployed-addresses.json, which `npm start` copies from
 * Ignition's journal into the devnet's data directory. Futures are `Module#ContractName`; the
 * contract name says which of the app's contracts each address is.
 */
import { readFile, stat } from "node:fs/promises";
import { getAddress, isAddress, type Address } from "viem";
import { APP_CONTRACTS, REQUIRED_CONTRACTS, type AppContractKey, type DeployedAddresses } from "./contracts.ts";
import { appConfig } from "./config.ts";

export type DeploymentErrorCode = "DEPLOYMENT_MISSING" | "DEPLOYMENT_INVALID";

export class DeploymentError extends Error {
  constructor(
    readonly code: DeploymentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DeploymentError";
  }
}

const cacheKey = Symbol.for("concord.app.deployment");
type Cached = { file: string; mtimeMs: number; addresses: DeployedAddresses };
type GlobalWithDeployment = typeof globalThis & { [cacheKey]?: Cached };

/** The deployed addresses, re-read when the file changes (a `--fresh` devnet redeploys). */
export async function deployedAddresses(): Promise<DeployedAddresses> {
  const file = appConfig().deploymentFile;
  const info = await stat(file).catch(() => {
    throw new DeploymentError("DEPLOYMENT_MISSING", `no deployment at ${file}: start the devnet with \`npm start\` (it deploys the contracts), or set CONCORD_DEPLOYMENT_FILE`);
  });
  const holder = globalThis as GlobalWithDeployment;
  const cached = holder[cacheKey];
  if (cached !== undefined && cached.file === file && cached.mtimeMs === info.mtimeMs) return cached.addresses;
  const addresses = parseDeployedAddresses(await readFile(file, "utf8"), file);
  holder[cacheKey] = { file, mtimeMs: info.mtimeMs, addresses };
  return addresses;
}

export function parseDeployedAddresses(text: string, file: string): DeployedAddresses {
  let futures: unknown;
  try {
    futures = JSON.parse(text);
  } catch {
    throw new DeploymentError("DEPLOYMENT_INVALID", `${file} is not JSON`);
  }
  if (typeof futures !== "object" || futures === null) throw new DeploymentError("DEPLOYMENT_INVALID", `${file} is not an object of futures`);
  const keyByContract = new Map<string, AppContractKey>(Object.entries(APP_CONTRACTS).map(([key, name]) => [name, key as AppContractKey]));
  const found: Partial<Record<AppContractKey, Address>> = {};
  for (const [future, address] of Object.entries(futures)) {
    const key = keyByContract.get(future.slice(future.indexOf("#") + 1));
    if (key === undefined) continue;
    if (typeof address !== "string" || !isAddress(address, { strict: false })) {
      throw new DeploymentError("DEPLOYMENT_INVALID", `${file}: ${future} is not an address`);
    }
    found[key] = getAddress(address);
  }
  const missing = REQUIRED_CONTRACTS.filter((key) => found[key] === undefined);
  if (missing.length > 0) {
    throw new DeploymentError("DEPLOYMENT_INVALID", `${file} lacks ${missing.map((key) => APP_CONTRACTS[key]).join(", ")}: deploy ignition/modules/Concord.ts`);
  }
  return found as DeployedAddresses;
}
