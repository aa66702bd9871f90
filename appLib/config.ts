import "server-only";
/**
 * The app server's configuration, from the environment (`npm start` sets it for the app it starts;
 * README "The app" lists every variable). Read once per process.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { isHex, type Hex } from "viem";
import { resolveIpfsApiUrl } from "../ipfs/client.ts";

/** Hardhat's and Anvil's chain id: always a devnet. */
export const HARDHAT_CHAIN_ID = 31337;

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface AppConfig {
  /** The node the server reads and relays through (standard JSON-RPC only). */
  rpcUrl: string;
  /** The node URL a wallet is told to add (defaults to rpcUrl). */
  publicRpcUrl: string;
  ipfsApiUrl: string;
  /** Where people open a CID (the devnet's gateway), if known. */
  ipfsGatewayUrl: string | undefined;
  /** deployed-addresses.json of the deployment the app governs. */
  deploymentFile: string;
  /** Chain ids on which the developer wallet and the faucet exist: 31337 and the devnet's own. */
  devnetChainIds: ReadonlySet<number>;
  /** iron-session's password (32+ characters). */
  sessionSecret: string;
  /** The key that pays for relayed (gasless) votes; undefined: relaying is off. */
  relayerKey: Hex | undefined;
  relayRateLimit: RateLimit;
  /** The key the devnet faucet pays from; only ever used on a devnet. */
  faucetKey: Hex | undefined;
  faucetRateLimit: RateLimit;
  /** The origin sign-in messages must name; undefined: the origin the request came to. */
  appOrigin: string | undefined;
  /** Widest eth_getLogs block range the app asks for (providers cap it; Concord's default has no cap). */
  logBlockRange: bigint;
}

export class AppConfigError extends Error {
  readonly code = "APP_CONFIG_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "AppConfigError";
  }
}

const configKey = Symbol.for("concord.app.config");
type GlobalWithConfig = typeof globalThis & { [configKey]?: AppConfig };

/** The configuration, parsed on first use and shared by every route of the process. */
export function appConfig(): AppConfig {
  const holder = globalThis as GlobalWithConfig;
  holder[configKey] ??= readAppConfig(process.env);
  return holder[configKey];
}

export function readAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const rpcUrl = trimmed(env.CONCORD_RPC_URL) ?? "http://127.0.0.1:8545";
  // turbopackIgnore: a path from the environment, read at run time; nothing to trace into the build.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ trimmed(env.CONCORD_DATA_DIR) ?? ".concord");
  const devnetChainIds = new Set([HARDHAT_CHAIN_ID]);
  const devnetChainId = trimmed(env.CONCORD_DEVNET_CHAIN_ID);
  if (devnetChainId !== undefined) devnetChainIds.add(positiveInteger(devnetChainId, "CONCORD_DEVNET_CHAIN_ID"));
  const sessionSecret = trimmed(env.CONCORD_SESSION_SECRET) ?? randomBytes(32).toString("hex");
  if (sessionSecret.length < 32) throw new AppConfigError("CONCORD_SESSION_SECRET must be at least 32 characters");
  return {
    rpcUrl,
    publicRpcUrl: trimmed(env.CONCORD_PUBLIC_RPC_URL) ?? rpcUrl,
    ipfsApiUrl: resolveIpfsApiUrl(env),
    ipfsGatewayUrl: trimmed(env.CONCORD_IPFS_GATEWAY)?.replace(/\/+$/, ""),
    deploymentFile: path.resolve(/*turbopackIgnore: true*/ trimmed(env.CONCORD_DEPLOYMENT_FILE) ?? path.join(dataDir, "deployed-addresses.json")),
    devnetChainIds,
    sessionSecret,
    relayerKey: privateKey(env.CONCORD_RELAYER_KEY, "CONCORD_RELAYER_KEY"),
    relayRateLimit: rateLimit(env.CONCORD_RELAY_RATE_LIMIT ?? "5/60", "CONCORD_RELAY_RATE_LIMIT"),
    faucetKey: privateKey(env.CONCORD_FAUCET_KEY, "CONCORD_FAUCET_KEY"),
    faucetRateLimit: rateLimit(env.CONCORD_FAUCET_RATE_LIMIT ?? "3/3600", "CONCORD_FAUCET_RATE_LIMIT"),
    appOrigin: trimmed(env.CONCORD_APP_ORIGIN)?.replace(/\/+$/, ""),
    logBlockRange: BigInt(positiveInteger(env.CONCORD_LOG_BLOCK_RANGE ?? "5000", "CONCORD_LOG_BLOCK_RANGE")),
  };
}

function trimmed(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function positiveInteger(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new AppConfigError(`${name} must be a positive integer, got '${value}'`);
  }
  return Number(value);
}

function privateKey(value: string | undefined, name: string): Hex | undefined {
  const key = trimmed(value);
  if (key === undefined) return undefined;
  const prefixed = key.startsWith("0x") ? key : `0x${key}`;
  if (!isHex(prefixed) || prefixed.length !== 66) throw new AppConfigError(`${name} must be a 32-byte hex private key`);
  return prefixed as Hex;
}

/** "N/S": N requests per S seconds. */
function rateLimit(value: string, name: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (match === null || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new AppConfigError(`${name} must look like 5/60 (requests per seconds), got '${value}'`);
  }
  return { limit: Number(match[1]), windowMs: Number(match[2]) * 1000 };
}
