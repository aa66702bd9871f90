/** Starting and stopping the nodes a benchmark compares, each as its own child process. */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunningNode {
  name: string;
  rpcUrl: string;
  stop(): Promise<void>;
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

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = [], retry = true): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  } catch (cause) {
    // A server may close an idle keep-alive socket just as it is reused; one retry covers that race.
    if (retry) return rpc(url, method, params, false);
    throw new Error(`${method} to ${url} failed: ${(cause as Error).cause ?? cause}`);
  }
  const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message} (${body.error.code})`);
  return body.result as T;
}

/** One HTTP request carrying several calls; results in request order. */
export async function rpcBatch<T = unknown>(url: string, calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((call, id) => ({ jsonrpc: "2.0", id, ...call }))),
  });
  const body = (await response.json()) as { id: number; result?: T; error?: { message: string } }[];
  return body
    .sort((a, b) => a.id - b.id)
    .map((entry) => {
      if (entry.error !== undefined) throw new Error(`${calls[entry.id].method}: ${entry.error.message}`);
      return entry.result as T;
    });
}

async function waitForRpc(url: string, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`node exited with code ${child.exitCode}:\n${log()}`);
    try {
      await rpc(url, "eth_chainId");
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${log()}`);
}

function startProcess(name: string, command: string, args: string[], rpcUrl: string, cleanup?: () => Promise<void>) {
  const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid!, "SIGINT");
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup?.();
  };
  return { child, stop, log: () => output };
}

/** Hardhat 3's JSON-RPC node (EDR, automine), the reference a developer compares against. */
export async function startHardhatNode(): Promise<RunningNode> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const { child, stop, log } = startProcess(
    "hardhat", "npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)], rpcUrl,
  );
  await waitForRpc(rpcUrl, child, log);
  return { name: "Hardhat node", rpcUrl, stop };
}

/** A single-validator Concord node on a fresh data directory. */
export async function startConcordNode(): Promise<RunningNode> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "concord-bench-"));
  const { child, stop, log } = startProcess(
    "concord", "npx",
    ["tsx", "devnet/cli.ts", "node", "--data-dir", dataDir, "--port", String(port)],
    rpcUrl,
    () => rm(dataDir, { recursive: true, force: true }),
  );
  await waitForRpc(rpcUrl, child, log);
  return { name: "Concord (1 validator)", rpcUrl, stop };
}
