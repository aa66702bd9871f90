/** eth_call, eth_estimateGas and eth_sendRawTransaction, with reverts and refused transactions. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet } from "ethers";
import { call, callError } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let counter: DeployedCounter;

before(async () => {
  chain = await startTestChain();
  counter = await deployCounter(chain.url, 10n);
});
after(async () => {
  await chain.close();
});

const callTo = (data: string) => ({ from: DEV_ADDRESSES[0], to: counter.address, data });

describe("eth_call", () => {
  it("returns the call's output", async () => {
    assert.equal(BigInt(await call<string>(chain.url, "eth_call", [callTo(counter.iface.encodeFunctionData("limit")), "latest"])), 10n);
    assert.equal(BigInt(await call<string>(chain.url, "eth_call", [callTo(counter.iface.encodeFunctionData("divide", [9, 3]))])), 3n);
  });
  it("accepts `input` as well as `data`", async () => {
    const request = { to: counter.address, input: counter.iface.encodeFunctionData("limit") };
    assert.equal(BigInt(await call<string>(chain.url, "eth_call", [request, "latest"])), 10n);
  });
  it("answers Error(string) reverts with code 3, the reason and the revert data", async () => {
    const error = await callError(chain.url, "eth_call", [callTo(counter.iface.encodeFunctionData("fail", ["not today"])), "latest"]);
    assert.equal(error.code, 3);
    assert.equal(error.message, "execution reverted: not today");
    assert.equal(error.data, new (await import("ethers")).Interface(["error Error(string)"]).encodeErrorResult("Error", ["not today"]));
  });
  it("answers custom-error reverts with code 3 and data that decodes to the error and its arguments", async () => {
    const error = await callError(chain.url, "eth_call", [callTo(counter.iface.encodeFunctionData("increment", [11])), "latest"]);
    assert.equal(error.code, 3);
    assert.equal(error.message, "execution reverted");
    const decoded = counter.iface.parseError(error.data as string)!;
    assert.equal(decoded.name, "CounterTooLarge");
    assert.deepEqual([...decoded.args], [11n, 10n]);
  });
  it("names Solidity panics", async () => {
    const error = await callError(chain.url, "eth_call", [callTo(counter.iface.encodeFunctionData("divide", [1, 0])), "latest"]);
    assert.equal(error.code, 3);
    assert.equal(error.message, "execution reverted: division or modulo by zero");
  });
  it("refuses a chain id other than the node's, and malformed requests", async () => {
    assert.deepEqual(await callError(chain.url, "eth_call", [{ ...callTo("0x"), chainId: "0x1" }, "latest"]), {
      code: -32602,
      message: "invalid argument 0: chainId 1 does not match the node's 31337",
    });
    assert.deepEqual(await callError(chain.url, "eth_call", [{ to: "0x12" }, "latest"]), {
      code: -32602,
      message: "invalid argument 0: to: hex string has length 2, want 40 for an address",
    });
    // The third is the state override, the fourth geth's block overrides; no fifth.
    assert.deepEqual(await callError(chain.url, "eth_call", [{ to: counter.address }, "latest", {}, 1]), {
      code: -32602,
      message: "invalid argument 3: expected an object, got a number",
    });
    assert.deepEqual(await callError(chain.url, "eth_call", [{ to: counter.address }, "latest", {}, { blobBaseFee: "0x1" }]), {
      code: -32602,
      message: "invalid argument 3: unknown or unsupported block override field blobBaseFee (number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas)",
    });
    assert.deepEqual(await callError(chain.url, "eth_call", [{ to: counter.address }, "latest", {}, {}, {}]), {
      code: -32602,
      message: "too many arguments, want at most 4",
    });
  });
});

describe("eth_estimateGas", () => {
  it("estimates a transfer at 21000 and a contract call above it", async () => {
    assert.equal(await call(chain.url, "eth_estimateGas", [{ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[1], value: "0x1" }]), "0x5208");
    const estimate = BigInt(await call<string>(chain.url, "eth_estimateGas", [callTo(counter.iface.encodeFunctionData("increment", [1]))]));
    assert.ok(estimate > 21_000n && estimate < 200_000n, `estimate ${estimate}`);
  });
  it("answers a call that reverts at any gas with code 3 and the revert data", async () => {
    const error = await callError(chain.url, "eth_estimateGas", [callTo(counter.iface.encodeFunctionData("increment", [50]))]);
    assert.equal(error.code, 3);
    assert.equal(counter.iface.parseError(error.data as string)?.name, "CounterTooLarge");
  });
});

describe("eth_sendRawTransaction", () => {
  it("admits a signed transaction and returns its hash", async () => {
    const hash = await sendSigned(chain.url, DEV_KEYS[1], { to: DEV_ADDRESSES[2], value: 1n });
    assert.match(hash, /^0x[0-9a-f]{64}$/);
    assert.equal((await waitForReceipt(chain.url, hash)).status, "0x1");
  });
  it("refuses bytes that are not a transaction with -32602", async () => {
    const error = await callError(chain.url, "eth_sendRawTransaction", ["0xdeadbeef"]);
    assert.equal(error.code, -32602);
    assert.deepEqual(await callError(chain.url, "eth_sendRawTransaction", ["0x"]), { code: -32602, message: "invalid argument 0: empty transaction" });
    assert.deepEqual(await callError(chain.url, "eth_sendRawTransaction", ["0xabc"]), { code: -32602, message: "invalid argument 0: hex string has odd length" });
  });
  it("passes the pool's refusals through in geth's words (-32000)", async () => {
    const tooLow = await callError(chain.url, "eth_sendRawTransaction", [
      await new Wallet(DEV_KEYS[0]).signTransaction({ type: 2, chainId: 31337n, nonce: 0, to: DEV_ADDRESSES[1], gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n }),
    ]);
    assert.equal(tooLow.code, -32000);
    assert.match(tooLow.message, /^nonce too low/);
    const pauper = Wallet.createRandom();
    const broke = await callError(chain.url, "eth_sendRawTransaction", [
      await pauper.signTransaction({ type: 2, chainId: 31337n, nonce: 0, to: DEV_ADDRESSES[1], value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n }),
    ]);
    assert.equal(broke.code, -32000);
    assert.match(broke.message, /^insufficient funds for gas \* price \+ value/);
  });
});
