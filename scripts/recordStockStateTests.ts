/**
 * Runs every Ethereum state-test case (../shared/ethereum-tests, Cancun) on stock ethereumjs, with no
 * Concord patch installed in this process, and records which pass in
 * test/chain/execution/stateTests/stockPasses.json: the list npm test holds Concord's patched
 * execution path to (test/chain/execution/stateTests.test.ts). Run it after an ethereumjs upgrade or
 * a change of the fixtures: `npm run statetests:record-stock`.
 */
import { installedVersions } from "../chain/execution/patches/upstreamSources.ts";
import { loadStateTestCases, passes, type CaseOutcome } from "../test/chain/execution/stateTests/stateTestCases.ts";
import { runStockCases } from "../test/chain/execution/stateTests/stockRunner.ts";
import { groupIds, STOCK_PASSES_FILE, writeStockPasses } from "../test/chain/execution/stateTests/stockPasses.ts";

const started = performance.now();
const { cases, skipped } = loadStateTestCases();
const byId = new Map(cases.map((kase) => [kase.id, kase]));
const passing: string[] = [];
const failed: { id: string; detail: string }[] = [];
let done = 0;
await runStockCases(cases, (outcome: CaseOutcome) => {
  const kase = byId.get(outcome.id)!;
  if (passes(kase, outcome)) passing.push(outcome.id);
  else failed.push({ id: outcome.id, detail: `root ${outcome.root} logs ${outcome.logs} refused ${outcome.refused} ${outcome.error ?? ""}`.trim() });
  if (++done % 500 === 0) process.stderr.write(`${done}/${cases.length}\n`);
});
writeStockPasses({
  ethereumjs: installedVersions(),
  cases: cases.length,
  skippedByName: skipped,
  passed: passing.length,
  failed,
  passing: groupIds(passing),
});
console.log(
  `stock ethereumjs: ${passing.length} of ${cases.length} cases pass (${skipped.length} skipped by name), ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s; written to ${STOCK_PASSES_FILE.pathname}`,
);
