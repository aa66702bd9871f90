/**
 * What a JSON-RPC client may do, as flags of `concord devnet` / `concord node` (the README's
 * "Limits a client can meet" lists them all): which browser pages and Host names are answered, how
 * much gas and time one eth_call may take, and the server's size and count limits.
 */
import { DevnetOptionsError, positiveInteger } from "./options.ts";
import type { RpcServerOptions } from "../chain/rpc/server.ts";

export interface RpcClientPolicy {
  /** --http-corsdomain: browser origins allowed besides local pages and wallet extensions ("*": any). */
  corsDomains: string[];
  /** --http-vhosts: Host names answered besides localhost and IP addresses ("*": any). */
  vhosts: string[];
  /** --rpc-gascap: most gas one call runs with (geth's default 50,000,000). */
  gasCap: bigint;
  /** --rpc-evmtimeout: wall-clock limit of one call, in milliseconds (geth's default 5 s). */
  evmTimeoutMs: number;
  /** The server's size and count limits given on the command line (the rest keep their defaults). */
  serverLimits: ServerLimits;
}

/** Size and count limits of the JSON-RPC server, by flag (defaults in chain/rpc/server.ts and filters.ts). */
const SERVER_LIMIT_FLAGS = {
  "rpc-max-body-bytes": "maxBodyBytes",
  "rpc-max-batch": "maxBatchSize",
  "rpc-max-connections": "maxConnections",
  "rpc-max-subscriptions": "maxSubscriptionsPerConnection",
  "rpc-max-filters": "maxFilters",
  "rpc-max-filter-entries": "maxLogCriteriaEntries",
  "rpc-max-logs": "maxLogResults",
  "rpc-max-log-range": "maxLogBlockRange",
} as const;

type ServerLimitName = (typeof SERVER_LIMIT_FLAGS)[keyof typeof SERVER_LIMIT_FLAGS];
export type ServerLimits = Partial<Record<ServerLimitName, number>>;

export const rpcPolicyFlags = {
  "http-corsdomain": { type: "string", default: "" },
  "http-vhosts": { type: "string", default: "" },
  "rpc-gascap": { type: "string", default: "50000000" },
  "rpc-evmtimeout": { type: "string", default: "5000" },
  ...(Object.fromEntries(Object.keys(SERVER_LIMIT_FLAGS).map((flag) => [flag, { type: "string" }])) as Record<
    keyof typeof SERVER_LIMIT_FLAGS,
    { type: "string" }
  >),
} as const;

export const RPC_POLICY_USAGE = `  --http-corsdomain <list>  Browser origins allowed to call JSON-RPC besides local pages (localhost, 127.0.0.1)
                            and wallet extensions, comma-separated (https://app.example), or * for any.
  --http-vhosts <list>      Host names JSON-RPC answers besides localhost and IP addresses, or * for any.
  --rpc-gascap <gas>        Most gas one eth_call / eth_estimateGas / trace runs with (default: 50000000).
  --rpc-evmtimeout <ms>     Wall-clock limit of one eth_call / eth_estimateGas / trace (default: 5000).
  --rpc-max-body-bytes <n>  Largest request body or WebSocket message (default: 5242880).
  --rpc-max-batch <n>       Most calls in one batch (default: 1000).
  --rpc-max-connections <n> Most WebSocket connections (default: 1000).
  --rpc-max-subscriptions <n>  Most subscriptions per WebSocket connection (default: 1000).
  --rpc-max-filters <n>     Most filters installed, all clients together (default: 10000).
  --rpc-max-filter-entries <n>  Most addresses and topics held by all log filters and subscriptions (default: 100000).
  --rpc-max-logs <n>        Most logs one eth_getLogs answers (default: 100000).
  --rpc-max-log-range <n>   Most blocks one eth_getLogs spans (default: 0, no limit).
`;

type PolicyValues = { "http-corsdomain": string; "http-vhosts": string; "rpc-gascap": string; "rpc-evmtimeout": string } & Partial<
  Record<keyof typeof SERVER_LIMIT_FLAGS, string>
>;

export function parseRpcPolicy(values: PolicyValues): RpcClientPolicy {
  const list = (value: string) => value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  const corsDomains = list(values["http-corsdomain"]);
  for (const origin of corsDomains) {
    if (origin !== "*" && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(origin)) {
      throw new DevnetOptionsError(`--http-corsdomain takes origins as browsers send them (scheme://host[:port], no path), or *; got '${origin}'`);
    }
  }
  if (!/^\d+$/.test(values["rpc-gascap"]) || BigInt(values["rpc-gascap"]) < 21_000n || BigInt(values["rpc-gascap"]) >= 2n ** 64n) {
    throw new DevnetOptionsError(`--rpc-gascap must be an amount of gas from 21000 to 2^64-1, got '${values["rpc-gascap"]}'`);
  }
  const serverLimits: ServerLimits = {};
  for (const [flag, name] of Object.entries(SERVER_LIMIT_FLAGS) as [keyof typeof SERVER_LIMIT_FLAGS, ServerLimitName][]) {
    const value = values[flag];
    if (value === undefined) continue;
    // A log range of 0 means no limit; every other limit must let something through.
    if (name === "maxLogBlockRange" && value === "0") serverLimits[name] = 0;
    else serverLimits[name] = positiveInteger(value, `--${flag}`);
  }
  return {
    corsDomains,
    vhosts: list(values["http-vhosts"]),
    gasCap: BigInt(values["rpc-gascap"]),
    evmTimeoutMs: positiveInteger(values["rpc-evmtimeout"], "--rpc-evmtimeout"),
    serverLimits,
  };
}

/** The flags that give a child process (a validator of the devnet) the same policy. */
export function rpcPolicyArgs(policy: RpcClientPolicy): string[] {
  const limits = (Object.entries(SERVER_LIMIT_FLAGS) as [string, ServerLimitName][])
    .filter(([, name]) => policy.serverLimits[name] !== undefined)
    .map(([flag, name]) => `--${flag}=${policy.serverLimits[name]}`);
  return [
    `--http-corsdomain=${policy.corsDomains.join(",")}`,
    `--http-vhosts=${policy.vhosts.join(",")}`,
    `--rpc-gascap=${policy.gasCap}`,
    `--rpc-evmtimeout=${policy.evmTimeoutMs}`,
    ...limits,
  ];
}

/** The JSON-RPC server options and ConcordNode `calls` options a policy stands for. */
export function rpcPolicyNodeOptions(policy: RpcClientPolicy): { rpc: Omit<RpcServerOptions, "port">; calls: { gasCap: bigint; timeoutMs: number } } {
  const { maxFilters, maxLogResults, maxLogBlockRange, ...server } = policy.serverLimits;
  return {
    rpc: {
      ...server,
      access: { corsDomains: policy.corsDomains, vhosts: policy.vhosts },
      ...(maxFilters === undefined ? {} : { filters: { maxFilters } }),
      limits: {
        ...(maxLogResults === undefined ? {} : { maxLogResults }),
        ...(maxLogBlockRange === undefined ? {} : { maxLogBlockRange }),
      },
    },
    calls: { gasCap: policy.gasCap, timeoutMs: policy.evmTimeoutMs },
  };
}
