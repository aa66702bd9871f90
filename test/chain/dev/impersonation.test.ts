/** hardhat_impersonateAccount: eth_sendTransaction from an address the node has no key for. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Transaction, Wallet } from "ethers";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "../rpc/helpers/counter.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let url: string;
let counter: DeployedCounter;
const TO = "0x00000000000000000000000000000000000000a1";
const SYSTEM = "0xfffffffffffffffffffffffffffffffffffffffe";

before(async () => {
  devnet = await startDevNode();
  url = devnet.url;
  counter = await deployCounter(url);
});
after(() => devnet.close());

interface TxJson {
  from: string;
  hash: string;
  r: string;
  s: string;
  blockNumber: string | null;
  type: string;
}

async function fundedStranger(): Promise<string> {
  const address = Wallet.createRandom().address.toLowerCase();
  await call(url, "hardhat_setBalance", [address, `0x${(10n ** 18n).toString(16)}`]);
  return address;
}

describe("hardhat_impersonateAccount", () => {
  it("lets eth_sendTransaction send from the account, executed as it", async () => {
    const stranger = await fundedStranger();
    assert.equal(await call(url, "hardhat_impersonateAccount", [stranger]), true);
    const hash = await call<string>(url, "eth_sendTransaction", [{ from: stranger, to: counter.address, data: counter.iface.encodeFunctionData("increment", [3]) }]);
    const receipt = await call<{ from: string; status: string; logs: { topics: string[] }[] }>(url, "eth_getTransactionReceipt", [hash]);
    assert.equal(receipt.from, stranger);
    assert.equal(receipt.status, "0x1");
    // Incremented(by) names the sender the contract saw.
    assert.equal(`0x${receipt.logs[0]!.topics[1]!.slice(26)}`, stranger);
    assert.equal(await call(url, "eth_getTransactionCount", [stranger, "latest"]), "0x1");
  });

  it("gives the transaction a hash of its own per sender, and client-valid signature fields", async () => {
    const first = await fundedStranger();
    const second = await fundedStranger();
    await call(url, "hardhat_impersonateAccount", [first]);
    await call(url, "hardhat_impersonateAccount", [second]);
    const request = { to: TO, value: "0x1", gas: "0x5208", maxFeePerGas: "0x174876e800", maxPriorityFeePerGas: "0x3b9aca00", nonce: "0x0" };
    const a = await call<string>(url, "eth_sendTransaction", [{ ...request, from: first }]);
    const b = await call<string>(url, "eth_sendTransaction", [{ ...request, from: second }]);
    assert.notEqual(a, b);
    const tx = await call<TxJson>(url, "eth_getTransactionByHash", [a]);
    assert.equal(tx.from, first);
    assert.ok(BigInt(tx.r) > 0n && BigInt(tx.s) === 1n);
    const raw = await call<string>(url, "eth_getRawTransactionByHash", [a]);
    assert.equal(Transaction.from(raw).hash, a);
  });

  it("is how a test calls a contract as its system caller", async () => {
    await call(url, "hardhat_impersonateAccount", [SYSTEM]);
    await call(url, "hardhat_setBalance", [SYSTEM, "0xde0b6b3a7640000"]);
    const hash = await call<string>(url, "eth_sendTransaction", [{ from: SYSTEM, to: TO, value: "0x2" }]);
    assert.equal((await call<{ from: string }>(url, "eth_getTransactionReceipt", [hash])).from, SYSTEM);
    await call(url, "hardhat_stopImpersonatingAccount", [SYSTEM]);
  });

  it("counts waiting impersonated transactions in the pending nonce, and mines them in order", async () => {
    const stranger = await fundedStranger();
    await call(url, "hardhat_impersonateAccount", [stranger]);
    await call(url, "evm_setAutomine", [false]);
    try {
      const first = await call<string>(url, "eth_sendTransaction", [{ from: stranger, to: TO, value: "0x1" }]);
      assert.equal(await call(url, "eth_getTransactionCount", [stranger, "pending"]), "0x1");
      const second = await call<string>(url, "eth_sendTransaction", [{ from: stranger, to: TO, value: "0x1" }]);
      assert.equal((await call<TxJson>(url, "eth_getTransactionByHash", [first])).blockNumber, null);
      await call(url, "evm_mine");
      const [a, b] = await Promise.all([first, second].map((hash) => call<{ blockNumber: string; transactionIndex: string }>(url, "eth_getTransactionReceipt", [hash])));
      assert.equal(a!.blockNumber, b!.blockNumber);
      assert.deepEqual([a!.transactionIndex, b!.transactionIndex], ["0x0", "0x1"]);
    } finally {
      await call(url, "evm_setAutomine", [true]);
    }
  });

  it("refuses what the pool would refuse: a sender that cannot pay", async () => {
    const broke = Wallet.createRandom().address.toLowerCase();
    await call(url, "hardhat_impersonateAccount", [broke]);
    const error = await callError(url, "eth_sendTransaction", [{ from: broke, to: TO, value: "0x1", gas: "0x5208" }]);
    assert.equal(error.code, -32000);
    assert.match(error.message, /^insufficient funds for gas \* price \+ value/);
  });

  it("fails the submission with the revert of a reverted impersonated transaction", async () => {
    const stranger = await fundedStranger();
    await call(url, "hardhat_impersonateAccount", [stranger]);
    const error = await callError(url, "eth_sendTransaction", [
      { from: stranger, to: counter.address, data: counter.iface.encodeFunctionData("increment", [10_000]), gas: "0x186a0" },
    ]);
    assert.equal(error.code, 3);
    assert.equal(counter.iface.parseError(error.data as string)?.name, "CounterTooLarge");
  });

  it("survives a trace: debug_traceTransaction replays it as its sender", async () => {
    const stranger = await fundedStranger();
    await call(url, "hardhat_impersonateAccount", [stranger]);
    const hash = await call<string>(url, "eth_sendTransaction", [{ from: stranger, to: counter.address, data: counter.iface.encodeFunctionData("increment", [1]) }]);
    const frame = await call<{ from: string; to: string; error?: string }>(url, "debug_traceTransaction", [hash, { tracer: "callTracer" }]);
    assert.deepEqual([frame.from, frame.to, frame.error], [stranger, counter.address, undefined]);
  });

  it("sends from an address that holds code (a Timelock, a Safe), as Hardhat and Anvil do, and mines it", async () => {
    // The counter contract itself as the sender: EIP-3607 would refuse it on a real chain.
    const contract = counter.address.toLowerCase();
    await call(url, "hardhat_setBalance", [contract, `0x${(10n ** 18n).toString(16)}`]);
    await call(url, "hardhat_impersonateAccount", [contract]);
    const toBefore = BigInt(await call<string>(url, "eth_getBalance", [TO, "latest"]));
    const transfer = await call<string>(url, "eth_sendTransaction", [{ from: contract, to: TO, value: "0x5" }]);
    const receipt = await call<{ status: string; from: string } | null>(url, "eth_getTransactionReceipt", [transfer]);
    assert.equal(receipt?.status, "0x1");
    assert.equal(receipt?.from, contract);
    assert.equal(BigInt(await call<string>(url, "eth_getBalance", [TO, "latest"])), toBefore + 5n);
    // A call from the contract to itself runs its real code (Incremented names itself as the caller).
    const before = BigInt(await call<string>(url, "eth_call", [{ to: counter.address, data: counter.iface.encodeFunctionData("count") }, "latest"]));
    const selfCall = await call<string>(url, "eth_sendTransaction", [{ from: contract, to: contract, data: counter.iface.encodeFunctionData("increment", [2]) }]);
    const selfReceipt = await call<{ status: string; logs: { topics: string[] }[] }>(url, "eth_getTransactionReceipt", [selfCall]);
    assert.equal(selfReceipt.status, "0x1");
    assert.equal(`0x${selfReceipt.logs[0]!.topics[1]!.slice(26)}`, contract);
    assert.equal(BigInt(await call<string>(url, "eth_call", [{ to: counter.address, data: counter.iface.encodeFunctionData("count") }, "latest"])), before + 2n);
    // Its code is untouched, and traces replay it.
    assert.notEqual(await call(url, "eth_getCode", [contract, "latest"]), "0x");
    const frame = await call<{ from: string; to: string }>(url, "debug_traceTransaction", [selfCall, { tracer: "callTracer" }]);
    assert.equal(frame.from, contract);
    await call(url, "hardhat_stopImpersonatingAccount", [contract]);
  });

  it("stops with hardhat_stopImpersonatingAccount: true if it was impersonated, false otherwise", async () => {
    const stranger = await fundedStranger();
    await call(url, "hardhat_impersonateAccount", [stranger]);
    assert.equal(await call(url, "hardhat_stopImpersonatingAccount", [stranger]), true);
    assert.equal(await call(url, "hardhat_stopImpersonatingAccount", [stranger]), false);
    const error = await callError(url, "eth_sendTransaction", [{ from: stranger, to: TO, value: "0x1" }]);
    assert.deepEqual(error, { code: -32000, message: `unknown account ${stranger}: this node signs only for its dev accounts (eth_accounts)` });
  });

  it("leaves dev accounts signed with their keys, and answers null through the Anvil names", async () => {
    assert.equal(await call(url, "anvil_impersonateAccount", [DEV[0]!.address]), null);
    const hash = await call<string>(url, "eth_sendTransaction", [{ from: DEV[0]!.address, to: TO, value: "0x1" }]);
    const raw = await call<string>(url, "eth_getRawTransactionByHash", [hash]);
    assert.equal(Transaction.from(raw).from?.toLowerCase(), DEV[0]!.address);
    assert.equal(await call(url, "anvil_stopImpersonatingAccount", [DEV[0]!.address]), null);
  });

  it("names a malformed address", async () => {
    assert.deepEqual(await callError(url, "hardhat_impersonateAccount", ["0xzz"]), { code: -32602, message: "invalid argument 0: invalid hex string" });
  });
});
