/**
 * `concord genesis`: writes everything a new network of N validators needs, one directory each:
 *
 *   <out>/genesis.json                      the genesis (the N validators staked), shared by all
 *   <out>/validator-<i>/validator-key       the signing key (hex; owner-only)
 *   <out>/validator-<i>/data/p2p/peer-key   the libp2p identity (separate from the signing key)
 *   <out>/validator-<i>/config.json         what `concord node --config` reads: listen address, peers
 *
 * `--test-keys` uses the well-known test mnemonic's validator keys (the devnet's); otherwise the keys
 * are random. `--host` and `--p2p-port` say where validator i listens (port + i); for machines of their
 * own, edit each config's listen / announce / peers (the README shows a four-machine network).
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { privateKeyToAddress } from "viem/accounts";
import { defaultGenesisConfig } from "../../chain/execution/genesis.ts";
import { validatorKeys } from "../../chain/execution/devAccounts.ts";
import { loadOrCreatePeerKey } from "../../lib/p2p/peerKey.ts";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { pinStakingArtifact, writeGenesisFile } from "../genesisFile.ts";
import { DevnetOptionsError } from "../options.ts";
import type { ValidatorConfig } from "./validatorConfig.ts";

/** Stake of each validator at genesis (the registry's minimum is 100 coins). */
const GENESIS_STAKE = 1_000n * 10n ** 18n;

export interface GenesisCommandOptions {
  validators: number;
  out: string;
  chainId: bigint;
  testKeys: boolean;
  host: string;
  p2pPort: number;
  /** Validator i's JSON-RPC port is rpcPort + i (0: any free port). */
  rpcPort: number;
}

export interface GeneratedNetwork {
  genesisFile: string;
  validators: { address: string; peerId: string; configFile: string; p2p: string }[];
}

export const GENESIS_USAGE = `Usage: concord genesis --validators <n> --out <dir> [options]

  --validators <n>          Number of validators (1-100).
  --out <dir>               Where to write genesis.json and one directory per validator.
  --chain-id <id>           Chain id (default: 31337).
  --test-keys               Use the test mnemonic's validator keys (public: devnets only). Default: random keys.
  --host <address>          Address the validators listen on and dial each other at (default: 127.0.0.1).
  --p2p-port <port>         Validator i listens on port + i (default: 26656).
  --rpc-port <port>         Validator i serves JSON-RPC on port + i (default: 8545; 0: any free port).
`;

export function parseGenesisOptions(args: string[]): GenesisCommandOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        validators: { type: "string" },
        out: { type: "string" },
        "chain-id": { type: "string", default: "31337" },
        "test-keys": { type: "boolean", default: false },
        host: { type: "string", default: "127.0.0.1" },
        "p2p-port": { type: "string", default: "26656" },
        "rpc-port": { type: "string", default: "8545" },
      },
    }));
  } catch (error) {
    throw new DevnetOptionsError((error as Error).message);
  }
  const validators = Number(values.validators);
  if (!Number.isInteger(validators) || validators < 1 || validators > 100) throw new DevnetOptionsError(`--validators must be an integer from 1 to 100, got '${values.validators ?? ""}'`);
  if (values.out === undefined) throw new DevnetOptionsError("--out <dir> is required");
  const integer = (value: string, option: string, max: number) => {
    if (!/^\d+$/.test(value) || Number(value) > max) throw new DevnetOptionsError(`${option} must be an integer from 0 to ${max}, got '${value}'`);
    return Number(value);
  };
  return {
    validators,
    out: path.resolve(values.out),
    chainId: BigInt(integer(values["chain-id"], "--chain-id", Number.MAX_SAFE_INTEGER)),
    testKeys: values["test-keys"],
    host: values.host,
    p2pPort: integer(values["p2p-port"], "--p2p-port", 65535 - validators),
    rpcPort: integer(values["rpc-port"], "--rpc-port", 65535 - validators),
  };
}

export async function writeNetwork(options: GenesisCommandOptions): Promise<GeneratedNetwork> {
  const keys: `0x${string}`[] = options.testKeys
    ? validatorKeys(options.validators).map((k) => `0x${Buffer.from(k.privateKey).toString("hex")}` as const)
    : Array.from({ length: options.validators }, () => `0x${randomBytes(32).toString("hex")}` as const);
  const addresses = keys.map((key) => privateKeyToAddress(key).toLowerCase());
  await mkdir(options.out, { recursive: true });
  const genesis = pinStakingArtifact(
    defaultGenesisConfig({
      chainId: options.chainId,
      // Dated now, as Hardhat's and Anvil's genesis (block 0 reads as a real date, not 1970).
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      validators: addresses.map((address) => ({ operator: address as `0x${string}`, signer: address as `0x${string}`, stake: GENESIS_STAKE })),
    }),
  );
  await writeGenesisFile(options.out, genesis);
  const members = [];
  for (let i = 0; i < options.validators; i++) {
    const dir = path.join(options.out, `validator-${i}`);
    await mkdir(path.join(dir, "data"), { recursive: true });
    await writeFile(path.join(dir, "validator-key"), `${keys[i]}\n`, { mode: 0o600 });
    const peerId = peerIdFromPrivateKey(await loadOrCreatePeerKey(path.join(dir, "data", "p2p"))).toString();
    members.push({ dir, peerId, p2p: `/ip4/${options.host}/tcp/${options.p2pPort + i}/p2p/${peerId}` });
  }
  const result: GeneratedNetwork = { genesisFile: path.join(options.out, "genesis.json"), validators: [] };
  for (let i = 0; i < options.validators; i++) {
    const member = members[i]!;
    const config: ValidatorConfig = {
      genesisFile: "../genesis.json",
      validatorKeyFile: "validator-key",
      dataDir: "data",
      rpc: { host: options.host, port: options.rpcPort === 0 ? 0 : options.rpcPort + i },
      p2p: { listen: [`/ip4/${options.host}/tcp/${options.p2pPort + i}`], announce: [], peers: members.filter((_, j) => j !== i).map((m) => m.p2p) },
      devnet: options.testKeys,
    };
    const configFile = path.join(member.dir, "config.json");
    await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
    result.validators.push({ address: addresses[i]!, peerId: member.peerId, configFile, p2p: member.p2p });
  }
  return result;
}
