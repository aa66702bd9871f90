/**
 * One validator's configuration file (what `concord genesis` writes and `concord node --config` reads),
 * for a network spread over several machines or several processes of one:
 *
 *   {
 *     "genesisFile": "../genesis.json",          the network's genesis (same file on every validator)
 *     "validatorKeyFile": "validator-key",       the signing key, 32 bytes hex (keep it secret)
 *     "dataDir": "data",                          chain, WAL, sign state and the libp2p peer key
 *     "rpc": { "host": "127.0.0.1", "port": 8545 },
 *     "p2p": { "listen": ["/ip4/0.0.0.0/tcp/26656"], "announce": [], "peers": ["/ip4/.../tcp/26656/p2p/12D3..."] },
 *     "devnet": false                             true: test accounts unlocked, sends answered at commit
 *   }
 * Relative paths are relative to the file. Every field is checked, and an error names the field.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { multiaddr } from "@multiformats/multiaddr";
import { DevnetOptionsError } from "../options.ts";

export interface ValidatorConfig {
  genesisFile: string;
  validatorKeyFile: string;
  dataDir: string;
  rpc: { host: string; port: number };
  p2p: { listen: string[]; announce: string[]; peers: string[] };
  /**
   * A devnet's validator: the 20 test accounts unlocked for eth_sendTransaction and sends answered once
   * committed (Hardhat's feel). Off for real networks.
   */
  devnet: boolean;
}

export async function readValidatorConfig(file: string): Promise<ValidatorConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new DevnetOptionsError(`cannot read the validator config ${file}: ${(error as Error).message}`);
  }
  return parseValidatorConfig(raw, path.dirname(path.resolve(file)), file);
}

export function parseValidatorConfig(raw: unknown, baseDir: string, name = "the validator config"): ValidatorConfig {
  const fail = (field: string, why: string): never => {
    throw new DevnetOptionsError(`${name}: ${field} ${why}`);
  };
  if (typeof raw !== "object" || raw === null) fail("(root)", "must be a JSON object");
  const config = raw as Record<string, unknown>;
  const file = (field: string) => {
    const value = config[field];
    if (typeof value !== "string" || value === "") fail(field, "must be a path");
    return path.resolve(baseDir, value as string);
  };
  const rpc = config.rpc as Record<string, unknown> | undefined;
  if (typeof rpc !== "object" || rpc === null) fail("rpc", "must be { host, port }");
  if (typeof rpc!.host !== "string") fail("rpc.host", "must be an address");
  if (!Number.isInteger(rpc!.port) || (rpc!.port as number) < 0 || (rpc!.port as number) > 65535) fail("rpc.port", "must be a port number (0-65535)");
  const p2p = config.p2p as Record<string, unknown> | undefined;
  if (typeof p2p !== "object" || p2p === null) fail("p2p", "must be { listen, announce, peers }");
  const addresses = (field: "listen" | "announce" | "peers", needPeerId: boolean): string[] => {
    const list = p2p![field] ?? [];
    if (!Array.isArray(list) || !list.every((a) => typeof a === "string")) fail(`p2p.${field}`, "must be a list of multiaddrs");
    for (const address of list as string[]) {
      try {
        const parsed = multiaddr(address);
        if (needPeerId && parsed.getComponents().every((c) => c.name !== "p2p")) throw new Error("no /p2p/<peer id>");
      } catch (error) {
        fail(`p2p.${field}`, `has a bad multiaddr ${JSON.stringify(address)} (${(error as Error).message})`);
      }
    }
    return list as string[];
  };
  const listen = addresses("listen", false);
  if (listen.length === 0) fail("p2p.listen", "must name at least one address to listen on");
  return {
    genesisFile: file("genesisFile"),
    validatorKeyFile: file("validatorKeyFile"),
    dataDir: file("dataDir"),
    rpc: { host: rpc!.host as string, port: rpc!.port as number },
    p2p: { listen, announce: addresses("announce", false), peers: addresses("peers", true) },
    devnet: config.devnet === undefined ? false : config.devnet === true ? true : config.devnet === false ? false : fail("devnet", "must be true or false"),
  };
}
