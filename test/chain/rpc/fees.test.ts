/** eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "./helpers/rpcClient.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;

before(async () => {
  chain = await startTestChain();
  await waitForReceipt(chain.url, await sendSigned(chain.url, DEV_KEYS[0], { to: DEV_ADDRESSES[1], value: 1n }));
});
after(async () => {
  await chain.close();
});

describe("fee suggestions", () => {
  it("suggests the next base fee plus the tip as the legacy gas price", async () => {
    const gasPrice = BigInt(await call<string>(chain.url, "eth_gasPrice"));
    const tip = BigInt(await call<string>(chain.url, "eth_maxPriorityFeePerGas"));
    assert.equal(gasPrice, chain.backend.nextBaseFee() + tip);
    assert.equal(tip, chain.backend.suggestedPriorityFee());
  });
});

describe("eth_blobBaseFee", () => {
  it("answers the next block's blob base fee from the head's excess blob gas (1 wei while no blobs were sent)", async () => {
    const head = await call<{ excessBlobGas: string }>(chain.url, "eth_getBlockByNumber", ["latest", false]);
    assert.equal(head.excessBlobGas, "0x0");
    assert.equal(await call(chain.url, "eth_blobBaseFee"), "0x1");
    assert.deepEqual(await callError(chain.url, "eth_blobBaseFee", ["latest"]), { code: -32602, message: "too many arguments, want at most 0" });
  });
});

describe("eth_feeHistory", () => {
  it("returns base fees (one more than blocks), used ratios and reward percentiles", async () => {
    const head = BigInt(await call<string>(chain.url, "eth_blockNumber"));
    const history = await call<{ oldestBlock: string; baseFeePerGas: string[]; gasUsedRatio: number[]; reward: string[][] }>(
      chain.url,
      "eth_feeHistory",
      ["0x2", "latest", [25, 75]],
    );
    const blocks = head >= 1n ? 2 : 1;
    assert.equal(BigInt(history.oldestBlock), head - BigInt(blocks) + 1n);
    assert.equal(history.baseFeePerGas.length, blocks + 1);
    assert.equal(history.gasUsedRatio.length, blocks);
    assert.equal(history.reward.length, blocks);
    assert.equal(history.reward[0]!.length, 2);
    for (const fee of history.baseFeePerGas) assert.match(fee, /^0x[0-9a-f]+$/);
  });
  it("takes a decimal block count and leaves reward out without percentiles", async () => {
    const history = await call<Record<string, unknown>>(chain.url, "eth_feeHistory", [1, "latest"]);
    assert.equal("reward" in history, false);
    assert.deepEqual(await call(chain.url, "eth_feeHistory", ["0x0", "latest", []]), { oldestBlock: "0x0", baseFeePerGas: [], gasUsedRatio: [] });
  });
  it("refuses a future block and bad percentiles", async () => {
    const future = await callError(chain.url, "eth_feeHistory", ["0x1", "0xffffff", []]);
    assert.equal(future.code, -32602);
    assert.match(future.message, /^invalid argument 1: block 16777215 is beyond the head \d+$/);
    assert.deepEqual(await callError(chain.url, "eth_feeHistory", ["0x1", "latest", [90, 10]]), {
      code: -32602,
      message: "invalid argument 2: invalid reward percentile: #0:90 > #1:10",
    });
  });
});
