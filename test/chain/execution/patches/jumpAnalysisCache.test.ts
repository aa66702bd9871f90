/**
 * The jump-analysis cache (jumpAnalysisCache.ts) against the interpreter's own analysis: the same
 * results with the cache on and off, on two hardforks whose opcode tables differ, including the same
 * code array run under both tables (an analysis holds the table's opcode entries, so serving one
 * fork's analysis to the other would run TSTORE where it is invalid); the analysis itself on random
 * code; and within a block, a contract's code analysed once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hexToBytes } from "@ethereumjs/util";
import { installJumpAnalysisCache, jumpAnalysisStats, setJumpAnalysisCacheEnabled } from "../../../../chain/execution/patches/jumpAnalysisCache.ts";
import type { Hex } from "../../../../chain/types.ts";
import { executionFixture } from "../fixture.ts";
import { withSeed } from "../seededRandom.ts";
import { COMMON_AT, COMMON_CODE, FORKS, TRANSIENT_AT, TRANSIENT_CODE, runBlockOn, runCodeOn, type Fork } from "./forkBlocks.ts";

/** PUSH1 4 JUMP INVALID JUMPDEST, then return 42. */
const JUMPER = "0x0000000000000000000000000000000000006000" as Hex;
const JUMPER_CODE = hexToBytes("0x600456fe5b602a60005260206000f3");

async function withCache<T>(on: boolean, body: () => Promise<T>): Promise<T> {
  await setJumpAnalysisCacheEnabled(on);
  try {
    return await body();
  } finally {
    await setJumpAnalysisCacheEnabled(true);
  }
}

test("the cache is installed on the interpreter the EVM uses", async () => {
  assert.equal(await installJumpAnalysisCache(), true);
  const module = await import(new URL("./interpreter.js", import.meta.resolve("@ethereumjs/evm")).href);
  assert.equal(typeof module.Interpreter.prototype._getValidJumpDestinations.original, "function");
});

test("one code array run on Shanghai and Cancun, alternately: the same results with the cache as without", async () => {
  const orders: Fork[][] = [
    ["shanghai", "cancun", "shanghai", "cancun"],
    ["cancun", "shanghai", "cancun", "shanghai"],
  ] as Fork[][];
  for (const order of orders) {
    const run = async (on: boolean) => {
      // A new array per run: the cache keys on the array, so each run starts cold with its first fork.
      const code = TRANSIENT_CODE.slice();
      return withCache(on, async () => {
        const results = [];
        for (const fork of order) results.push(await runCodeOn(fork, code));
        return results;
      });
    };
    const before = jumpAnalysisStats();
    const cached = await run(true);
    const after = jumpAnalysisStats();
    assert.deepEqual(cached, await run(false), `order ${order.join(" > ")}`);
    assert.ok(after.hits > before.hits, "the cache served the second run of each fork");
    // The forks really differ here: TSTORE is invalid before Cancun.
    for (const [i, fork] of order.entries()) {
      if (fork === "shanghai") assert.equal(cached[i]!.error, "invalid opcode", `${fork} refuses TSTORE`);
      else {
        assert.equal(cached[i]!.error, undefined, `${fork} runs TSTORE and MCOPY`);
        assert.equal(cached[i]!.returned, `0x${"2a".padStart(64, "0").repeat(2)}`);
      }
    }
  }
});

test("blocks on two hardforks give the same roots and receipts with the cache as without", async () => {
  const calls = [
    { to: TRANSIENT_AT },
    { to: COMMON_AT, data: `0x${"07".padStart(64, "0")}` as Hex },
    { to: TRANSIENT_AT },
    { to: COMMON_AT },
  ];
  const results: Record<string, Awaited<ReturnType<typeof runBlockOn>>> = {};
  for (const fork of FORKS) {
    const withIt = await withCache(true, () => runBlockOn(fork, calls));
    assert.deepEqual(withIt, await withCache(false, () => runBlockOn(fork, calls)), fork);
    results[fork] = withIt;
  }
  assert.deepEqual(results.shanghai!.receipts.map((r) => r.status), [0, 1, 0, 1]);
  assert.deepEqual(results.cancun!.receipts.map((r) => r.status), [1, 1, 1, 1]);
  assert.deepEqual(results.cancun!.receipts.map((r) => r.logs), [1, 0, 1, 0]);
  assert.notEqual(results.shanghai!.stateRoot, results.cancun!.stateRoot);
});

test("the analysis of random code is the interpreter's own, each under its own EVM's table", async () => {
  await withSeed(501, async (random) => {
    for (let i = 0; i < 40; i++) {
      // Random bytes with jumps in them, run on both forks with the cache and without.
      const code = Uint8Array.from([0x60, 4, 0x56, 0xfe, 0x5b, ...random.bytes(1 + random.int(300))]);
      for (const fork of FORKS) {
        const cached = await withCache(true, () => runCodeOn(fork, code));
        assert.deepEqual(cached, await withCache(false, () => runCodeOn(fork, code)), `code ${i} on ${fork}`);
      }
    }
  });
});

test("within one block the code of a contract is analysed once, however many transactions call it", async () => {
  const f = await executionFixture({ alloc: { [JUMPER]: { code: JUMPER_CODE } } });
  const txs = Array.from({ length: 12 }, (_, n) => f.sign(f.accounts[n % 3]!, { nonce: BigInt(Math.floor(n / 3)), to: JUMPER, gasLimit: 60_000n }));
  const before = jumpAnalysisStats();
  const built = await f.executor.buildBlock(f.genesis, txs, { coinbase: f.validators[0]!.address, timestamp: 1n });
  const after = jumpAnalysisStats();
  assert.equal(built.block.transactions.length, 12);
  assert.ok(built.receipts.every((r) => r.status === 1));
  assert.equal(after.analyses - before.analyses, 1);
  assert.equal(after.hits - before.hits, 11);
  // And the verifier (a fresh EVM) gets the same roots.
  await f.executor.verifyBlock(f.genesis, built.block);
});
