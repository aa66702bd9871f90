/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): idle / GC / program shares, the functions
 * with the most self time, and the project files with the most inclusive time.
 *
 *   npx tsx bench/lib/cpuProfileSummary.ts <file.cpuprofile> [--top 30] [--match chain/]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  selfMs: Map<string, number>;
  /** Inclusive time of each frame (counted once per sample even under recursion). */
  inclusiveMs: Map<string, number>;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, "").replace(/^.*\/node_modules\//, "~/").replace(/^.*\/main\//, "");
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMs = new Map<string, number>();
  const inclusiveMs = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(id)!;
    const self = frameName(node);
    selfMs.set(self, (selfMs.get(self) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveMs.set(name, (inclusiveMs.get(name) ?? 0) + ms);
    }
  });
  return { totalMs, selfMs, inclusiveMs };
}

function top(map: Map<string, number>, count: number, filter: (name: string) => boolean = () => true): [string, number][] {
  return [...map].filter(([name]) => filter(name)).sort((a, b) => b[1] - a[1]).slice(0, count);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "30" }, match: { type: "string", default: "chain/" } },
  });
  const count = Number(values.top);
  const summary = summarise(JSON.parse(readFileSync(positionals[0], "utf8")) as CpuProfile);
  const pct = (ms: number) => `${((ms / summary.totalMs) * 100).toFixed(1).padStart(5)}%`;
  console.log(`total ${summary.totalMs.toFixed(0)} ms`);
  for (const special of ["(idle) :0", "(garbage collector) :0", "(program) :0"]) {
    console.log(`  ${special.split(" ")[0].padEnd(22)} ${pct(summary.selfMs.get(special) ?? 0)}`);
  }
  console.log("\nself time:");
  for (const [name, ms] of top(summary.selfMs, count)) console.log(`  ${pct(ms)}  ${name}`);
  console.log(`\ninclusive time (frames matching "${values.match}"):`);
  for (const [name, ms] of top(summary.inclusiveMs, count, (n) => n.includes(values.match!))) console.log(`  ${pct(ms)}  ${name}`);
}
