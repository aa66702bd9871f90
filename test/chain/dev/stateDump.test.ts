/**
 * The whole dev chain: hardhat_reset back to genesis, anvil_dumpState / anvil_loadState to carry a
 * prepared state (deployed contract, balances, storage) to another chain, Anvil's own account dumps.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "../rpc/helpers/counter.ts";
import { sendSigned, waitForReceipt } from "../rpc/helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

const STRANGER = "0x00000000000000000000000000000000000000c1";
const blockNumber = async (url: string) => BigInt(await call<string>(url, "eth_blockNumber"));
const hex = (value: bigint) => `0x${value.toString(16)}`;

let source: DevNode;
let counter: DeployedCounter;

before(async () => {
  source = await startDevNode();
  counter = await deployCounter(source.url);
  await counter.increment(9n);
  // A pending change too (not yet in a block): the dump is what "latest" reads.
  await call(source.url, "hardhat_setBalance", [STRANGER, hex(12345n)]);
});
after(() => source.close());

describe("anvil_dumpState and anvil_loadState", () => {
  it("carry a deployed contract, its storage and the balances to a fresh chain", async () => {
    const dump = await call<string>(source.url, "anvil_dumpState");
    assert.match(dump, /^0x1f8b/, "gzipped, hex-encoded, as Anvil answers");
    const target = await startDevNode();
    try {
      assert.equal(await call(target.url, "eth_getCode", [counter.address, "latest"]), "0x");
      assert.equal(await call(target.url, "anvil_loadState", [dump]), true);
      const read = (url: string, method: string, params: unknown[]) => call(url, method, [...params, "latest"]);
      for (const [method, params] of [
        ["eth_getCode", [counter.address]],
        ["eth_getStorageAt", [counter.address, "0x0"]],
        ["eth_getBalance", [STRANGER]],
        ["eth_getBalance", [DEV[0]!.address]],
        ["eth_getTransactionCount", [DEV[0]!.address]],
      ] as const) {
        assert.deepEqual(await read(target.url, method, [...params]), await read(source.url, method, [...params]), `${method} ${params.join(" ")}`);
      }
      assert.equal(BigInt(await call<string>(target.url, "eth_getStorageAt", [counter.address, "0x0", "latest"])), 9n);
      // The loaded state goes into the next block and stays: the contract keeps working on it.
      const receipt = await waitForReceipt(
        target.url,
        await sendSigned(target.url, DEV[0]!.key, { to: counter.address, data: counter.iface.encodeFunctionData("increment", [1n]), gasLimit: 200_000n }),
      );
      assert.equal(receipt.status, "0x1");
      assert.equal(BigInt(await call<string>(target.url, "eth_getStorageAt", [counter.address, "0x0", "latest"])), 10n);
      const block = await call<{ stateRoot: string }>(target.url, "eth_getBlockByNumber", ["latest", false]);
      assert.notEqual(block.stateRoot, (await call<{ stateRoot: string }>(target.url, "eth_getBlockByNumber", ["0x0", false])).stateRoot);
    } finally {
      await target.close();
    }
  });

  it("loads Anvil's account dump over the current state", async () => {
    const target = await startDevNode();
    try {
      const anvilDump = {
        accounts: {
          [STRANGER]: { nonce: 3, balance: "0xde0b6b3a7640000", code: "0x6001600055", storage: { "0x1": "0x2a" } },
        },
      };
      const encoded = `0x${Buffer.from(JSON.stringify(anvilDump)).toString("hex")}`;
      assert.equal(await call(target.url, "anvil_loadState", [encoded]), true);
      assert.equal(await call(target.url, "eth_getBalance", [STRANGER, "latest"]), "0xde0b6b3a7640000");
      assert.equal(await call(target.url, "eth_getTransactionCount", [STRANGER, "latest"]), "0x3");
      assert.equal(await call(target.url, "eth_getCode", [STRANGER, "latest"]), "0x6001600055");
      assert.equal(BigInt(await call<string>(target.url, "eth_getStorageAt", [STRANGER, "0x1", "latest"])), 42n);
      // The rest of the state is kept (Anvil merges).
      assert.equal(await call(target.url, "eth_getBalance", [DEV[5]!.address, "latest"]), await call(source.url, "eth_getBalance", [DEV[5]!.address, "latest"]));
    } finally {
      await target.close();
    }
  });

  it("refuses what is not a state dump, saying why", async () => {
    for (const [input, reason] of [
      [`0x${Buffer.from("not json").toString("hex")}`, "it is not JSON"],
      [`0x${Buffer.from('{"blocks":[]}').toString("hex")}`, 'want Concord\'s dump ("format": "concord-state-dump/1") or Anvil\'s (an "accounts" map)'],
      [`0x${Buffer.from('{"accounts":{"0x12":{}}}').toString("hex")}`, "account 0x12 is not an address"],
      [`0x${Buffer.from(`{"accounts":{"${STRANGER}":{"balance":"lots"}}}`).toString("hex")}`, `${STRANGER}.balance is not a non-negative integer`],
      [`0x${Buffer.from(`{"format":"concord-state-dump/1","stateRoot":"0x${"11".repeat(32)}","nodes":{}}`).toString("hex")}`, "the dump does not hold its state root's node"],
    ]) {
      const error = await callError(source.url, "anvil_loadState", [input]);
      assert.equal(error.code, -32602, reason);
      assert.equal(error.message, `not a state dump: ${reason}`);
    }
  });
});

describe("hardhat_reset", () => {
  it("goes back to genesis: blocks, balances, snapshots, time and impersonation are gone; mining goes on from block 1", async () => {
    const node = await startDevNode();
    try {
      const genesisBalance = await call<string>(node.url, "eth_getBalance", [DEV[1]!.address, "latest"]);
      await waitForReceipt(node.url, await sendSigned(node.url, DEV[1]!.key, { to: STRANGER, value: 5n }));
      await call(node.url, "hardhat_setBalance", [STRANGER, "0x99"]);
      const snapshot = await call<string>(node.url, "evm_snapshot");
      await call(node.url, "evm_increaseTime", [86_400]);
      await call(node.url, "hardhat_impersonateAccount", [STRANGER]);
      assert.ok((await blockNumber(node.url)) >= 1n);

      assert.equal(await call(node.url, "hardhat_reset", []), true);
      assert.equal(await blockNumber(node.url), 0n);
      assert.equal(await call(node.url, "eth_getBlockByNumber", ["0x1", false]), null);
      assert.equal(await call(node.url, "eth_getBalance", [DEV[1]!.address, "latest"]), genesisBalance);
      assert.equal(await call(node.url, "eth_getBalance", [STRANGER, "latest"]), "0x0");
      assert.equal(await call(node.url, "evm_revert", [snapshot]), false, "snapshots are gone");
      assert.equal(await call(node.url, "evm_increaseTime", [0]), "0", "the time offset is gone");
      assert.equal(await call(node.url, "hardhat_stopImpersonatingAccount", [STRANGER]), false, "impersonation is gone");

      const receipt = await waitForReceipt(node.url, await sendSigned(node.url, DEV[1]!.key, { to: STRANGER, value: 7n }));
      assert.equal(receipt.blockNumber, "0x1");
      assert.equal(await call(node.url, "anvil_reset", [{}]), null);
      assert.equal(await blockNumber(node.url), 0n);
    } finally {
      await node.close();
    }
  });

  it("refuses to fork", async () => {
    assert.deepEqual(await callError(source.url, "hardhat_reset", [{ forking: { jsonRpcUrl: "https://example.org" } }]), {
      code: -32602,
      message: "invalid argument 0: forking is not supported: a Concord devnet is its own chain (reset without options to go back to its genesis)",
    });
  });
});
