import { test } from "node:test";
import assert from "node:assert/strict";
import { traceTransaction } from "../../../chain/execution/tracing/traceRun.ts";
import type { CallFrame } from "../../../chain/execution/tracing/callTracer.ts";
import type { StructLogTrace } from "../../../chain/execution/tracing/structLogger.ts";
import { CALLER, NOPE_REVERT_DATA, RETURNS_42, REVERTS_NOPE, TEST_CONTRACTS } from "./contracts.ts";
import { executionFixture } from "./fixture.ts";

async function committedCall() {
  const f = await executionFixture({ alloc: TEST_CONTRACTS });
  const sender = f.accounts[0];
  const transfer = f.sign(sender, { nonce: 0n, to: f.accounts[1].address, value: 5n });
  const call = f.sign(sender, { nonce: 1n, to: CALLER, gasLimit: 200_000n, value: 7n });
  const built = await f.executor.buildBlock(f.genesis, [transfer, call], { coinbase: f.validators[0].address, timestamp: 1n });
  await f.commit(built);
  return { f, built, sender };
}

test("callTracer reports nested CALL, STATICCALL, DELEGATECALL and a reverted CALL with its reason", async () => {
  const { f, built, sender } = await committedCall();
  const root = (await traceTransaction(f.executor, f.genesis, built.block, 1, { tracer: "callTracer" })) as CallFrame;
  const word42 = `0x${"2a".padStart(64, "0")}`;
  assert.equal(root.type, "CALL");
  assert.equal(root.from, sender.address);
  assert.equal(root.to, CALLER);
  assert.equal(root.value, 7n);
  assert.equal(root.gas, 200_000n);
  assert.equal(root.gasUsed, built.receipts[1].gasUsed);
  assert.equal(root.input, "0x");
  assert.equal(root.output, word42);
  assert.deepEqual(
    root.calls?.map((c) => [c.type, c.from, c.to, c.value, c.output, c.error, c.revertReason]),
    [
      ["CALL", CALLER, RETURNS_42, 0n, word42, undefined, undefined],
      ["STATICCALL", CALLER, RETURNS_42, undefined, word42, undefined, undefined],
      // DELEGATECALL: the delegating contract calls, the callee's code runs; value is the caller frame's.
      ["DELEGATECALL", CALLER, RETURNS_42, 7n, word42, undefined, undefined],
      ["CALL", CALLER, REVERTS_NOPE, 0n, NOPE_REVERT_DATA, "execution reverted", "nope"],
    ],
  );
  for (const frame of root.calls!) {
    assert.ok(frame.gasUsed > 0n && frame.gasUsed < frame.gas);
    assert.equal(frame.calls, undefined);
  }
});

test("callTracer of a plain transfer is one CALL frame with the receipt's gas", async () => {
  const { f, built, sender } = await committedCall();
  const root = (await traceTransaction(f.executor, f.genesis, built.block, 0, { tracer: "callTracer" })) as CallFrame;
  assert.deepEqual(root, { type: "CALL", from: sender.address, to: f.accounts[1].address, value: 5n, gas: 21_000n, gasUsed: 21_000n, input: "0x", output: "0x" });
});

test("structLogs lists every executed opcode with depth, gas left and stack", async () => {
  const { f, built } = await committedCall();
  const trace = (await traceTransaction(f.executor, f.genesis, built.block, 1, { tracer: "structLogs" })) as StructLogTrace;
  assert.equal(trace.failed, false);
  assert.equal(trace.gas, built.receipts[1].gasUsed);
  assert.equal(trace.returnValue, `0x${"2a".padStart(64, "0")}`);
  const first = trace.structLogs[0];
  assert.deepEqual([first.pc, first.op, first.depth, first.stack], [0, "PUSH1", 1, []]);
  assert.deepEqual(trace.structLogs[1].stack, ["0x20"]);
  assert.ok(trace.structLogs.some((log) => log.depth === 2 && log.op === "MSTORE"));
  assert.equal(trace.structLogs[trace.structLogs.length - 1].op, "RETURN");
  assert.ok(trace.structLogs[1].gas < first.gas);
});
