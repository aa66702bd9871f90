/**
 * Runs the deterministic consensus simulation (test/chain/consensus/simulation/simulator.ts) over
 * many seeds and prints what it saw; a failing seed prints the one-line command that replays it.
 *
 *   npx tsx bench/consensusSimulation.ts [--runs 2000] [--from 1] [--heights 3]
 *   npx tsx bench/consensusSimulation.ts --seed 1234        replay one seed, with its details
 *
 * `npm test` runs a slice of the same seeds (test/chain/consensus/simulation.test.ts).
 */
import { parseArgs } from "node:util";
import { initCrypto } from "../chain/execution/crypto.ts";
import { runSimulation, SimulationFailure, type SimulationResult } from "../test/chain/consensus/simulation/simulator.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "2000" },
    from: { type: "string", default: "1" },
    heights: { type: "string", default: "3" },
    seed: { type: "string" },
  },
});
await initCrypto();
const heights = Number(values.heights);

if (values.seed !== undefined) {
  const result = runSimulation({ seed: Number(values.seed), heights });
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}

const from = Number(values.from);
const runs = Number(values.runs);
const results: SimulationResult[] = [];
const failures: string[] = [];
const started = performance.now();
for (let seed = from; seed < from + runs; seed++) {
  try {
    results.push(runSimulation({ seed, heights }));
  } catch (error) {
    if (!(error instanceof SimulationFailure)) throw error;
    failures.push(error.message);
    console.log(error.message);
  }
  if ((seed - from + 1) % 500 === 0) console.log(`  ${seed - from + 1}/${runs} runs, ${failures.length} failed`);
}
const seconds = (performance.now() - started) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`\nconsensus simulation: ${runs} seeds (${from}..${from + runs - 1}), ${heights} heights each`);
console.log(`  passed ${results.length}, failed ${failures.length}, ${(runs / seconds).toFixed(1)} runs/s`);
console.log(`  validators 4-7; runs with byzantine validators: ${results.filter((r) => r.byzantine > 0).length}, with crashes: ${results.filter((r) => r.crashes > 0).length}, with partitions: ${results.filter((r) => r.partitions > 0).length}`);
console.log(`  simulated time to decide: median ${median(results.map((r) => r.simulatedMs))} ms, max ${Math.max(0, ...results.map((r) => r.simulatedMs))} ms`);
console.log(`  highest round reached: median ${median(results.map((r) => r.maxRound))}, max ${Math.max(0, ...results.map((r) => r.maxRound))}`);
console.log(`  messages sent: median ${median(results.map((r) => r.messages))}`);
process.exitCode = failures.length === 0 ? 0 : 1;
