/** evm_snapshot / evm_revert over HTTP against a real dev-mode node. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { deployCounter } from "../rpc/helpers/counter.ts";
import { DEV_KEYS, sendSigned } from "../rpc/helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let url: string;
const OTHER = "0x00000000000000000000000000000000000000aa";

before(async () => {
  devnet = await startDevNode();
  url = devnet.url;
});
after(() => devnet.close());

const blockNumber = async () => BigInt(await call<string>(url, "eth_blockNumber"));
const balance = async (address: string) => BigInt(await call<string>(url, "eth_getBalance", [address, "latest"]));

describe("evm_snapshot / evm_revert", () => {
  it("hands out increasing ids as Hardhat does: 0x1, 0x2, ...", async () => {
    const first = await call<string>(url, "evm_snapshot");
    const second = await call<string>(url, "evm_snapshot");
    assert.equal(BigInt(second), BigInt(first) + 1n);
    assert.match(first, /^0x[0-9a-f]+$/);
  });

  it("reverts blocks, receipts, balances, and the transaction index to the snapshot's head", async () => {
    const id = await call<string>(url, "evm_snapshot");
    const head = await blockNumber();
    const headBlock = await call<{ hash: string }>(url, "eth_getBlockByNumber", ["latest", false]);
    const before = await balance(OTHER);
    const hash = await sendSigned(url, DEV_KEYS[0], { to: OTHER, value: 5n });
    assert.equal(await blockNumber(), head + 1n);
    assert.equal(await balance(OTHER), before + 5n);

    assert.equal(await call(url, "evm_revert", [id]), true);
    assert.equal(await blockNumber(), head);
    assert.equal((await call<{ hash: string }>(url, "eth_getBlockByNumber", ["latest", false])).hash, headBlock.hash);
    assert.equal(await call(url, "eth_getBlockByNumber", [`0x${(head + 1n).toString(16)}`, false]), null);
    assert.equal(await balance(OTHER), before);
    assert.equal(await call(url, "eth_getTransactionReceipt", [hash]), null);
    assert.equal(await call(url, "eth_getTransactionByHash", [hash]), null);
  });

  it("builds a new history on the reverted head: the same height gets a different block", async () => {
    const id = await call<string>(url, "evm_snapshot");
    await sendSigned(url, DEV_KEYS[0], { to: OTHER, value: 1n });
    const replaced = await call<{ hash: string; number: string }>(url, "eth_getBlockByNumber", ["latest", false]);
    await call(url, "evm_revert", [id]);
    await sendSigned(url, DEV_KEYS[1], { to: OTHER, value: 2n });
    const current = await call<{ hash: string; number: string }>(url, "eth_getBlockByNumber", ["latest", false]);
    assert.equal(current.number, replaced.number);
    assert.notEqual(current.hash, replaced.hash);
  });

  it("uses an id up: a second revert to it answers false", async () => {
    const id = await call<string>(url, "evm_snapshot");
    assert.equal(await call(url, "evm_revert", [id]), true);
    assert.equal(await call(url, "evm_revert", [id]), false);
  });

  it("discards the snapshots taken after the one reverted to", async () => {
    const earlier = await call<string>(url, "evm_snapshot");
    const later = await call<string>(url, "evm_snapshot");
    assert.equal(await call(url, "evm_revert", [earlier]), true);
    assert.equal(await call(url, "evm_revert", [later]), false);
  });

  it("keeps snapshots taken before the one reverted to", async () => {
    const older = await call<string>(url, "evm_snapshot");
    await sendSigned(url, DEV_KEYS[0], { to: OTHER, value: 1n });
    const newer = await call<string>(url, "evm_snapshot");
    await sendSigned(url, DEV_KEYS[0], { to: OTHER, value: 1n });
    assert.equal(await call(url, "evm_revert", [newer]), true);
    const atOlder = await blockNumber();
    assert.equal(await call(url, "evm_revert", [older]), true);
    assert.equal(await blockNumber(), atOlder - 1n);
  });

  it("answers false for an id never handed out", async () => {
    assert.equal(await call(url, "evm_revert", ["0xffffff"]), false);
  });

  it("restores pending state changes made before the snapshot and drops those made after it", async () => {
    await call(url, "hardhat_setBalance", [OTHER, "0x64"]);
    const id = await call<string>(url, "evm_snapshot");
    await call(url, "hardhat_setBalance", [OTHER, "0xc8"]);
    assert.equal(await balance(OTHER), 200n);
    await call(url, "evm_revert", [id]);
    assert.equal(await balance(OTHER), 100n);
    // The restored change still goes into the next block.
    await call(url, "hardhat_mine", []);
    assert.equal(BigInt(await call<string>(url, "eth_getBalance", [OTHER, `0x${(await blockNumber()).toString(16)}`])), 100n);
  });

  it("restores the transaction pool: waiting transactions come back, later ones are gone", async () => {
    await call(url, "evm_setAutomine", [false]);
    try {
      const waiting = await sendSigned(url, DEV_KEYS[2], { to: OTHER, value: 3n });
      const id = await call<string>(url, "evm_snapshot");
      const later = await sendSigned(url, DEV[3]!.key, { to: OTHER, value: 4n });
      await call(url, "evm_mine");
      assert.notEqual(await call(url, "eth_getTransactionReceipt", [waiting]), null);
      await call(url, "evm_revert", [id]);
      assert.deepEqual(await call(url, "txpool_status"), { pending: "0x1", queued: "0x0" });
      assert.equal(((await call<{ blockHash: string | null }>(url, "eth_getTransactionByHash", [waiting])).blockHash), null);
      assert.equal(await call(url, "eth_getTransactionByHash", [later]), null);
      await call(url, "evm_mine");
      assert.notEqual(await call(url, "eth_getTransactionReceipt", [waiting]), null);
    } finally {
      await call(url, "evm_setAutomine", [true]);
    }
  });

  it("winds the block clock back to the moment of the snapshot", async () => {
    const id = await call<string>(url, "evm_snapshot");
    await call(url, "evm_increaseTime", [86_400]);
    await call(url, "evm_mine");
    const ahead = BigInt((await call<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false])).timestamp);
    await call(url, "evm_revert", [id]);
    await call(url, "evm_mine");
    const mined = BigInt((await call<{ timestamp: string }>(url, "eth_getBlockByNumber", ["latest", false])).timestamp);
    assert.ok(mined < ahead - 80_000n, `a block after the revert is at ${mined}, the day-ahead block was at ${ahead}`);
  });

  it("lets a contract deployed after the snapshot disappear, and its address be reused", async () => {
    const id = await call<string>(url, "evm_snapshot");
    const counter = await deployCounter(url);
    assert.notEqual(await call(url, "eth_getCode", [counter.address, "latest"]), "0x");
    await call(url, "evm_revert", [id]);
    assert.equal(await call(url, "eth_getCode", [counter.address, "latest"]), "0x");
    const again = await deployCounter(url);
    assert.equal(again.address, counter.address);
  });

  it("names a malformed id", async () => {
    assert.deepEqual(await callError(url, "evm_revert", ["1"]), { code: -32602, message: "invalid argument 0: hex string without 0x prefix" });
    assert.deepEqual(await callError(url, "evm_revert", []), { code: -32602, message: "missing value for required argument 0" });
    assert.deepEqual(await callError(url, "evm_snapshot", ["0x1"]), { code: -32602, message: "too many arguments, want at most 0" });
  });

  it("answers the same through the Anvil names", async () => {
    const head = await blockNumber();
    const before = await balance(DEV[5]!.address);
    const id = await call<string>(url, "anvil_snapshot");
    assert.equal(BigInt(id), BigInt(await call<string>(url, "evm_snapshot")) - 1n, "one sequence of ids with evm_snapshot");
    const hash = await sendSigned(url, DEV_KEYS[0], { to: DEV[5]!.address, value: 1n });
    assert.equal(await balance(DEV[5]!.address), before + 1n);
    assert.equal(await call(url, "anvil_revert", [id]), true);
    assert.equal(await blockNumber(), head);
    assert.equal(await balance(DEV[5]!.address), before);
    assert.equal(await call(url, "eth_getTransactionReceipt", [hash]), null);
    assert.equal(await call(url, "anvil_revert", [id]), false, "a snapshot is used up by its revert");
  });
});
