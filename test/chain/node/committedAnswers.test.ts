import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { Block } from "@ethereumjs/block";
import { hexToBytes } from "@ethereumjs/util";
import { answerWhenCommitted } from "../../../chain/node/committedAnswers.ts";
import type { BackendEvents } from "../../../chain/rpc/backend.ts";
import type { RpcError } from "../../../chain/rpc/errors.ts";
import type { CommittedFailure } from "../../../chain/node/blockPipeline.ts";
import type { TransactionPort } from "../../../chain/node/transactionPort.ts";
import type { Hex } from "../../../chain/types.ts";

const hashOf = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as Hex;
const blockOf = (hashes: Hex[]) => ({ transactions: hashes.map((hash) => ({ hash: () => hexToBytes(hash) })) }) as unknown as Block;

/** A pool port whose `submit` answers the hash named by the raw bytes' first byte, and that knows what is committed. */
function fixture() {
  const committed = new Set<Hex>();
  const port = {
    submit: async (raw: Uint8Array) => hashOf(raw[0]!),
    waiting: (hash: Hex) => (committed.has(hash) ? undefined : ({} as never)),
  } as unknown as TransactionPort;
  const events = new EventEmitter<BackendEvents>();
  const commit = (hashes: Hex[]) => {
    for (const hash of hashes) committed.add(hash);
    events.emit("newHead", blockOf(hashes));
  };
  return { port, events, commit };
}

const settled = (promise: Promise<unknown>) => Promise.race([promise.then(() => true), new Promise((resolve) => setImmediate(() => resolve(false)))]);

test("sends answer when a committed block includes their transaction, each once, whatever the order of blocks", async () => {
  const { port, events, commit } = fixture();
  const answering = answerWhenCommitted(port, events);
  const sends = Array.from({ length: 100 }, (_, i) => answering.submit(new Uint8Array([i])));
  const twice = answering.submit(new Uint8Array([7])); // the same transaction sent again while it waits
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(events.listenerCount("newHead"), 1, "one head listener however many sends wait");
  commit([hashOf(50), hashOf(7)]);
  assert.equal(await sends[50], hashOf(50));
  assert.equal(await sends[7], hashOf(7));
  assert.equal(await twice, hashOf(7));
  assert.equal(await settled(sends[0]!), false, "not in the block: still waiting");
  commit(Array.from({ length: 100 }, (_, i) => hashOf(i)).filter((hash) => hash !== hashOf(50) && hash !== hashOf(7)));
  assert.deepEqual(await Promise.all(sends), Array.from({ length: 100 }, (_, i) => hashOf(i)));
  assert.equal(events.listenerCount("newHead"), 0, "nothing left listening once nothing waits");
});

test("a transaction committed before its send started waiting answers at once; a halted network answers with the hash after the timeout", async () => {
  const { port, events, commit } = fixture();
  commit([hashOf(1)]);
  assert.equal(await answerWhenCommitted(port, events).submit(new Uint8Array([1])), hashOf(1));
  const started = performance.now();
  assert.equal(await answerWhenCommitted(port, events, { timeoutMs: 30 }).submit(new Uint8Array([2])), hashOf(2));
  assert.ok(performance.now() - started >= 25);
  assert.equal(events.listenerCount("newHead"), 0);
});

test("a committed transaction that failed is answered with its cause: code 3 and the revert data, or the EVM's error and the block", async () => {
  const { port, events, commit } = fixture();
  const failures = new Map<Hex, CommittedFailure>([
    [hashOf(3), { blockNumber: 7n, failure: { kind: "revert", output: Uint8Array.of(0xde, 0xad) } }],
    [hashOf(4), { blockNumber: 8n, failure: { kind: "error", error: "out of gas" } }],
  ]);
  const answering = answerWhenCommitted(port, events, { failureOf: (hash) => failures.get(hash) });
  const reverted = answering.submit(new Uint8Array([3]));
  const outOfGas = answering.submit(new Uint8Array([4]));
  const fine = answering.submit(new Uint8Array([5]));
  await new Promise((resolve) => setImmediate(resolve));
  commit([hashOf(3), hashOf(4), hashOf(5)]);
  await assert.rejects(reverted, (error: RpcError) => error.code === 3 && error.message === "execution reverted" && error.data === "0xdead");
  await assert.rejects(outOfGas, (error: RpcError) => error.code === -32000 && error.message === `transaction ${hashOf(4)} failed in block 8: out of gas`);
  assert.equal(await fine, hashOf(5));
});
