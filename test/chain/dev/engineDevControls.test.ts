/**
 * The single-validator engine's dev controls on a real node: `exclusive` holds block production,
 * `mine` produces blocks on request with chosen timestamps, and automine off leaves the pool alone.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { SingleValidatorEngine } from "../../../chain/consensus/singleValidatorEngine.ts";
import { call } from "../rpc/helpers/rpcClient.ts";
import { sendSigned } from "../rpc/helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let engine: SingleValidatorEngine;

before(async () => {
  devnet = await startDevNode();
  engine = devnet.node.engine as SingleValidatorEngine;
});
after(() => devnet.close());

test("no block is committed while an exclusive task runs; the waiting transaction is mined after it", async () => {
  let release!: () => void;
  const held = engine.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
  const height = devnet.node.backend.latestBlockNumber();
  const sent = sendSigned(devnet.url, DEV[14]!.key, { to: DEV[15]!.address, value: 1n });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(devnet.node.backend.latestBlockNumber(), height);
  release();
  await held;
  const hash = await sent;
  assert.notEqual(await call(devnet.url, "eth_getTransactionReceipt", [hash]), null);
  assert.equal(devnet.node.backend.latestBlockNumber(), height + 1n);
});

test("mine() produces the blocks asked for, at the timestamps chosen, empty or not", async () => {
  const parent = (await devnet.node.backend.getBlockByNumber(devnet.node.backend.latestBlockNumber()))!;
  await engine.mine(3, (index, previous) => previous.header.timestamp + BigInt(10 * (index + 1)));
  const blocks = await Promise.all([1n, 2n, 3n].map((i) => devnet.node.backend.getBlockByNumber(parent.header.number + i)));
  assert.deepEqual(
    blocks.map((block) => block!.header.timestamp - parent.header.timestamp),
    [10n, 30n, 60n],
  );
});

test("with automine off a transaction waits; setAutomine(true) mines it", async () => {
  engine.setAutomine(false);
  const height = devnet.node.backend.latestBlockNumber();
  await sendSigned(devnet.url, DEV[16]!.key, { to: DEV[15]!.address, value: 1n });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(devnet.node.backend.latestBlockNumber(), height);
  engine.setAutomine(true);
  await engine.idle();
  assert.equal(devnet.node.backend.latestBlockNumber(), height + 1n);
});
