/** Block time and on-demand mining: evm_increaseTime, evm_setNextBlockTimestamp, evm_mine, hardhat_mine. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { DEV_KEYS, sendSigned } from "../rpc/helpers/testChain.ts";
import { startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let url: string;

before(async () => {
  devnet = await startDevNode();
  url = devnet.url;
});
after(() => devnet.close());

interface BlockJson {
  number: string;
  timestamp: string;
  hash: string;
  transactions: string[];
}
const latest = () => call<BlockJson>(url, "eth_getBlockByNumber", ["latest", false]);
const timestampOf = async (block: Promise<BlockJson>) => BigInt((await block).timestamp);
const hex = (value: bigint | number) => `0x${value.toString(16)}`;
const wallClock = () => BigInt(Math.floor(Date.now() / 1000));

describe("block timestamps", () => {
  it("follow the wall clock, and stay above the parent's when blocks come faster than seconds", async () => {
    await call(url, "hardhat_mine", ["0x5"]);
    const head = await latest();
    const parent = await call<BlockJson>(url, "eth_getBlockByNumber", [hex(BigInt(head.number) - 1n), false]);
    assert.ok(BigInt(head.timestamp) > BigInt(parent.timestamp));
    assert.ok(BigInt(head.timestamp) >= wallClock() - 2n);
  });
});

describe("evm_increaseTime", () => {
  it("moves the next blocks ahead and answers the total offset in seconds", async () => {
    const clockBefore = wallClock();
    // Hardhat's shape: the total offset as a decimal string (Anvil's alias: a number).
    const first = Number(await call<string>(url, "evm_increaseTime", [3600]));
    const total = Number(await call<string>(url, "evm_increaseTime", ["0xe10"]));
    assert.equal(total, first + 3600);
    assert.equal(await call<number>(url, "anvil_increaseTime", [0]), total);
    await call(url, "evm_mine");
    const after = await timestampOf(latest());
    assert.ok(after >= clockBefore + BigInt(total), `${after} is not ${total} s past the wall clock ${clockBefore}`);
    assert.ok(after <= wallClock() + BigInt(total) + 5n);
  });

  it("refuses a negative or fractional amount and a non-number", async () => {
    for (const bad of [-1, 1.5]) {
      assert.deepEqual(await callError(url, "evm_increaseTime", [bad]), {
        code: -32602,
        message: `invalid argument 0: expected a non-negative integer number of seconds, got ${bad}`,
      });
    }
    assert.deepEqual(await callError(url, "evm_increaseTime", [true]), { code: -32602, message: "invalid argument 0: expected a hex string, got a boolean" });
  });
});

describe("evm_setNextBlockTimestamp", () => {
  it("dates the next block exactly, and the clock continues from there", async () => {
    const target = (await timestampOf(latest())) + 10_000n;
    assert.equal(await call(url, "evm_setNextBlockTimestamp", [Number(target)]), String(target)); // Hardhat answers the timestamp, in decimal
    await sendSigned(url, DEV_KEYS[0], { to: "0x00000000000000000000000000000000000000bb", value: 1n });
    assert.equal(await timestampOf(latest()), target);
    await call(url, "evm_mine");
    const next = await timestampOf(latest());
    assert.ok(next > target && next <= target + 3n, `the block after is at ${next}, the chosen one at ${target}`);
  });

  it("is the time eth_call at pending and eth_estimateGas (the next block's context) run at", async () => {
    const target = (await timestampOf(latest())) + 50_000n;
    await call(url, "evm_setNextBlockTimestamp", [hex(target)]);
    // Init code that returns TIMESTAMP, and init code that reverts unless TIMESTAMP is the target.
    assert.equal(BigInt(await call<string>(url, "eth_call", [{ data: "0x425f5260205ff3" }, "pending"])), target);
    const onlyAtTarget = `0x427f${target.toString(16).padStart(64, "0")}146029575f5ffd5b00`;
    assert.ok(BigInt(await call<string>(url, "eth_estimateGas", [{ data: onlyAtTarget }])) > 53_000n);
    assert.equal((await callError(url, "eth_estimateGas", [{ data: onlyAtTarget }, "latest"])).code, 3);
    await call(url, "evm_mine");
    assert.equal(await timestampOf(latest()), target);
  });

  it("refuses a timestamp that is not above the latest block's", async () => {
    const head = await timestampOf(latest());
    assert.deepEqual(await callError(url, "evm_setNextBlockTimestamp", [Number(head)]), {
      code: -32602,
      message: `invalid argument 0: timestamp ${head} is lower than or equal to the latest block's timestamp ${head}`,
    });
  });
});

describe("evm_mine", () => {
  it("mines one block without transactions and answers 0x0", async () => {
    const before = await latest();
    assert.equal(await call(url, "evm_mine"), "0x0");
    const after = await latest();
    assert.equal(BigInt(after.number), BigInt(before.number) + 1n);
    assert.deepEqual(after.transactions, []);
  });

  it("takes a timestamp (Hardhat) or Anvil's { timestamp, blocks }", async () => {
    const at = (await timestampOf(latest())) + 100n;
    await call(url, "evm_mine", [Number(at)]);
    assert.equal(await timestampOf(latest()), at);
    const before = BigInt((await latest()).number);
    await call(url, "evm_mine", [{ timestamp: hex(at + 100n), blocks: "0x3" }]);
    const head = await latest();
    assert.equal(BigInt(head.number), before + 3n);
    assert.equal(BigInt(head.timestamp), at + 102n);
  });

  it("refuses a timestamp in the past and malformed options", async () => {
    const head = await timestampOf(latest());
    assert.deepEqual(await callError(url, "evm_mine", [Number(head) - 1]), {
      code: -32602,
      message: `invalid argument 0: timestamp ${head - 1n} is lower than or equal to the latest block's timestamp ${head}`,
    });
    assert.deepEqual(await callError(url, "evm_mine", [{ blocks: "ten" }]), { code: -32602, message: "invalid argument 0: blocks: hex string without 0x prefix" });
    assert.deepEqual(await callError(url, "evm_mine", [[1]]), { code: -32602, message: "invalid argument 0: expected an object, got an array" });
  });
});

describe("hardhat_mine", () => {
  it("mines count blocks, interval seconds apart after the first", async () => {
    const before = await latest();
    assert.equal(await call(url, "hardhat_mine", ["0xa", "0x3c"]), true);
    const head = await latest();
    assert.equal(BigInt(head.number), BigInt(before.number) + 10n);
    const first = await call<BlockJson>(url, "eth_getBlockByNumber", [hex(BigInt(before.number) + 1n), false]);
    assert.equal(BigInt(head.timestamp), BigInt(first.timestamp) + 9n * 60n);
  });

  it("mines a thousand empty blocks, running the VM only for the 10 epoch changes among them", async () => {
    const before = BigInt((await latest()).number);
    const { warm, fresh } = devnet.node.executor.stateReuse; // counts every block run on a VM
    const started = performance.now();
    await call(url, "hardhat_mine", ["0x3e8"]);
    const elapsedMs = performance.now() - started;
    assert.equal(BigInt((await latest()).number), before + 1000n);
    // An empty block is assembled without a VM unless its header calls for a system call: the staking
    // contract's advanceEpoch at every 100th block (the devnet's epoch length), 10 in any 1000.
    const runs = devnet.node.executor.stateReuse.warm - warm + (devnet.node.executor.stateReuse.fresh - fresh);
    assert.equal(runs, 10);
    const boundary = await call<BlockJson>(url, "eth_getBlockByNumber", [hex(((before + 1000n) / 100n) * 100n), false]);
    assert.deepEqual((await latest()).transactions, []);
    assert.deepEqual(boundary.transactions, []);
    console.log(`hardhat_mine 1000: ${elapsedMs.toFixed(0)} ms`);
  });

  it("includes the waiting transactions in the first block", async () => {
    await call(url, "evm_setAutomine", [false]);
    try {
      const hash = await sendSigned(url, DEV_KEYS[1], { to: "0x00000000000000000000000000000000000000cc", value: 1n });
      const before = BigInt((await latest()).number);
      await call(url, "hardhat_mine", ["0x2"]);
      const receipt = await call<{ blockNumber: string }>(url, "eth_getTransactionReceipt", [hash]);
      assert.equal(BigInt(receipt.blockNumber), before + 1n);
    } finally {
      await call(url, "evm_setAutomine", [true]);
    }
  });

  it("answers null through anvil_mine", async () => {
    assert.equal(await call(url, "anvil_mine", ["0x1"]), null);
  });

  it("refuses an interval of zero, a count above the limit and malformed numbers", async () => {
    assert.deepEqual(await callError(url, "hardhat_mine", ["0x1", "0x0"]), {
      code: -32602,
      message: "invalid argument 1: interval must be at least 1 second (block timestamps strictly increase)",
    });
    assert.deepEqual(await callError(url, "hardhat_mine", ["0x186a1"]), {
      code: -32602,
      message: "invalid argument 0: block count 100001 is above the limit of 100000 blocks per call",
    });
    assert.deepEqual(await callError(url, "hardhat_mine", ["10"]), { code: -32602, message: "invalid argument 0: hex string without 0x prefix" });
  });
});
