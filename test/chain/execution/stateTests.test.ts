/**
 * The official Ethereum state tests (../shared/ethereum-tests: 531 GeneralStateTests files, their
 * Cancun post-states) through Concord's own execution path with every patch installed
 * (stateTests/concordRunner.ts): every case stock ethereumjs passes must pass there too.
 *
 * Which cases stock ethereumjs (createVM + MerkleStateManager, no patch) passes is the committed
 * stateTests/stockPasses.json, written by `npm run statetests:record-stock`: running all of them on
 * stock here as well would add ~1.5-2.5 min to the suite on CI's 2 cores (stock is ~2x slower than
 * Concord's path). In parallel, a child process with no patch installed runs every 16th case on stock
 * ethereumjs, which must reproduce the list and compute exactly what Concord computes.
 *
 * Skipped by name: loopMul only (stateTestCases.ts, SKIPPED_BY_NAME).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { installedVersions } from "../../../chain/execution/patches/upstreamSources.ts";
import { GENERAL_STATE_TESTS, loadStateTestCases, passes, requireFixtures, SKIPPED_BY_NAME, type CaseOutcome, type StateTestCase } from "./stateTests/stateTestCases.ts";
import { runConcordCase } from "./stateTests/concordRunner.ts";
import { passingIds, readStockPasses } from "./stateTests/stockPasses.ts";

/** The slice's size (README.md): 4,742 Cancun cases in 531 files, 3 of them loopMul's. */
const EXPECTED = { files: 531, cases: 4739, skipped: 3 };
const STOCK_SAMPLE_EVERY = 16;

/** Stock ethereumjs' outcomes for every `every`th case, from a child process that installs no patch. */
function runStock(every: number): { outcomes: Promise<Map<string, CaseOutcome>>; kill(): void } {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./stateTests/runStock.ts", import.meta.url)), String(every)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const outcomes = new Map<string, CaseOutcome>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const outcome = JSON.parse(line) as CaseOutcome;
    outcomes.set(outcome.id, outcome);
  });
  const done = new Promise<Map<string, CaseOutcome>>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(outcomes) : reject(new Error(`the stock ethereumjs run exited with ${code}: ${stderr.slice(-2000)}`))));
  });
  return { outcomes: done, kill: () => child.kill() };
}

function describe(kase: StateTestCase, outcome: CaseOutcome): string {
  return (
    `${kase.id}: root ${outcome.root} (expected ${kase.expectedRoot}), logs ${outcome.logs} (expected ${kase.expectedLogs}), ` +
    `refused ${outcome.refused}${outcome.error === undefined ? "" : ` (${outcome.error})`}, expected ${kase.expectException ?? "no exception"}`
  );
}

test("the fixtures are found from the repository root, or the failure says where they must be", () => {
  assert.doesNotThrow(() => requireFixtures());
  assert.match(GENERAL_STATE_TESTS, /shared\/ethereum-tests\/GeneralStateTests$/);
  assert.throws(() => requireFixtures("/nonexistent/shared/ethereum-tests/GeneralStateTests"), {
    message: /^The Ethereum state tests are missing: expected \/nonexistent\/shared\/ethereum-tests\/GeneralStateTests \(the shared\/ folder beside/,
  });
});

test("every state-test case stock ethereumjs passes also passes through Concord's patched execution path", async (t) => {
  const started = performance.now();
  const { cases, skipped, files } = loadStateTestCases();
  assert.deepEqual({ files, cases: cases.length, skipped: skipped.length }, EXPECTED, "the fixture slice changed: update README.md's count, then npm run statetests:record-stock");
  assert.ok(skipped.every((id) => SKIPPED_BY_NAME.has(id.split(":")[1]!)));

  const list = readStockPasses();
  assert.deepEqual(list.ethereumjs, installedVersions(), "stockPasses.json was recorded with other @ethereumjs versions: npm run statetests:record-stock");
  assert.equal(list.cases, cases.length, "stockPasses.json was recorded on other fixtures: npm run statetests:record-stock");
  const stockPassing = passingIds(list);
  assert.equal(stockPassing.size, list.passed);
  const ids = new Set(cases.map((kase) => kase.id));
  assert.deepEqual([...stockPassing].filter((id) => !ids.has(id)), [], "stockPasses.json lists cases the fixtures do not have");

  const stock = runStock(STOCK_SAMPLE_EVERY);
  const concord = new Map<string, CaseOutcome>();
  try {
    for (const kase of cases) concord.set(kase.id, await runConcordCase(kase));
  } catch (error) {
    stock.kill();
    throw error;
  }
  const concordSeconds = (performance.now() - started) / 1000;
  const sample = await stock.outcomes;

  const concordPasses = cases.filter((kase) => passes(kase, concord.get(kase.id)!));
  const summary =
    `state tests: ${cases.length + skipped.length} cases in ${files} files, ${skipped.length} skipped by name (loopMul); ` +
    `stock ethereumjs passes ${stockPassing.size} (stockPasses.json; ${sample.size} re-run live), Concord passes ${concordPasses.length}; ` +
    `Concord's run ${concordSeconds.toFixed(0)} s, ${((performance.now() - started) / 1000).toFixed(0)} s in all`;
  t.diagnostic(summary);
  console.log(summary);

  const regressions = cases.filter((kase) => stockPassing.has(kase.id) && !passes(kase, concord.get(kase.id)!));
  assert.deepEqual(regressions.map((kase) => describe(kase, concord.get(kase.id)!)).slice(0, 20), [], `${regressions.length} cases pass on stock ethereumjs but not through Concord`);

  // The live sample: stock reproduces the list, and computes exactly what Concord computes.
  const sampled = cases.filter((_, index) => index % STOCK_SAMPLE_EVERY === 0);
  assert.equal(sample.size, sampled.length, "the stock run reported every sampled case");
  const notReproduced = sampled.filter((kase) => passes(kase, sample.get(kase.id)!) !== stockPassing.has(kase.id));
  assert.deepEqual(notReproduced.map((kase) => describe(kase, sample.get(kase.id)!)), [], "stock ethereumjs does not reproduce stockPasses.json");
  const divergent = sampled.filter((kase) => {
    const [a, b] = [sample.get(kase.id)!, concord.get(kase.id)!];
    return a.root !== b.root || a.logs !== b.logs || a.refused !== b.refused;
  });
  assert.deepEqual(divergent.map((kase) => kase.id), [], "Concord and stock ethereumjs compute different results");
  assert.ok(stockPassing.size >= cases.length * 0.99, `the comparison means little: stock ethereumjs passes only ${stockPassing.size} of ${cases.length}`);
});
