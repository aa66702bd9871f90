/**
 * Child-process entry of stateTests.test.ts: runs state-test cases on stock ethereumjs (no Concord
 * patch can be installed in this process) and writes one JSON line per case to stdout. Argument:
 * run every Nth case only (default 1: all).
 */
import { loadStateTestCases } from "./stateTestCases.ts";
import { runStockCases } from "./stockRunner.ts";

const every = Number(process.argv[2] ?? 1);
if (!Number.isSafeInteger(every) || every < 1) throw new Error(`every must be a positive integer, got ${process.argv[2]}`);
const { cases } = loadStateTestCases();
await runStockCases(
  cases.filter((_, index) => index % every === 0),
  (outcome) => process.stdout.write(`${JSON.stringify(outcome)}\n`),
);
