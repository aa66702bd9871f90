/**
 * hardhat_setBalance / setCode / setNonce / setStorageAt: visible at "latest" at once (reads,
 * eth_call, eth_estimateGas, pool admission), committed with the next block, numbers unchanged.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet } from "ethers";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { deployCounter } from "../rpc/helpers/counter.ts";
import { DEV_KEYS, sendSigned } from "../rpc/helpers/testChain.ts";
import { startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let url: string;

before(async () => {
  devnet = await startDevNode();
  url = devnet.url;
});
after(() => devnet.close());

const hex = (value: bigint | number) => `0x${value.toString(16)}`;
const blockNumber = async () => BigInt(await call<string>(url, "eth_blockNumber"));
const word = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;
/** Runtime code that returns its own storage slot 0: PUSH0 SLOAD PUSH0 MSTORE PUSH1 32 PUSH0 RETURN. */
const RETURNS_SLOT_0 = "0x5f545f5260205ff3";

describe("hardhat_setBalance", () => {
  it("changes the balance at latest at once, without a block", async () => {
    const account = Wallet.createRandom().address.toLowerCase();
    const height = await blockNumber();
    assert.equal(await call(url, "hardhat_setBalance", [account, "0xde0b6b3a7640000"]), true);
    assert.equal(await call(url, "eth_getBalance", [account, "latest"]), "0xde0b6b3a7640000");
    assert.equal(await blockNumber(), height);
  });

  it("becomes part of the next block's state, under that block's number", async () => {
    const account = Wallet.createRandom().address.toLowerCase();
    await call(url, "hardhat_setBalance", [account, "0x1234"]);
    await call(url, "evm_mine");
    const mined = await blockNumber();
    assert.equal(await call(url, "eth_getBalance", [account, hex(mined)]), "0x1234");
    assert.equal(await call(url, "eth_getBalance", [account, hex(mined - 1n)]), "0x0");
  });

  it("lets a fresh key pay for a transaction: the pool admits it against the new balance", async () => {
    const wallet = Wallet.createRandom();
    await call(url, "hardhat_setBalance", [wallet.address, hex(10n ** 18n)]);
    const hash = await sendSigned(url, wallet.privateKey, { to: "0x00000000000000000000000000000000000000dd", value: 7n });
    const receipt = await call<{ status: string }>(url, "eth_getTransactionReceipt", [hash]);
    assert.equal(receipt.status, "0x1");
  });

  it("can lower a balance, and the pool then refuses what it can no longer pay", async () => {
    const wallet = new Wallet(DEV_KEYS[2]);
    await call(url, "hardhat_setBalance", [wallet.address, "0x1"]);
    const error = await callError(url, "eth_sendRawTransaction", [
      await wallet.signTransaction({ type: 2, chainId: 31337, nonce: 0, to: wallet.address, value: 2n, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n }),
    ]);
    assert.equal(error.code, -32000);
    assert.match(error.message, /^insufficient funds for gas \* price \+ value/);
    await call(url, "hardhat_setBalance", [wallet.address, hex(10_000n * 10n ** 18n)]);
  });

  it("names a malformed address or amount", async () => {
    assert.deepEqual(await callError(url, "hardhat_setBalance", ["0x12", "0x1"]), { code: -32602, message: "invalid argument 0: hex string has length 2, want 40 for an address" });
    assert.deepEqual(await callError(url, "hardhat_setBalance", [Wallet.createRandom().address, 5]), { code: -32602, message: "invalid argument 1: expected a hex string, got a number" });
  });

  it("answers null through anvil_setBalance", async () => {
    assert.equal(await call(url, "anvil_setBalance", [Wallet.createRandom().address, "0x1"]), null);
  });
});

