/**
 * geth's tracers through ethers, as a debugging tool would call them: prestateTracer (and diff mode),
 * callTracer's onlyTopCall and withLog, debug_traceCall with state and block overrides,
 * debug_traceBlockByNumber / ByHash, and eth_call's block overrides. Every traced value is checked
 * against the chain itself (balances, nonces, storage before and after), not only its shape.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, zeroPadValue, toBeHex } from "ethers";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { sendSigned } from "./helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "../dev/helpers/devNode.ts";

let devnet: DevNode;
let provider: JsonRpcProvider;
let counter: DeployedCounter;
/** Two increments (by 3, then by 4) from two senders, mined together in one block. */
let block: { number: number; hash: string; txs: [string, string] };

const SLOT0 = zeroPadValue("0x", 32);
const word = (value: bigint) => zeroPadValue(toBeHex(value), 32);
type Account = { balance?: string; nonce?: number; code?: string; storage?: Record<string, string> };

before(async () => {
  devnet = await startDevNode();
  provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
  counter = await deployCounter(devnet.url);
  await provider.send("evm_setAutomine", [false]);
  const first = await sendSigned(devnet.url, DEV[1]!.key, { to: counter.address, data: counter.iface.encodeFunctionData("increment", [3n]), gasLimit: 200_000n });
  const second = await sendSigned(devnet.url, DEV[2]!.key, { to: counter.address, data: counter.iface.encodeFunctionData("increment", [4n]), gasLimit: 200_000n });
  await provider.send("evm_mine", []);
  await provider.send("evm_setAutomine", [true]);
  const receipt = (await provider.getTransactionReceipt(second))!;
  assert.equal((await provider.getTransactionReceipt(first))!.blockNumber, receipt.blockNumber, "both increments in one block");
  block = { number: receipt.blockNumber, hash: receipt.blockHash, txs: [first, second] };
});
after(async () => {
  provider.destroy();
  await devnet.close();
});

const lower = (address: string) => address.toLowerCase();

describe("prestateTracer", () => {
  it("reports what the second transaction of a block touched, as it was after the first", async () => {
    const pre = await provider.send("debug_traceTransaction", [block.txs[1], { tracer: "prestateTracer" }]);
    const sender = lower(DEV[2]!.address);
    const atParent = block.number - 1;
    // The counter read 3 (the block's first transaction ran before it), not the parent block's 0.
    assert.deepEqual(pre[lower(counter.address)].storage, { [SLOT0]: word(3n) });
    assert.equal(pre[lower(counter.address)].code, await provider.getCode(counter.address));
    assert.equal(BigInt(pre[sender].balance), await provider.getBalance(sender, atParent));
    assert.equal(pre[sender].nonce ?? 0, await provider.getTransactionCount(sender, atParent));
    const coinbase = lower((await provider.getBlock(block.number))!.miner);
    assert.ok(coinbase in pre, "the fee recipient is touched");
  });

  it("in diff mode reports what changed: pre with the changed slots only, post with the changed fields only", async () => {
    const { pre, post } = await provider.send("debug_traceTransaction", [block.txs[0], { tracer: "prestateTracer", tracerConfig: { diffMode: true } }]);
    const sender = lower(DEV[1]!.address);
    const target = lower(counter.address);
    assert.deepEqual(post[target], { storage: { [SLOT0]: word(3n) } });
    // Before: the slot was zero, which geth leaves out of `pre`; code and balance of the modified account stay.
    assert.equal(pre[target].storage, undefined);
    assert.equal(pre[target].code, await provider.getCode(counter.address));
    assert.equal(BigInt(post[sender].balance) < BigInt(pre[sender].balance), true);
    assert.equal(post[sender].nonce, (pre[sender].nonce ?? 0) + 1);
    assert.equal(post[sender].code, undefined, "unchanged fields are not in post");
  });

  it("of a whole block, matches the per-transaction traces", async () => {
    const traces = await provider.send("debug_traceBlockByNumber", [toBeHex(block.number), { tracer: "prestateTracer" }]);
    assert.deepEqual(
      traces.map((t: { txHash: string }) => t.txHash),
      block.txs,
    );
    for (const [i, hash] of block.txs.entries()) {
      assert.deepEqual(traces[i].result, await provider.send("debug_traceTransaction", [hash, { tracer: "prestateTracer" }]));
    }
  });
});

describe("callTracer options", () => {
  it("withLog puts each frame's events in it, as the receipt has them", async () => {
    const frame = await provider.send("debug_traceTransaction", [block.txs[1], { tracer: "callTracer", tracerConfig: { withLog: true } }]);
    const receipt = (await provider.getTransactionReceipt(block.txs[1]))!;
    assert.deepEqual(
      frame.logs.map((log: { address: string; topics: string[]; data: string; position: string }) => [log.address, log.topics, log.data, log.position]),
      receipt.logs.map((log) => [lower(log.address), [...log.topics], log.data, "0x0"]),
    );
  });

  it("onlyTopCall leaves nested calls out; a failed frame's logs are dropped", async () => {
    const frame = await provider.send("debug_traceCall", [
      { from: DEV[3]!.address, to: counter.address, data: counter.iface.encodeFunctionData("increment", [500n]) },
      "latest",
      { tracer: "callTracer", tracerConfig: { withLog: true, onlyTopCall: true } },
    ]);
    assert.equal(frame.error, "execution reverted");
    assert.equal(frame.logs, undefined);
    assert.equal(frame.calls, undefined);
  });
});

