import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import type { Block } from "@ethereumjs/block";
import { createTx, type TypedTxData } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { ConcordNode, type NodeOptions } from "../../../chain/node.ts";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { devAccountKeys, validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { STAKING_ADDRESS, encodeCall, signValidatorConsent } from "../../../chain/execution/staking.ts";
import { ConsensusError } from "../../../chain/consensus/engine.ts";
import { recoverCommitSigner, verifyCommitCertificate } from "../../../chain/consensus/commitCertificate.ts";
import { SingleValidatorEngine } from "../../../chain/consensus/singleValidatorEngine.ts";
import { LocalSigner } from "../../../chain/consensus/localSigner.ts";
import { FakeConsensusHost } from "./fakeConsensusHost.ts";

const ETHER = 10n ** 18n;
const [validator, other] = validatorKeys(2);
const accounts = devAccountKeys(20);
const common = await createConcordCommon();

function genesis(validators = [validator]) {
  return defaultGenesisConfig({ validators: validators.map((v) => ({ operator: v.address, signer: v.address, stake: 1000n * ETHER })) });
}

async function startNode(options: Partial<NodeOptions> = {}): Promise<ConcordNode> {
  const node = new ConcordNode({ genesis: genesis(), validatorKey: validator.privateKey, rpc: false, syncWrites: false, ...options });
  await node.start();
  return node;
}

function rawTransfer(from: number, nonce: bigint, data: Partial<TypedTxData> = {}): Uint8Array {
  return createTx(
    { type: 2, chainId: 31337n, nonce, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, to: accounts[19].address, value: 1n, ...data } as TypedTxData,
    { common },
  )
    .sign(accounts[from].privateKey)
    .serialize();
}

async function receiptBlock(node: ConcordNode, hash: `0x${string}`, timeoutMs = 10_000): Promise<bigint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await node.backend.getReceipt(hash);
    if (receipt !== undefined) return receipt.blockNumber;
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("a transaction arriving in the pool is committed in a block at once", async () => {
  const node = await startNode();
  try {
    const started = Date.now();
    const [[block]] = await Promise.all([once(node.events, "newHead") as Promise<[Block]>, node.backend.sendRawTransaction(rawTransfer(0, 0n))]);
    assert.ok(Date.now() - started < 2_000);
    assert.equal(block.header.number, 1n);
    assert.equal(block.transactions.length, 1);
    assert.equal(bytesToHex(block.header.coinbase.bytes), validator.address);
  } finally {
    await node.stop();
  }
});

test("transactions submitted together share blocks: 40 transactions take far fewer than 40 blocks", async () => {
  const node = await startNode();
  try {
    const hashes = await Promise.all(Array.from({ length: 40 }, (_, i) => node.backend.sendRawTransaction(rawTransfer(i % 10, BigInt(Math.floor(i / 10))))));
    const blocks = new Set(await Promise.all(hashes.map((hash) => receiptBlock(node, hash))));
    assert.ok(blocks.size <= 5, `40 transactions used ${blocks.size} blocks`);
  } finally {
    await node.stop();
  }
});

test("with a heartbeat, empty blocks are produced while no transaction arrives", async () => {
  const node = await startNode({ heartbeatMs: 50 });
  try {
    const deadline = Date.now() + 5_000;
    while (node.backend.latestBlockNumber() < 3n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(node.backend.latestBlockNumber() >= 3n);
    const block = (await node.backend.getBlockByNumber(2n))!;
    assert.equal(block.transactions.length, 0);
  } finally {
    await node.stop();
  }
});

test("each block's commit certificate verifies against the validator set and recovers to the validator", async () => {
  const node = await startNode();
  try {
    const hash = await node.backend.sendRawTransaction(rawTransfer(0, 0n));
    const number = await receiptBlock(node, hash);
    const block = (await node.backend.getBlockByNumber(number))!;
    const certificate = (await node.backend.commitCertificate(number))!;
    assert.equal(certificate.blockHash, bytesToHex(block.hash()));
    assert.equal(certificate.round, 0);
    const set = await node.pipeline.validatorSet((await node.backend.getBlockByNumber(number - 1n))!);
    assert.deepEqual(set.validators, [{ address: validator.address, votingPower: 1000n * ETHER }]);
    verifyCommitCertificate(certificate, node.chainId, { height: number, blockHash: certificate.blockHash }, set.validators);
    assert.equal(recoverCommitSigner(node.chainId, number, 0, certificate.blockHash, certificate.signatures[0].signature), validator.address);
  } finally {
    await node.stop();
  }
});

test("an engine whose key is not in the validator set refuses to start (NOT_A_VALIDATOR)", async () => {
  const node = new ConcordNode({ genesis: genesis(), validatorKey: other.privateKey, rpc: false });
  await assert.rejects(node.start(), (error: unknown) => error instanceof ConsensusError && error.code === "NOT_A_VALIDATOR");
});

test("a single engine without more than 2/3 of the voting power refuses to start", async () => {
  const node = new ConcordNode({ genesis: genesis([validator, other]), validatorKey: validator.privateKey, rpc: false });
  await assert.rejects(node.start(), (error: unknown) => error instanceof ConsensusError && error.code === "INSUFFICIENT_VOTING_POWER");
});

test("the engine follows the staking contract: advanceEpoch at the boundary, then it halts when it no longer holds 2/3", async () => {
  const errors: unknown[] = [];
  const config = defaultGenesisConfig({
    validators: [{ operator: validator.address, signer: validator.address, stake: 1000n * ETHER }],
    stakingConfig: { epochLength: 3n },
  });
  const node = await startNode({ genesis: config, onError: (error) => errors.push(error) });
  try {
    // Block 1: another validator registers with as much stake (counted from the next epoch).
    const consent = await signValidatorConsent(other.privateKey, accounts[0].address, node.chainId);
    const register = await node.backend.sendRawTransaction(
      rawTransfer(0, 0n, { to: STAKING_ADDRESS, value: 1000n * ETHER, gasLimit: 500_000n, data: encodeCall("register", [other.address, consent]) }),
    );
    await receiptBlock(node, register);
    assert.equal((await node.backend.getReceipt(register))?.status, 1);
    // Blocks 2 and 3; block 3 is the first of epoch 1 and runs advanceEpoch.
    await receiptBlock(node, await node.backend.sendRawTransaction(rawTransfer(1, 0n)));
    await receiptBlock(node, await node.backend.sendRawTransaction(rawTransfer(1, 1n)));
    assert.equal(node.backend.latestBlockNumber(), 3n);
    const validators = await node.backend.validators("latest");
    assert.deepEqual(new Set(validators.map((v) => v.address)), new Set([validator.address, other.address]));
    // Half of the voting power is not enough to commit alone: the next block is refused.
    await node.backend.sendRawTransaction(rawTransfer(1, 2n));
    const engine = node.engine as SingleValidatorEngine;
    await engine.idle();
    assert.equal(engine.status().step, "halted");
    assert.equal(node.backend.latestBlockNumber(), 3n);
    assert.ok(errors.some((error) => error instanceof ConsensusError && error.code === "INSUFFICIENT_VOTING_POWER"));
  } finally {
    await node.stop();
  }
});

// ---------------------------------------------------------------------------------------------
// The engine alone, on a fake host (fakeConsensusHost.ts): no VM, storage or pool, every call seen.

const signer = new LocalSigner(validator.privateKey, 31337n);
const soleValidator = { validators: [{ address: validator.address, votingPower: 1000n * ETHER }], totalVotingPower: 1000n * ETHER };

function fakeHost(): FakeConsensusHost {
  return new FakeConsensusHost(common, { validators: soleValidator });
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("fake host: a waiting transaction is built into the head's child, signed alone and committed with its certificate", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer });
  await engine.start();
  try {
    const hash = host.submit();
    await until(() => host.commits.length === 1, "the first commit");
    const [{ block, certificate }] = host.commits;
    assert.equal(block.header.number, 1n);
    assert.deepEqual(block.transactions.map((tx) => bytesToHex(tx.hash())), [hash]);
    assert.equal(host.builds[0]!.coinbase, validator.address);
    assert.deepEqual({ height: certificate.height, round: certificate.round, blockHash: certificate.blockHash }, { height: 1n, round: 0, blockHash: bytesToHex(block.hash()) });
    verifyCommitCertificate(certificate, 31337n, { height: 1n, blockHash: certificate.blockHash }, soleValidator.validators);
    assert.deepEqual(engine.status(), { engine: "single-validator", height: 2n, round: 0, step: "idle", proposer: validator.address, validators: 1 });
  } finally {
    await engine.stop();
  }
});

