import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { hexToBytes } from "@ethereumjs/util";
import { installJumpAnalysisCache, jumpAnalysisStats } from "../../../../chain/execution/patches/jumpAnalysisCache.ts";
import { executionFixture } from "../fixture.ts";
import type { Hex } from "../../../../chain/types.ts";

/** PUSH1 4 JUMP INVALID JUMPDEST, then return 42. */
const JUMPER = "0x0000000000000000000000000000000000006000" as Hex;
const JUMPER_CODE = hexToBytes("0x600456fe5b602a60005260206000f3");

interface Analysis {
  jumps: Uint8Array;
  pushes: Record<number, bigint>;
  opcodesCached: unknown[];
}
type Analyze = ((this: unknown, code: Uint8Array) => Analysis) & { original?: Analyze };

async function interpreterPrototype(): Promise<{ _getValidJumpDestinations: Analyze }> {
  const module = await import(new URL("./interpreter.js", import.meta.resolve("@ethereumjs/evm")).href);
  return module.Interpreter.prototype;
}

test("the cache is installed on the interpreter the EVM uses", async () => {
  assert.equal(await installJumpAnalysisCache(), true);
  const prototype = await interpreterPrototype();
  assert.equal(typeof prototype._getValidJumpDestinations.original, "function");
});

test("a cached analysis equals the interpreter's own for random code", async () => {
  await installJumpAnalysisCache();
  const prototype = await interpreterPrototype();
  const original = prototype._getValidJumpDestinations.original!;
  const fake = { _evm: { _opcodeMap: {} }, lookupOpInfo: (op: number) => ({ op }), common: { isActivatedEIP: () => false } };
  for (let i = 0; i < 50; i++) {
    const code = randomBytes(1 + Math.floor(Math.random() * 2000));
    const cached = prototype._getValidJumpDestinations.call(fake, code);
    const again = prototype._getValidJumpDestinations.call(fake, code);
    const reference = original.call(fake, code);
    assert.equal(again, cached);
    assert.deepEqual(cached, reference);
  }
});

test("within one block the code of a contract is analysed once, however many transactions call it", async () => {
  const f = await executionFixture({ alloc: { [JUMPER]: { code: JUMPER_CODE } } });
  const txs = Array.from({ length: 12 }, (_, n) => f.sign(f.accounts[n % 3], { nonce: BigInt(Math.floor(n / 3)), to: JUMPER, gasLimit: 60_000n }));
  const before = jumpAnalysisStats();
  const built = await f.executor.buildBlock(f.genesis, txs, { coinbase: f.validators[0].address, timestamp: 1n });
  const after = jumpAnalysisStats();
  assert.equal(built.block.transactions.length, 12);
  assert.ok(built.receipts.every((r) => r.status === 1));
  assert.equal(after.analyses - before.analyses, 1);
  assert.equal(after.hits - before.hits, 11);
  // And the verifier (a fresh EVM) gets the same roots.
  await f.executor.verifyBlock(f.genesis, built.block);
});
