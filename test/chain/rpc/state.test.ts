/** Account state: eth_getBalance, eth_getCode, eth_getStorageAt, eth_getTransactionCount, EIP-1898. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let counter: DeployedCounter;
const TEN_THOUSAND_ETH = `0x${(10_000n * 10n ** 18n).toString(16)}`;

before(async () => {
  chain = await startTestChain();
  counter = await deployCounter(chain.url);
  await counter.increment(7n);
});
after(async () => {
  await chain.close();
});

describe("eth_getBalance", () => {
  it("reads a dev account's genesis balance and the balance after a transfer", async () => {
    assert.equal(await call(chain.url, "eth_getBalance", [DEV_ADDRESSES[2], "earliest"]), TEN_THOUSAND_ETH);
    const receipt = await waitForReceipt(chain.url, await sendSigned(chain.url, DEV_KEYS[1], { to: DEV_ADDRESSES[2], value: 5n }));
    assert.equal(BigInt(await call<string>(chain.url, "eth_getBalance", [DEV_ADDRESSES[2], receipt.blockNumber])), 10_000n * 10n ** 18n + 5n);
    assert.equal(BigInt(await call<string>(chain.url, "eth_getBalance", [DEV_ADDRESSES[2]])), 10_000n * 10n ** 18n + 5n);
  });
  it("takes EIP-1898 block objects", async () => {
    const genesis = await call<{ hash: string }>(chain.url, "eth_getBlockByNumber", ["0x0", false]);
    assert.equal(await call(chain.url, "eth_getBalance", [DEV_ADDRESSES[2], { blockHash: genesis.hash }]), TEN_THOUSAND_ETH);
    assert.equal(await call(chain.url, "eth_getBalance", [DEV_ADDRESSES[2], { blockNumber: "0x0" }]), TEN_THOUSAND_ETH);
  });
  it("reports unknown blocks as geth does (-32000 header not found)", async () => {
    const unknownHash = `0x${"77".repeat(32)}`;
    assert.deepEqual(await callError(chain.url, "eth_getBalance", [DEV_ADDRESSES[0], { blockHash: unknownHash }]), {
      code: -32000,
      message: `header for hash ${unknownHash} not found`,
    });
    const future = await callError(chain.url, "eth_getBalance", [DEV_ADDRESSES[0], "0xffffff"]);
    assert.equal(future.code, -32000);
    assert.match(future.message, /^header not found: block 16777215 is beyond the head \d+$/);
  });
  it("names a malformed address", async () => {
    assert.deepEqual(await callError(chain.url, "eth_getBalance", ["0x1234", "latest"]), {
      code: -32602,
      message: "invalid argument 0: hex string has length 4, want 40 for an address",
    });
  });
});

describe("eth_getCode / eth_getStorageAt", () => {
  it("returns deployed code, and 0x for an account without code", async () => {
    const code = await call<string>(chain.url, "eth_getCode", [counter.address, "latest"]);
    assert.ok(code.length > 100);
    assert.equal(await call(chain.url, "eth_getCode", [DEV_ADDRESSES[0], "latest"]), "0x");
    assert.equal(await call(chain.url, "eth_getCode", [counter.address, "earliest"]), "0x");
  });
  it("reads a storage slot as a 32-byte word, with the slot given short or padded", async () => {
    const word = `0x${"7".padStart(64, "0")}`;
    assert.equal(await call(chain.url, "eth_getStorageAt", [counter.address, "0x0", "latest"]), word);
    assert.equal(await call(chain.url, "eth_getStorageAt", [counter.address, `0x${"0".repeat(64)}`, "latest"]), word);
    assert.equal(await call(chain.url, "eth_getStorageAt", [counter.address, "0x5", "latest"]), `0x${"0".repeat(64)}`);
  });
  it("refuses a slot over 32 bytes", async () => {
    assert.deepEqual(await callError(chain.url, "eth_getStorageAt", [counter.address, `0x1${"0".repeat(64)}`, "latest"]), {
      code: -32602,
      message: "invalid argument 1: storage slot > 32 bytes",
    });
  });
});

describe("eth_getTransactionCount", () => {
  it("counts committed transactions, and pending ones too with the pending tag", async () => {
    const latest = BigInt(await call<string>(chain.url, "eth_getTransactionCount", [DEV_ADDRESSES[0], "latest"]));
    assert.equal(latest, 2n);
    assert.equal(await call(chain.url, "eth_getTransactionCount", [DEV_ADDRESSES[0], "earliest"]), "0x0");
    const hash = await sendSigned(chain.url, DEV_KEYS[0], { to: DEV_ADDRESSES[1], value: 1n });
    // Pooled or already committed: either way the next nonce has moved on.
    assert.equal(BigInt(await call<string>(chain.url, "eth_getTransactionCount", [DEV_ADDRESSES[0], "pending"])), latest + 1n);
    await waitForReceipt(chain.url, hash);
    assert.equal(BigInt(await call<string>(chain.url, "eth_getTransactionCount", [DEV_ADDRESSES[0], "latest"])), latest + 1n);
  });
});
