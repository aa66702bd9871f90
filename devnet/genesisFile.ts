/**
 * The genesis of a data directory, written once when the chain is created and read on every restart.
 *
 * Keeping it (with the staking contract's creation code) in the data directory makes a restart
 * independent of the working tree: recompiling the contracts or changing defaults later does not
 * change the genesis of a chain that already exists.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { GenesisConfig } from "../chain/execution/genesis.ts";
import { loadArtifact } from "../chain/execution/staking.ts";

export const GENESIS_FILE = "genesis.json";

/** Adds the staking contract's compiled code, so the file alone determines the genesis block. */
export function pinStakingArtifact(config: GenesisConfig): GenesisConfig {
  if (config.staking === undefined || config.staking.artifact !== undefined) return config;
  const { abi, bytecode } = loadArtifact("ValidatorRegistry.sol/ValidatorRegistry.json");
  return { ...config, staking: { ...config.staking, artifact: { abi, bytecode } } };
}

export async function readGenesisFile(dataDir: string): Promise<GenesisConfig | undefined> {
  return readGenesisFrom(path.join(dataDir, GENESIS_FILE));
}

/** The genesis in `file`; undefined when there is no such file. */
export async function readGenesisFrom(file: string): Promise<GenesisConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return JSON.parse(text, (_key, value) => {
    if (typeof value === "string" && value.startsWith("bigint:")) return BigInt(value.slice(7));
    if (typeof value === "string" && value.startsWith("bytes:")) return hexToBytes(value.slice(6) as `0x${string}`);
    return value;
  }) as GenesisConfig;
}

/** Written to a temporary file and renamed, so a crash never leaves half a genesis behind. */
export async function writeGenesisFile(dataDir: string, config: GenesisConfig): Promise<void> {
  const text = JSON.stringify(
    config,
    (_key, value) => {
      if (typeof value === "bigint") return `bigint:${value}`;
      if (value instanceof Uint8Array) return `bytes:${bytesToHex(value)}`;
      return value;
    },
    2,
  );
  const file = path.join(dataDir, GENESIS_FILE);
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}
