/**
 * The committed list of state-test cases stock ethereumjs passes (stockPasses.json), written by
 * `npm run statetests:record-stock` (scripts/recordStockStateTests.ts), which runs every case on
 * stock ethereumjs with no patch installed. npm test runs every case through Concord's path and
 * holds it to this list (running all of them on stock too would add ~1.5-2.5 min on CI's 2 cores),
 * plus a live stock run of a sample in a child process.
 *
 * Ids are grouped by file and test to keep the file small: { file: { test: "d0g0v0 d1g0v0 ..." } }.
 */
import { readFileSync, writeFileSync } from "node:fs";

export const STOCK_PASSES_FILE = new URL("./stockPasses.json", import.meta.url);

export interface StockPasses {
  /** The @ethereumjs versions that produced the list (regenerate after an upgrade). */
  ethereumjs: Record<string, string>;
  cases: number;
  skippedByName: string[];
  passed: number;
  /** Cases stock ethereumjs fails, with why (none, at the last recording). */
  failed: { id: string; detail: string }[];
  passing: Record<string, Record<string, string>>;
}

export function groupIds(ids: readonly string[]): Record<string, Record<string, string>> {
  const grouped: Record<string, Record<string, string>> = {};
  for (const id of ids) {
    const [file, test, indexes] = id.split(":") as [string, string, string];
    const tests = (grouped[file] ??= {});
    tests[test] = tests[test] === undefined ? indexes : `${tests[test]} ${indexes}`;
  }
  return grouped;
}

export function passingIds(list: StockPasses): Set<string> {
  const ids = new Set<string>();
  for (const [file, tests] of Object.entries(list.passing)) {
    for (const [test, indexes] of Object.entries(tests)) for (const index of indexes.split(" ")) ids.add(`${file}:${test}:${index}`);
  }
  return ids;
}

export function readStockPasses(): StockPasses {
  return JSON.parse(readFileSync(STOCK_PASSES_FILE, "utf8")) as StockPasses;
}

export function writeStockPasses(list: StockPasses): void {
  writeFileSync(STOCK_PASSES_FILE, `${JSON.stringify(list, null, 1)}\n`);
}
