/** Command-line options of `concord devnet` and `concord node`, validated before anything starts. */
import path from "node:path";
import { parseArgs } from "node:util";
import { parseRpcPolicy, rpcPolicyFlags, type RpcClientPolicy } from "./rpcPolicy.ts";

export class DevnetOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DevnetOptionsError";
  }
}

export interface NodeCommandOptions extends RpcClientPolicy {
  dataDir: string;
  host: string;
  port: number;
  blockIntervalMs: number | undefined;
  chainId: bigint;
  /**
   * fsync every block before answering for it (and, on validators, every WAL and sign-state record
   * before a vote leaves). Off by default: a committed block then survives the process being killed
   * (it is in the OS page cache, LevelDB's log keeps batches whole) but an OS crash or power loss may
   * lose the last blocks, as with geth --dev; Hardhat's and Anvil's nodes keep nothing at all. The
   * fsync costs each block a few milliseconds of latency.
   */
  fsync: boolean;
  /** A state dump to start from (Anvil's --load-state): applied after the chain starts. */
  loadState?: string;
  /** Where to write the state when the chain stops (Anvil's --dump-state). */
  dumpState?: string;
}

export interface DevnetCommandOptions extends NodeCommandOptions {
  fresh: boolean;
  ipfs: boolean;
  ipfsApiPort: number;
  gatewayPort: number;
  deploy: boolean;
  /** Ignition parameters of the deployment (default ignition/parameters.devnet.json). */
  ignitionParameters: string | undefined;
  /** Serve the web app (a production build, reused while its sources are unchanged). */
  app: boolean;
  appPort: number;
  /** 4 by default: that many validator processes (BFT over libp2p); 1: one in-process validator with Hardhat's dev methods. */
  validators: number;
}

export const DEFAULT_DATA_DIR = ".concord";

const common = {
  "data-dir": { type: "string" },
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "8545" },
  "block-interval": { type: "string" },
  "chain-id": { type: "string", default: "31337" },
  fsync: { type: "boolean", default: false },
  "load-state": { type: "string" },
  "dump-state": { type: "string" },
} as const;

/** `concord node --config <file>` and the policy flags that may follow it. */
export function parseValidatorRunOptions(args: string[]): { configFile: string; fsync: boolean } & RpcClientPolicy {
  const { values } = parse(args, { config: { type: "string" }, fsync: { type: "boolean", default: false }, ...rpcPolicyFlags });
  if (values.config === undefined || values.config === "") throw new DevnetOptionsError("--config needs a file");
  return { configFile: values.config, fsync: values.fsync, ...parseRpcPolicy(values) };
}

export function parseNodeOptions(args: string[]): NodeCommandOptions {
  const { values } = parse(args, { ...common, ...rpcPolicyFlags });
  return {
    ...parseRpcPolicy(values),
    dataDir: path.resolve(values["data-dir"] ?? path.join(process.env.CONCORD_DATA_DIR ?? DEFAULT_DATA_DIR, "node")),
    host: values.host,
    port: port(values.port, "--port"),
    blockIntervalMs: values["block-interval"] === undefined ? undefined : positiveInteger(values["block-interval"], "--block-interval"),
    chainId: chainId(values["chain-id"]),
    fsync: values.fsync,
    ...stateFiles(values),
  };
}

function stateFiles(values: { "load-state"?: string; "dump-state"?: string }): Pick<NodeCommandOptions, "loadState" | "dumpState"> {
  return {
    loadState: values["load-state"] === undefined ? undefined : path.resolve(values["load-state"]),
    dumpState: values["dump-state"] === undefined ? undefined : path.resolve(values["dump-state"]),
  };
}

export function parseDevnetOptions(args: string[]): DevnetCommandOptions {
  const { values } = parse(args, {
    ...common,
    ...rpcPolicyFlags,
    fresh: { type: "boolean", default: false },
    "no-ipfs": { type: "boolean", default: false },
    "no-deploy": { type: "boolean", default: false },
    "ipfs-api-port": { type: "string", default: "5001" },
    "gateway-port": { type: "string", default: "8080" },
    "ignition-parameters": { type: "string" },
    "no-app": { type: "boolean", default: false },
    "app-port": { type: "string", default: "3000" },
    validators: { type: "string", default: "4" },
  });
  const validators = Number(values.validators);
  if (!/^\d+$/.test(values.validators) || validators < 1 || validators > 20) {
    throw new DevnetOptionsError(`--validators must be an integer from 1 to 20, got '${values.validators}'`);
  }
  if (validators > 1 && (values["load-state"] !== undefined || values["dump-state"] !== undefined)) {
    throw new DevnetOptionsError("--load-state and --dump-state need a single-validator dev chain: add --validators 1");
  }
  return {
    ...parseRpcPolicy(values),
    dataDir: path.resolve(values["data-dir"] ?? process.env.CONCORD_DATA_DIR ?? DEFAULT_DATA_DIR),
    host: values.host,
    port: port(values.port, "--port"),
    blockIntervalMs: values["block-interval"] === undefined ? undefined : positiveInteger(values["block-interval"], "--block-interval"),
    chainId: chainId(values["chain-id"]),
    fsync: values.fsync,
    ...stateFiles(values),
    fresh: values.fresh,
    ipfs: !values["no-ipfs"],
    ipfsApiPort: port(values["ipfs-api-port"], "--ipfs-api-port"),
    gatewayPort: port(values["gateway-port"], "--gateway-port"),
    deploy: !values["no-deploy"],
    ignitionParameters: values["ignition-parameters"] === undefined ? undefined : path.resolve(values["ignition-parameters"]),
    app: !values["no-app"],
    appPort: port(values["app-port"], "--app-port"),
    validators,
  };
}

type OptionSpec = Record<string, { type: "string" | "boolean"; default?: string | boolean }>;

function parse<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new DevnetOptionsError((error as Error).message);
  }
}

function port(value: string, option: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) {
    throw new DevnetOptionsError(`${option} must be a port number from 0 to 65535, got '${value}'`);
  }
  return parsed;
}

export function positiveInteger(value: string, option: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1) throw new DevnetOptionsError(`${option} must be a positive integer, got '${value}'`);
  return parsed;
}

function chainId(value: string): bigint {
  // A chain id must fit in a JS number for ethereumjs' Common and in 2^53 for wallets (EIP-2294 bounds it lower still).
  if (!/^\d+$/.test(value) || BigInt(value) < 1n || BigInt(value) > 4503599627370476n) {
    throw new DevnetOptionsError(`--chain-id must be an integer from 1 to 4503599627370476, got '${value}'`);
  }
  return BigInt(value);
}
