/**
 * No eth_call can stall the node: calls run on worker threads with a gas cap and a wall-clock
 * limit, and the node keeps answering and committing blocks while one runs.
 *
 * The contract-free way to run code in eth_call: a request without `to` runs its data as init code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError, rpc } from "./helpers/rpcClient.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type TestChain } from "./helpers/testChain.ts";

/** JUMPDEST PUSH1 0 JUMP: loops until the gas runs out (or forever, as far as a client can tell). */
const ENDLESS_LOOP = "0x5b600056";
/** GAS PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns the gas left when it starts. */
const RETURN_GAS_LEFT = "0x5a60005260206000f3";
const hex = (value: bigint) => `0x${value.toString(16)}`;

describe("gas cap (geth's --rpc.gascap)", () => {
  let chain: TestChain;
  before(async () => {
    chain = await startTestChain();
  });
  after(async () => {
    await chain.close();
  });

  it("runs a call asking for 2^64-1 gas with 50,000,000 at most, as geth does", async () => {
    const left = BigInt(await call<string>(chain.url, "eth_call", [{ data: RETURN_GAS_LEFT, gas: hex(2n ** 64n - 1n) }, "latest"]));
    assert.ok(left <= 50_000_000n && left > 49_000_000n, `gas left ${left}`);
    const asked = BigInt(await call<string>(chain.url, "eth_call", [{ data: RETURN_GAS_LEFT, gas: hex(100_000n) }, "latest"]));
    assert.ok(asked < 100_000n && asked > 40_000n, `gas left ${asked}`);
  });

  it("answers an endless loop asking for 10^9 gas with out of gas at the cap, while the node keeps answering and committing", async () => {
    let settled = false;
    const loop = rpc(chain.url, "eth_call", [{ data: ENDLESS_LOOP, gas: hex(10n ** 9n) }, "latest"]).finally(() => (settled = true));
    // The loop runs on a worker: everything else is served meanwhile, block production included.
    const head = BigInt(await call<string>(chain.url, "eth_blockNumber"));
    const hash = await sendSigned(chain.url, DEV_KEYS[0], { to: DEV_ADDRESSES[1], value: 1n });
    const receipt = await waitForReceipt(chain.url, hash);
    assert.ok(BigInt(receipt.blockNumber) > head);
    assert.equal(settled, false, "the 50M-gas loop finished before a transfer was committed: it cannot show that calls run beside blocks");
    assert.deepEqual((await loop).error, { code: -32000, message: "out of gas" });
  });

  it("caps eth_estimateGas's search at the same gas", async () => {
    const error = await callError(chain.url, "eth_estimateGas", [{ data: ENDLESS_LOOP, gas: hex(2n ** 64n - 1n) }]);
    assert.equal(error.code, -32000);
    assert.match(error.message, /^gas required exceeds allowance \(50000000\)/);
  });
});

describe("time limit per call (geth's --rpc.evmtimeout)", () => {
  let chain: TestChain;
  before(async () => {
    // A gas cap no loop reaches in a test's time: only the clock stops it.
    chain = await startTestChain({ calls: { gasCap: 2n ** 62n, timeoutMs: 400, workers: 1, maxQueued: 1 } });
  });
  after(async () => {
    await chain.close();
  });

  it("stops a call at the limit with an error naming it, then serves calls again", async () => {
    const started = Date.now();
    const error = await callError(chain.url, "eth_call", [{ data: ENDLESS_LOOP, gas: hex(2n ** 62n) }, "latest"]);
    assert.deepEqual(error, {
      code: -32000,
      message: "execution aborted (timeout = 0.4s): the call ran past the node's time limit for one call; lower its gas, or raise the limit with --rpc-evmtimeout",
    });
    assert.ok(Date.now() - started < 5_000);
    const left = BigInt(await call<string>(chain.url, "eth_call", [{ data: RETURN_GAS_LEFT, gas: hex(60_000n) }, "latest"]));
    assert.ok(left > 0n && left < 60_000n);
  });

  it("stops eth_estimateGas and debug traces the same way", async () => {
    const error = await callError(chain.url, "eth_estimateGas", [{ data: ENDLESS_LOOP, gas: hex(2n ** 62n) }]);
    assert.match(error.message, /^execution aborted \(timeout = 0\.4s\)/);
  });

  it("refuses calls past the queue with -32005 instead of piling them up", async () => {
    // One worker, one place in the queue: the third concurrent call is refused at once.
    const calls = [0, 1, 2].map(() => rpc(chain.url, "eth_call", [{ data: ENDLESS_LOOP, gas: hex(2n ** 62n) }, "latest"]));
    const answers = await Promise.all(calls);
    const refused = answers.filter((answer) => answer.error?.code === -32005);
    assert.equal(refused.length, 1, JSON.stringify(answers));
    assert.match(refused[0]!.error!.message, /^too many calls in progress \(1 running, 1 waiting\); try again shortly$/);
    assert.equal(answers.filter((answer) => /^execution aborted/.test(answer.error?.message ?? "")).length, 2);
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
});