test("fake host: transactions arriving while a block is being built wait for the next block, together", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer });
  await engine.start();
  try {
    const hold = host.holdBuilds();
    host.submit();
    await hold.started;
    const later = Array.from({ length: 5 }, () => host.submit());
    hold.release();
    await until(() => host.commits.length === 2, "two commits");
    assert.equal(host.commits[0]!.block.transactions.length, 1);
    assert.deepEqual(host.commits[1]!.block.transactions.map((tx) => bytesToHex(tx.hash())), later);
  } finally {
    await engine.stop();
  }
});

test("fake host: nextBlock resolves at each commit while production goes on (an automined answer waits for its block only), and at once when idle", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer });
  await engine.start();
  try {
    assert.equal(await engine.nextBlock(), false, "nothing is being produced");
    const first = host.holdBuilds();
    host.submit();
    await first.started;
    const afterFirst = engine.nextBlock();
    host.submit(); // arrives during block 1: production goes on with block 2
    first.release();
    const second = host.holdBuilds();
    assert.equal(await afterFirst, true);
    assert.equal(host.commits.length, 1, "resolved at block 1's commit");
    await second.started;
    let idle = false;
    void engine.idle().then(() => (idle = true));
    const afterSecond = engine.nextBlock();
    await sleep(20);
    assert.equal(idle, false, "block 2 is still being built: production has not paused");
    second.release();
    assert.equal(await afterSecond, true);
    assert.equal(host.commits.length, 2);
    await engine.idle();
    assert.equal(await engine.nextBlock(), false);
  } finally {
    await engine.stop();
  }
});

