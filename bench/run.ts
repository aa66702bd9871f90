/**
 * `npm run bench -- <name> [options]`: runs one benchmark of this folder; without a name, lists them.
 * Each benchmark prints numbers and never fails (see the README's "Benchmarks").
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarks = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && file !== "run.ts")
  .map((file) => file.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !benchmarks.includes(name)) {
  if (name !== undefined) process.stderr.write(`no benchmark '${name}'\n`);
  process.stdout.write(`Usage: npm run bench -- <name> [options]\n\nBenchmarks: ${benchmarks.join(", ")}\n`);
  process.exit(name === undefined ? 0 : 2);
}
const result = spawnSync(process.execPath, ["--import", "tsx", path.join(here, `${name}.ts`), ...rest], { stdio: "inherit" });
process.exit(result.status ?? 1);