describe("debug_traceCall", () => {
  it("traces a call on the chosen block's state, with its output", async () => {
    const request = { from: DEV[3]!.address, to: counter.address, data: counter.iface.encodeFunctionData("count") };
    const atBlock = await provider.send("debug_traceCall", [request, toBeHex(block.number), { tracer: "callTracer" }]);
    const before = await provider.send("debug_traceCall", [request, toBeHex(block.number - 1), { tracer: "callTracer" }]);
    assert.equal(atBlock.output, word(7n));
    assert.equal(before.output, word(0n));
    const logs = await provider.send("debug_traceCall", [request, "latest"]);
    assert.equal(logs.returnValue, word(7n));
    assert.ok(logs.structLogs.some((log: { op: string }) => log.op === "SLOAD"));
  });

  it("takes state overrides and block overrides", async () => {
    const request = { from: DEV[3]!.address, to: counter.address, data: counter.iface.encodeFunctionData("increment", [5n]) };
    // With the count overridden to 99, the increment passes the limit (100) and reverts.
    const overridden = await provider.send("debug_traceCall", [
      request,
      "latest",
      { tracer: "callTracer", stateOverrides: { [counter.address]: { stateDiff: { [SLOT0]: word(99n) } } } },
    ]);
    assert.equal(overridden.error, "execution reverted");
    assert.equal(overridden.output, counter.iface.encodeErrorResult("CounterTooLarge", [104n, 100n]));
    // TIMESTAMP seen by the traced call: init code that returns it.
    const traced = await provider.send("debug_traceCall", [{ data: "0x425f5260205ff3" }, "latest", { tracer: "callTracer", blockOverrides: { time: "0x77359400" } }]);
    assert.equal(traced.output, word(2_000_000_000n));
  });

  it("names a malformed option", async () => {
    const request = { to: counter.address };
    await assert.rejects(provider.send("debug_traceCall", [request, "latest", { tracer: "4byteTracer" }]), (error: { error?: { code: number; message: string } }) => {
      assert.equal(error.error?.code, -32602);
      assert.match(error.error!.message, /tracer "4byteTracer" is not supported/);
      return true;
    });
    await assert.rejects(provider.send("debug_traceCall", [request, "latest", { tracer: "prestateTracer", tracerConfig: { diffMode: "yes" } }]), (error: { error?: { message: string } }) => {
      assert.equal(error.error?.message, "invalid argument 2: tracerConfig.diffMode: expected a boolean, got a string");
      return true;
    });
  });
});

describe("debug_traceBlockByNumber and debug_traceBlockByHash", () => {
  it("trace every transaction of the block in order, by number, tag or hash alike", async () => {
    const byNumber = await provider.send("debug_traceBlockByNumber", [toBeHex(block.number), { tracer: "callTracer" }]);
    const byHash = await provider.send("debug_traceBlockByHash", [block.hash, { tracer: "callTracer" }]);
    assert.deepEqual(byHash, byNumber);
    assert.deepEqual(
      byNumber.map((entry: { txHash: string; result: { to: string; gasUsed: string } }) => [entry.txHash, entry.result.to]),
      block.txs.map((hash) => [hash, lower(counter.address)]),
    );
    for (const [i, hash] of block.txs.entries()) {
      assert.equal(BigInt(byNumber[i].result.gasUsed), (await provider.getTransactionReceipt(hash))!.gasUsed);
    }
  });

  it("refuse the genesis block and unknown blocks", async () => {
    const failure = async (method: string, params: unknown[]) => {
      try {
        await provider.send(method, params);
      } catch (error) {
        return (error as { error?: { code: number; message: string } }).error;
      }
      assert.fail(`${method} answered`);
    };
    assert.deepEqual(await failure("debug_traceBlockByNumber", ["0x0"]), { code: -32000, message: "genesis is not traceable" });
    const unknown = `0x${"ab".repeat(32)}`;
    assert.deepEqual(await failure("debug_traceBlockByHash", [unknown]), { code: -32000, message: `block ${unknown} not found` });
    assert.deepEqual(await failure("debug_traceBlockByNumber", ["0xffffff"]), { code: -32000, message: "block 16777215 not found" });
  });
});

describe("eth_call block overrides", () => {
  // Init code returning one opcode's value: NUMBER, TIMESTAMP, COINBASE, GASLIMIT, BASEFEE, PREVRANDAO.
  const returning = (opcode: string) => `0x${opcode}5f5260205ff3`;
  it("each field replaces what the call sees of its block", async () => {
    const overrides = {
      number: "0x3039",
      time: "0x77359400",
      feeRecipient: "0x00000000000000000000000000000000000000fe",
      gasLimit: "0x1c9c380",
      baseFeePerGas: "0x7",
      prevRandao: word(42n),
    };
    const read = (opcode: string) => provider.send("eth_call", [{ data: returning(opcode) }, "latest", {}, overrides]);
    assert.equal(await read("43"), word(0x3039n));
    assert.equal(await read("42"), word(2_000_000_000n));
    assert.equal(await read("41"), zeroPadValue(overrides.feeRecipient, 32));
    assert.equal(await read("45"), word(30_000_000n));
    // A call without fee fields runs at base fee 0 (geth's rule, so it needs no balance); with them, BASEFEE is the override.
    const basefee = { from: DEV[3]!.address, maxFeePerGas: "0x10", maxPriorityFeePerGas: "0x0", data: returning("48") };
    assert.equal(await provider.send("eth_call", [basefee, "latest", {}, overrides]), word(7n));
    assert.equal(await read("44"), word(42n));
    // Without overrides, the latest block's own values.
    assert.equal(await provider.send("eth_call", [{ data: returning("43") }, "latest"]), word(BigInt(await provider.getBlockNumber())));
  });
});