test("fake host: once clients send concurrently, a burst arriving a few milliseconds apart is gathered into one block", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer, gatherQuietMs: 100, gatherMaxMs: 5_000 });
  await engine.start();
  try {
    // Two at once: one block of two, which shows concurrent senders.
    host.submit();
    host.submit();
    await until(() => host.commits.length === 1, "the first commit");
    for (let i = 0; i < 6; i++) {
      host.submit();
      await sleep(5);
    }
    await until(() => host.commits.length === 2, "the second commit");
    await sleep(150);
    assert.deepEqual(host.commits.map(({ block }) => block.transactions.length), [2, 6]);
  } finally {
    await engine.stop();
  }
});

test("fake host: a lone client's transaction is built at once, without the quiet wait", async () => {
  const host = fakeHost();
  // A quiet time far above a block's making: a block that waited for it would take over 300 ms.
  const engine = new SingleValidatorEngine(host, { signer, gatherQuietMs: 300, gatherMaxMs: 5_000 });
  await engine.start();
  try {
    for (let i = 1; i <= 3; i++) {
      const started = performance.now();
      host.submit();
      await until(() => host.commits.length === i, `commit ${i}`);
      assert.ok(performance.now() - started < 250, `block ${i} waited ${performance.now() - started} ms`);
    }
    assert.deepEqual(host.commits.map(({ block }) => block.transactions.length), [1, 1, 1]);
  } finally {
    await engine.stop();
  }
});

test("fake host: gathering ends after gatherMaxMs, so a steady stream of transactions still gets blocks", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer, gatherQuietMs: 40, gatherMaxMs: 60 });
  await engine.start();
  try {
    for (const end = Date.now() + 400; Date.now() < end; ) {
      host.submit();
      await sleep(10);
    }
    await until(() => !host.hasPendingTransactions(), "every transaction in a block");
    await engine.idle();
    assert.ok(host.commits.length >= 3, `a 400 ms stream went into ${host.commits.length} block(s)`);
  } finally {
    await engine.stop();
  }
});

test("fake host: gathering options must be non-negative numbers, the heartbeat positive", () => {
  const host = fakeHost();
  assert.throws(() => new SingleValidatorEngine(host, { signer, gatherQuietMs: -1 }), { name: "RangeError", message: "gatherQuietMs must be a non-negative number, got -1" });
  assert.throws(() => new SingleValidatorEngine(host, { signer, gatherMaxMs: Number.NaN }), { name: "RangeError", message: "gatherMaxMs must be a non-negative number, got NaN" });
  assert.throws(() => new SingleValidatorEngine(host, { signer, heartbeatMs: 0 }), { name: "RangeError", message: "heartbeatMs must be a positive number, got 0" });
});

test("fake host: no empty blocks without a heartbeat; with one, empty blocks while nothing arrives", async () => {
  const quiet = fakeHost();
  const engine = new SingleValidatorEngine(quiet, { signer });
  await engine.start();
  try {
    quiet.submit();
    await until(() => quiet.commits.length === 1, "the commit");
    await sleep(300);
    assert.equal(quiet.commits.length, 1);
    assert.equal(quiet.builds.length, 1);
  } finally {
    await engine.stop();
  }
  const beating = fakeHost();
  const heartbeat = new SingleValidatorEngine(beating, { signer, heartbeatMs: 30 });
  await heartbeat.start();
  try {
    await until(() => beating.commits.length >= 3, "three heartbeat blocks");
    assert.ok(beating.commits.every(({ block }) => block.transactions.length === 0));
  } finally {
    await heartbeat.stop();
  }
});