describe("hardhat_setCode and hardhat_setStorageAt", () => {
  it("install code that eth_call runs at once, reading the storage set beside it", async () => {
    const account = Wallet.createRandom().address.toLowerCase();
    assert.equal(await call(url, "hardhat_setCode", [account, RETURNS_SLOT_0]), true);
    assert.equal(await call(url, "eth_getCode", [account, "latest"]), RETURNS_SLOT_0);
    assert.equal(await call(url, "hardhat_setStorageAt", [account, "0x0", word(42n)]), true);
    assert.equal(await call(url, "eth_getStorageAt", [account, "0x0", "latest"]), word(42n));
    assert.equal(await call(url, "eth_call", [{ to: account }, "latest"]), word(42n));
    await call(url, "evm_mine");
    assert.equal(await call(url, "eth_call", [{ to: account }, hex(await blockNumber())]), word(42n));
  });

  it("override a deployed contract's storage, which its own code then reads", async () => {
    const counter = await deployCounter(url);
    await call(url, "hardhat_setStorageAt", [counter.address, "0x0", word(5n)]);
    const count = await call<string>(url, "eth_call", [{ to: counter.address, data: counter.iface.encodeFunctionData("count") }, "latest"]);
    assert.equal(BigInt(count), 5n);
  });

  it("set storage of an account that does not exist yet", async () => {
    const account = Wallet.createRandom().address.toLowerCase();
    await call(url, "hardhat_setStorageAt", [account, hex(2n ** 255n), word(7n)]);
    assert.equal(await call(url, "eth_getStorageAt", [account, hex(2n ** 255n), "latest"]), word(7n));
  });

  it("refuse a storage value that is not exactly 32 bytes, and malformed code", async () => {
    const account = Wallet.createRandom().address;
    assert.deepEqual(await callError(url, "hardhat_setStorageAt", [account, "0x0", "0x01"]), {
      code: -32602,
      message: "invalid argument 2: storage value must be exactly 32 bytes long, got 1",
    });
    assert.deepEqual(await callError(url, "hardhat_setStorageAt", [account, "slot", word(1n)]), { code: -32602, message: "invalid argument 1: hex string without 0x prefix" });
    assert.deepEqual(await callError(url, "hardhat_setCode", [account, "0x123"]), { code: -32602, message: "invalid argument 1: hex string has odd length" });
  });
});

describe("hardhat_setNonce", () => {
  it("raises the nonce seen at latest and pending, and transactions then use it", async () => {
    const wallet = Wallet.createRandom();
    await call(url, "hardhat_setBalance", [wallet.address, hex(10n ** 18n)]);
    assert.equal(await call(url, "hardhat_setNonce", [wallet.address, "0x10"]), true);
    assert.equal(await call(url, "eth_getTransactionCount", [wallet.address, "latest"]), "0x10");
    assert.equal(await call(url, "eth_getTransactionCount", [wallet.address, "pending"]), "0x10");
    await sendSigned(url, wallet.privateKey, { to: wallet.address, value: 1n, nonce: 16 });
    assert.equal(await call(url, "eth_getTransactionCount", [wallet.address, "latest"]), "0x11");
  });

  it("refuses to lower a nonce", async () => {
    const wallet = Wallet.createRandom();
    await call(url, "hardhat_setNonce", [wallet.address, "0x5"]);
    assert.deepEqual(await callError(url, "hardhat_setNonce", [wallet.address, "0x4"]), {
      code: -32000,
      message: "New nonce (4) must not be smaller than the existing nonce (5)",
    });
  });

  it("refuses while transactions wait in the pool", async () => {
    await call(url, "evm_setAutomine", [false]);
    try {
      await sendSigned(url, DEV_KEYS[0], { to: "0x00000000000000000000000000000000000000ee", value: 1n });
      assert.deepEqual(await callError(url, "hardhat_setNonce", [Wallet.createRandom().address, "0x1"]), {
        code: -32000,
        message: "Cannot set account nonce when the transaction pool is not empty",
      });
      await call(url, "evm_mine");
    } finally {
      await call(url, "evm_setAutomine", [true]);
    }
  });

  it("names a nonce above 64 bits", async () => {
    assert.deepEqual(await callError(url, "hardhat_setNonce", [Wallet.createRandom().address, hex(2n ** 64n)]), {
      code: -32602,
      message: "invalid argument 1: hex number > 64 bits",
    });
  });
});

describe("pending changes in the block they join", () => {
  it("are committed with the next block's state root: a node restarted on its data sees them", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dataDir = mkdtempSync(join(tmpdir(), "concord-dev-state-"));
    const account = Wallet.createRandom().address.toLowerCase();
    try {
      const first = await startDevNode({ dataDir });
      await call(first.url, "hardhat_setBalance", [account, "0x77"]);
      await call(first.url, "hardhat_setCode", [account, RETURNS_SLOT_0]);
      await call(first.url, "evm_mine");
      await first.close();
      const second = await startDevNode({ dataDir });
      try {
        assert.equal(await call(second.url, "eth_getBalance", [account, "latest"]), "0x77");
        assert.equal(await call(second.url, "eth_getCode", [account, "latest"]), RETURNS_SLOT_0);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
