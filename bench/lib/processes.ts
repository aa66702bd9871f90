/** Starting and stopping the nodes a benchmark compares, each as its own child process group. */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcHttpClient } from "./jsonRpcHttp.ts";
import { childProcessesCpu, processGroupCpu, type GroupCpu } from "./processCpu.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Hardhat invocations share artifacts/ and cache/: the project serialises them with this lock. */
const HARDHAT_LOCK = "/tmp/concord-hardhat.lock";

export interface RunningNode {
  name: string;
  rpcUrl: string;
  wsUrl: string;
  /** Process group of the node (its CPU time can be read); undefined for a node we did not start. */
  processGroup?: number;
  /** CPU time of the node's processes so far (all of a network's validators); undefined when unknown. */
  cpu?: () => GroupCpu | undefined;
  stop(): Promise<void>;
}

/** CPU time of a node's processes so far, however it was started; undefined when it cannot be read. */
export function nodeCpu(node: RunningNode): GroupCpu | undefined {
  return node.cpu?.() ?? (node.processGroup === undefined ? undefined : processGroupCpu(node.processGroup));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function waitForRpc(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const client = new JsonRpcHttpClient(url);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`node exited with code ${child.exitCode}:\n${log()}`);
      try {
        await client.call("eth_chainId");
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${log()}`);
  } finally {
    client.close();
  }
}

/**
 * Spawns `command` as the leader of a new process group. Its output goes to a file, not a pipe: a
 * node that logs every request (Hardhat's does) must not cost the measuring process anything.
 */
async function startProcess(command: string, args: string[], cleanup?: () => Promise<void>) {
  const logDir = await mkdtemp(path.join(tmpdir(), "concord-bench-log-"));
  const logFile = path.join(logDir, "output.log");
  const fd = openSync(logFile, "w");
  const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  const log = () => readFileSync(logFile, "utf8").slice(-8_000);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid!, "SIGINT");
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup?.();
    await rm(logDir, { recursive: true, force: true });
  };
  return { child, stop, log };
}

/** Holds the project's Hardhat lock until the returned function is called. */
async function holdHardhatLock(): Promise<() => void> {
  const holder = spawn("flock", [HARDHAT_LOCK, "sh", "-c", "echo locked; read _"], { stdio: ["pipe", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    holder.once("error", reject);
    holder.once("exit", (code) => reject(new Error(`flock ${HARDHAT_LOCK} exited with ${code}`)));
    holder.stdout!.once("data", () => resolve());
  });
  holder.removeAllListeners("exit");
  return () => holder.stdin!.end();
}

/** Hardhat 3's JSON-RPC node (EDR, automine), the reference a developer compares against. */
export async function startHardhatNode(): Promise<RunningNode> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const release = await holdHardhatLock();
  try {
    const { child, stop, log } = await startProcess(
      "npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)],
    );
    await waitForRpc(rpcUrl, child, log);
    return { name: "Hardhat node", rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, processGroup: child.pid, stop };
  } finally {
    release();
  }
}

export interface ConcordStartOptions {
  /** Run the node under V8's sampling profiler; the .cpuprofile lands in this directory on stop. */
  cpuProfileDir?: string;
  /** More `concord node` flags. */
  args?: string[];
}

/**
 * A single-validator Concord node (`concord node`) on a fresh LevelDB data directory, run by this
 * process's Node (22) with the tsx loader directly: no npx / tsx launcher processes around it.
 */
export async function startConcordNode(options: ConcordStartOptions = {}): Promise<RunningNode> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "concord-bench-"));
  const profiling = options.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`];
  const { child, stop, log } = await startProcess(
    process.execPath,
    [...profiling, "--import", "tsx", "devnet/cli.ts", "node", "--data-dir", dataDir, "--port", String(port), ...(options.args ?? [])],
    () => rm(dataDir, { recursive: true, force: true }),
  );
  await waitForRpc(rpcUrl, child, log);
  return { name: "Concord (1 validator)", rpcUrl, wsUrl: `ws://127.0.0.1:${port}`, processGroup: child.pid, stop };
}

/**
 * A network of `count` Concord validators, each its own process (concord genesis + concord node
 * --config, as `npm start -- --validators N` runs them), on a fresh data directory; the benchmark talks
 * to the first validator's JSON-RPC. Node CPU is not read (several process groups).
 */
export async function startConcordValidators(count: number): Promise<RunningNode> {
  const { startValidatorProcesses } = await import("../../devnet/network/validatorProcesses.ts");
  const { Progress } = await import("../../devnet/progress.ts");
  const dataDir = await mkdtemp(path.join(tmpdir(), "concord-bench-validators-"));
  const { chain } = await startValidatorProcesses({ dataDir, count, chainId: 31337n, host: "127.0.0.1", port: 0 }, new Progress());
  return {
    name: `Concord (${count} validators)`,
    rpcUrl: chain.rpcUrl,
    wsUrl: chain.wsUrl,
    // Each validator is a child of this process (the benchmark client's CPU is counted apart).
    cpu: () => childProcessesCpu(process.pid),
    stop: async () => {
      await chain.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