test("fake host: timestamps are the clock's, kept strictly above the parent's when the clock stands still", async () => {
  const host = fakeHost();
  let clock = 1_000n;
  const engine = new SingleValidatorEngine(host, { signer, now: () => clock });
  await engine.start();
  try {
    for (let i = 1; i <= 3; i++) {
      host.submit();
      await until(() => host.commits.length === i, `commit ${i}`);
    }
    clock = 2_000n;
    host.submit();
    await until(() => host.commits.length === 4, "commit 4");
    assert.deepEqual(host.commits.map(({ block }) => block.header.timestamp), [1_000n, 1_001n, 1_002n, 2_000n]);
  } finally {
    await engine.stop();
  }
});

test("fake host: stop() during a build lets that block be committed, then produces nothing", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer, heartbeatMs: 50 });
  await engine.start();
  const hold = host.holdBuilds();
  const hash = host.submit();
  await hold.started;
  assert.equal(engine.status().step, "building");
  const stopping = engine.stop();
  assert.equal(engine.status().step, "stopped");
  host.submit(); // arrives after stop(): never built
  hold.release();
  await stopping;
  // The block in progress was finished and committed: the transaction has its "receipt".
  assert.equal(host.commits.length, 1);
  assert.deepEqual(host.commits[0]!.block.transactions.map((tx) => bytesToHex(tx.hash())), [hash]);
  assert.equal(host.commits[0]!.certificate.blockHash, bytesToHex(host.commits[0]!.block.hash()));
  assert.equal(engine.status().step, "stopped");
  assert.equal(host.subscribers, 0);
  // Neither the waiting transaction nor the heartbeat makes another block.
  await sleep(200);
  assert.equal(host.builds.length, 1);
  assert.equal(host.commits.length, 1);
});

test("fake host: a validator set it is not in, or holds no more than 2/3 of, keeps the engine from starting", async () => {
  const host = new FakeConsensusHost(common, { validators: { validators: [{ address: other.address, votingPower: 1n }], totalVotingPower: 1n } });
  await assert.rejects(new SingleValidatorEngine(host, { signer }).start(), (error: unknown) => error instanceof ConsensusError && error.code === "NOT_A_VALIDATOR");
  host.validators = {
    validators: [
      { address: validator.address, votingPower: 2n },
      { address: other.address, votingPower: 1n },
    ],
    totalVotingPower: 3n,
  };
  await assert.rejects(new SingleValidatorEngine(host, { signer }).start(), (error: unknown) => error instanceof ConsensusError && error.code === "INSUFFICIENT_VOTING_POWER");
  assert.equal(host.builds.length, 0);
});

test("fake host: when the set changes under it so it no longer holds 2/3, the engine halts and reports why", async () => {
  const host = fakeHost();
  const errors: unknown[] = [];
  const engine = new SingleValidatorEngine(host, { signer, onError: (error) => errors.push(error) });
  await engine.start();
  try {
    host.submit();
    await until(() => host.commits.length === 1, "the first commit");
    host.validators = {
      validators: [
        { address: validator.address, votingPower: 1n },
        { address: other.address, votingPower: 1n },
      ],
      totalVotingPower: 2n,
    };
    host.submit();
    await until(() => errors.length === 1, "the error");
    await engine.idle();
    assert.equal(engine.status().step, "halted");
    assert.ok(errors[0] instanceof ConsensusError && errors[0].code === "INSUFFICIENT_VOTING_POWER");
    assert.equal(host.commits.length, 1);
  } finally {
    await engine.stop();
  }
});

test("fake host: on request (automine off), mine() makes blocks, empty ones too, and exclusive() holds production", async () => {
  const host = fakeHost();
  const engine = new SingleValidatorEngine(host, { signer });
  assert.equal(engine.onDemand, engine);
  await engine.start();
  try {
    engine.setAutomine(false);
    host.submit();
    await sleep(100);
    assert.equal(host.builds.length, 0);
    await engine.mine(2, (index, parent) => parent.header.timestamp + 10n + BigInt(index));
    assert.deepEqual(host.commits.map(({ block }) => [block.transactions.length, block.header.timestamp]), [
      [1, 10n],
      [0, 21n],
    ]);
    let finish!: () => void;
    const task = engine.exclusive(() => new Promise<void>((resolve) => (finish = resolve)));
    host.submit();
    engine.setAutomine(true);
    await sleep(100);
    assert.equal(host.commits.length, 2, "no block while an exclusive task runs");
    finish();
    await task;
    await until(() => host.commits.length === 3, "the block after the task");
  } finally {
    await engine.stop();
  }
});
