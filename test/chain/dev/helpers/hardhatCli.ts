/** Runs the project's Hardhat CLI as a child process (serialised with other Hardhat runs, see COMMON). */
import { spawn } from "node:child_process";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../../../..");
const HARDHAT_LOCK = "/tmp/concord-hardhat.lock";

export interface HardhatRun {
  code: number | null;
  output: string;
  durationMs: number;
}

/**
 * `readOnly`: the run only reads artifacts (`--no-compile`), so it takes the lock shared: such runs
 * go side by side, and wait only for (or hold off) a compilation, which takes it exclusively.
 */
export function runHardhat(args: string[], env: Record<string, string> = {}, options: { readOnly?: boolean; timeoutMs?: number } = {}): Promise<HardhatRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 600_000;
  return new Promise((resolve, reject) => {
    const child = spawn("flock", [...(options.readOnly === true ? ["--shared"] : []), HARDHAT_LOCK, "npx", "hardhat", ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, durationMs: Date.now() - started });
    });
  });
}

export interface TestSummary {
  passing: number;
  failing: number;
  skipped: number;
  todo: number;
  cancelled: number;
}

/** The counts hardhat-node-test-reporter prints at the end of a run. */
export function testSummary(output: string): TestSummary {
  // eslint-disable-next-line no-control-regex
  const text = output.replace(/\u001b\[[0-9;]*m/g, "");
  const count = (word: string) => Number(new RegExp(`^\\s*(\\d+) ${word}`, "m").exec(text)?.[1] ?? 0);
  return { passing: count("passing"), failing: count("failing"), skipped: count("skipped"), todo: count("todo"), cancelled: count("cancelled") };
}
