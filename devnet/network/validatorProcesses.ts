/**
 * A devnet of several validators, each its own OS process (`concord node --config`), on loopback:
 * the network is written once into <dataDir>/validators (concord genesis with the test keys), then
 * every start spawns one process per validator and waits until each serves JSON-RPC. The first
 * validator's JSON-RPC is on --port (8545 by default), the others on free ports. Each validator's
 * output goes to <dataDir>/validators/validator-<i>/validator.log. Stopping sends SIGTERM to all and
 * waits for them (SIGKILL after 15 s); the next start resumes the same network.
 */
import { parseConsoleLine } from "../consoleOutput.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { access, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Hex } from "../../chain/types.ts";
import type { DevnetChain } from "../devnetChain.ts";
import { PROJECT_ROOT } from "../deployContracts.ts";
import { freePortRange } from "../ports.ts";
import type { Progress } from "../progress.ts";
import { writeNetwork } from "./genesisCommand.ts";
import { READY_LINE } from "./runValidator.ts";

export interface ValidatorProcessesOptions {
  dataDir: string;
  count: number;
  chainId: bigint;
  host: string;
  port: number;
  /** More `concord node` flags for every validator (the JSON-RPC client policy). */
  nodeArgs?: string[];
}

interface RunningValidator {
  child: ChildProcess;
  address: string;
  rpcUrl: string;
  peerId: string;
}

export const VALIDATORS_DIR = "validators";

/** Whether `dataDir` holds a multi-validator network, and of how many. */
export async function existingValidatorCount(dataDir: string): Promise<number | undefined> {
  try {
    const genesis = JSON.parse(await readFile(path.join(dataDir, VALIDATORS_DIR, "genesis.json"), "utf8"));
    return genesis.staking.validators.length;
  } catch {
    return undefined;
  }
}

export async function startValidatorProcesses(options: ValidatorProcessesOptions, progress: Progress): Promise<{ chain: DevnetChain; created: boolean }> {
  const dir = path.join(options.dataDir, VALIDATORS_DIR);
  const created = (await existingValidatorCount(options.dataDir)) === undefined;
  if (created) {
    const network = await writeNetwork({
      validators: options.count,
      out: dir,
      chainId: options.chainId,
      testKeys: true,
      host: "127.0.0.1",
      p2pPort: await freePortRange(options.count),
      rpcPort: 0,
    });
    // The first validator answers on --port, as a single-validator devnet does; the others anywhere free.
    for (const [index, validator] of network.validators.entries()) {
      const config = JSON.parse(await readFile(validator.configFile, "utf8"));
      config.rpc = { host: options.host, port: index === 0 ? options.port : 0 };
      await writeFile(validator.configFile, `${JSON.stringify(config, null, 2)}\n`);
    }
  }
  const running: RunningValidator[] = [];
  const stop = async () => {
    await Promise.all(running.map((validator) => stopProcess(validator.child)));
  };
  try {
    const started = await Promise.all(
      Array.from({ length: options.count }, (_, index) => startValidator(path.join(dir, `validator-${index}`), index, progress, options.nodeArgs ?? [])),
    );
    running.push(...started);
  } catch (error) {
    await stop();
    throw error;
  }
  const first = running[0]!;
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    const response = await fetch(first.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  return {
    created,
    chain: {
      rpcUrl: first.rpcUrl,
      wsUrl: first.rpcUrl.replace(/^http/, "ws"),
      chainId: BigInt(await call<string>("eth_chainId", [])),
      engineLine: () => `${options.count} (Tendermint BFT over libp2p, each its own process; dev methods need --validators 1)`,
      validatorLines: () => running.map((v, i) => `  #${i} ${v.address}  ${v.rpcUrl}  peer ${v.peerId}`),
      blockNumber: async () => BigInt(await call<string>("eth_blockNumber", [])),
      balance: async (address: Hex) => BigInt(await call<string>("eth_getBalance", [address, "latest"])),
      stop,
    },
  };
}

async function startValidator(dir: string, index: number, progress: Progress, nodeArgs: string[]): Promise<RunningValidator> {
  const configFile = path.join(dir, "config.json");
  await access(configFile);
  const log = createWriteStream(path.join(dir, "validator.log"), { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "devnet", "cli.ts"), "node", "--config", configFile, ...nodeArgs], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  passConsoleLines(child, index);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`validator ${index} did not start within 120 s; see ${path.join(dir, "validator.log")}`)), 120_000);
    const onData = (chunk: Buffer) => {
      // Only the tail matters once it is running (the ready line, then "Stopped." at the end).
      output = (output + chunk.toString()).slice(-20_000);
      const ready = new RegExp(`${READY_LINE}: (0x[0-9a-fA-F]{40}).*\\n\\s+JSON-RPC (\\S+)\\n\\s+peer id\\s+(\\S+)`).exec(output);
      if (ready !== null) {
        clearTimeout(timer);
        resolve({ child, address: ready[1]!, rpcUrl: ready[2]!, peerId: ready[3]! });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!/Stopped\./.test(output)) progress.warn(`validator ${index} stopped unexpectedly (exit code ${code}); see ${path.join(dir, "validator.log")}`);
      reject(new Error(`validator ${index} exited with code ${code} before it was ready:\n${output.trim().split("\n").slice(-5).join("\n")}`));
    });
  });
}

/**
 * Shows the validator's console.log lines on the devnet's console: every validator runs every
 * transaction, so a transaction's lines come from validator 0 only; a call's from whichever validator
 * served it.
 */
function passConsoleLines(child: ChildProcess, index: number): void {
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      const parsed = parseConsoleLine(line);
      if (parsed !== undefined && (!parsed.transaction || index === 0)) process.stdout.write(`${line}\n`);
    }
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
