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
import { STAKING_ADDRESS, encodeCall } from "../../../chain/execution/staking.ts";
import { ConsensusError, type ConsensusHost } from "../../../chain/consensus/engine.ts";
import { recoverCommitSigner, verifyCommitCertificate } from "../../../chain/consensus/commitCertificate.ts";
import { SingleValidatorEngine } from "../../../chain/consensus/singleValidatorEngine.ts";
import { LocalSigner } from "../../../chain/consensus/localSigner.ts";

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

test("arrivals while a block is being built wait for the next block, together", async () => {
  const node = await startNode();
  try {
    const first = await node.backend.sendRawTransaction(rawTransfer(0, 0n));
    // These arrive while block 1 is being built or committed.
    const later = await Promise.all(Array.from({ length: 10 }, (_, i) => node.backend.sendRawTransaction(rawTransfer(i + 1, 0n))));
    const firstBlock = await receiptBlock(node, first);
    const laterBlocks = new Set(await Promise.all(later.map((hash) => receiptBlock(node, hash))));
    assert.equal(firstBlock, 1n);
    assert.ok(laterBlocks.size <= 2, `10 queued transactions used ${laterBlocks.size} blocks`);
  } finally {
    await node.stop();
  }
});

test("a burst whose transactions become pending a few milliseconds apart is gathered into one block", async () => {
  const node = await startNode({ engine: { kind: "single-validator", gatherQuietMs: 40, gatherMaxMs: 2_000 } });
  try {
    const hashes: `0x${string}`[] = [];
    for (let i = 0; i < 6; i++) {
      hashes.push(await node.backend.sendRawTransaction(rawTransfer(i, 0n)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const blocks = new Set(await Promise.all(hashes.map((hash) => receiptBlock(node, hash))));
    assert.deepEqual([...blocks], [1n]);
  } finally {
    await node.stop();
  }
});

test("gathering ends after gatherMaxMs: a steady stream of transactions still gets blocks", async () => {
  const node = await startNode({ engine: { kind: "single-validator", gatherQuietMs: 40, gatherMaxMs: 60 } });
  try {
    const hashes: `0x${string}`[] = [];
    const until = Date.now() + 400;
    for (let nonce = 0n; Date.now() < until; nonce++) {
      hashes.push(await node.backend.sendRawTransaction(rawTransfer(0, nonce)));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const blocks = new Set(await Promise.all(hashes.map((hash) => receiptBlock(node, hash))));
    assert.ok(blocks.size >= 3, `a 400 ms stream went into ${blocks.size} block(s)`);
  } finally {
    await node.stop();
  }
});

test("gathering options must be non-negative numbers", () => {
  const signer = new LocalSigner(validator.privateKey, 31337n);
  const host = {} as ConsensusHost; // the options are checked before the host is used
  assert.throws(() => new SingleValidatorEngine(host, { signer, gatherQuietMs: -1 }), { name: "RangeError", message: "gatherQuietMs must be a non-negative number, got -1" });
  assert.throws(() => new SingleValidatorEngine(host, { signer, gatherMaxMs: Number.NaN }), { name: "RangeError", message: "gatherMaxMs must be a non-negative number, got NaN" });
});

test("no empty blocks without a heartbeat", async () => {
  const node = await startNode();
  try {
    await receiptBlock(node, await node.backend.sendRawTransaction(rawTransfer(0, 0n)));
    const head = node.backend.latestBlockNumber();
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(node.backend.latestBlockNumber(), head);
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

test("block timestamps strictly increase even when many blocks are produced within a second", async () => {
  const node = await startNode();
  try {
    for (let nonce = 0n; nonce < 5n; nonce++) await receiptBlock(node, await node.backend.sendRawTransaction(rawTransfer(0, nonce)));
    let previous = (await node.backend.getBlockByNumber(0n))!.header.timestamp;
    for (let number = 1n; number <= node.backend.latestBlockNumber(); number++) {
      const { timestamp } = (await node.backend.getBlockByNumber(number))!.header;
      assert.ok(timestamp > previous, `block ${number} timestamp ${timestamp} <= ${previous}`);
      previous = timestamp;
    }
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

test("an engine that stops finishes the block in progress, then produces nothing", async () => {
  const node = await startNode();
  const engine = node.engine as SingleValidatorEngine;
  const hash = await node.backend.sendRawTransaction(rawTransfer(0, 0n));
  await engine.stop();
  assert.equal(engine.status().step, "stopped");
  const committed = await node.backend.getReceipt(hash);
  await node.backend.sendRawTransaction(rawTransfer(0, committed === undefined ? 0n : 1n)).catch(() => undefined);
  const head = node.backend.latestBlockNumber();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(node.backend.latestBlockNumber(), head);
  await node.stop();
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
    const register = await node.backend.sendRawTransaction(
      rawTransfer(0, 0n, { to: STAKING_ADDRESS, value: 1000n * ETHER, gasLimit: 500_000n, data: encodeCall("register", [other.address]) }),
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
