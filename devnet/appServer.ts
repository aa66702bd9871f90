/**
 * The web app next to the devnet: a production build of the Next.js app (reused while its sources
 * are unchanged) served by `next start` as a child process, configured through the environment to
 * govern the deployment this devnet made.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { renderContractsModule, GENERATED_FILE } from "../appLib/generateContracts.ts";
import { PROJECT_ROOT } from "./deployContracts.ts";

const NEXT_BIN = path.join(PROJECT_ROOT, "node_modules", "next", "dist", "bin", "next");
const BUILD_DIR = path.join(PROJECT_ROOT, ".next");
const FINGERPRINT_FILE = path.join(BUILD_DIR, "concord-build-fingerprint");

/** What the app build is made from: a change to any of these makes `npm start` build again. */
const APP_SOURCES = ["app", "components", "appLib", "lib", "ipfs", "public", "next.config.ts", "tsconfig.json", "package-lock.json", ".env"];

/** Next.js never phones home from this project (also set in .env, which Next reads). */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: "1" };

export class AppServerError extends Error {
  constructor(
    readonly code: "APP_BUILD_FAILED" | "APP_START_FAILED",
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = "AppServerError";
  }
}

/** A hash of every app source file's path and bytes. */
export async function appSourceFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  for (const source of APP_SOURCES) {
    for (const file of await filesUnder(path.join(PROJECT_ROOT, source))) {
      hash.update(path.relative(PROJECT_ROOT, file)).update("\0").update(await readFile(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

async function filesUnder(entry: string): Promise<string[]> {
  const entries = await readdir(entry, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOTDIR") return null;
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (entries === null) return [entry];
  const files: string[] = [];
  for (const child of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (child.name === "node_modules" || child.name === ".next") continue;
    files.push(...(await filesUnder(path.join(entry, child.name))));
  }
  return files;
}

export interface AppBuildOptions {
  /** Build even when a build of the same sources exists (`npm run build`). */
  force?: boolean;
  onOutput?: (line: string) => void;
}

/** Makes sure .next holds a production build of the current sources; returns whether it built. */
export async function ensureAppBuild(options: AppBuildOptions = {}): Promise<boolean> {
  // The typed contracts module follows the compiled artifacts (`npm start` compiles first).
  const contractsModule = await renderContractsModule();
  if ((await readFile(GENERATED_FILE, "utf8").catch(() => "")) !== contractsModule) await writeFile(GENERATED_FILE, contractsModule);

  const fingerprint = await appSourceFingerprint();
  if (!options.force) {
    const [builtFrom, buildId] = await Promise.all([
      readFile(FINGERPRINT_FILE, "utf8").catch(() => ""),
      readFile(path.join(BUILD_DIR, "BUILD_ID"), "utf8").catch(() => ""),
    ]);
    if (buildId !== "" && builtFrom === fingerprint) return false;
  }
  const { code, output } = await runToEnd(process.execPath, [NEXT_BIN, "build"], options.onOutput);
  if (code !== 0) throw new AppServerError("APP_BUILD_FAILED", `the app's production build failed (next build exited with ${code})`, output);
  await writeFile(FINGERPRINT_FILE, fingerprint);
  return true;
}

function runToEnd(command: string, args: string[], onOutput?: (line: string) => void): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...NEXT_ENV }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim() !== "") onOutput?.(line);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

export interface AppServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The app's configuration (README "The app"): CONCORD_RPC_URL, CONCORD_DEPLOYMENT_FILE, ... */
  env: Record<string, string>;
  /** How long to wait for the server to answer (a loaded machine is slow to start Node). */
  startTimeoutMs?: number;
}

export interface AppServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `next start` on the existing build and resolves once it answers. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const port = options.port === 0 ? await freePort(options.host) : options.port;
  const child = spawn(process.execPath, [NEXT_BIN, "start", "--hostname", options.host, "--port", String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...NEXT_ENV, ...options.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The app server must not outlive the devnet that configured it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new AppServerError("APP_START_FAILED", `the app server exited with ${child.exitCode} while starting`, output);
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new AppServerError("APP_START_FAILED", `the app server did not answer on ${url} within ${options.startTimeoutMs ?? 60_000} ms`, output);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, child, output: () => output, stop };
}

/** A port that was free a moment ago (Next takes a port number, not a listening socket). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
