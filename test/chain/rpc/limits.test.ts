/** The server's limits refuse with -32005 and a message that says which limit, and leave others served. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { call, callError, WsClient } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { startTestChain, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let counter: DeployedCounter;

before(async () => {
  chain = await startTestChain({
    rpc: {
      maxConnections: 2,
      maxSubscriptionsPerConnection: 2,
      filters: { maxFilters: 2 },
      limits: { maxLogResults: 1, maxLogBlockRange: 2, maxFeeHistoryBlocks: 2 },
    },
  });
  counter = await deployCounter(chain.url);
  await counter.increment(1n);
  await counter.increment(1n);
});
after(async () => {
  await chain.close();
});

describe("log query limits", () => {
  it("refuses a query with more results than allowed", async () => {
    // The last two blocks hold one Incremented log each.
    const head = BigInt(await call<string>(chain.url, "eth_blockNumber"));
    const range = { fromBlock: `0x${(head - 1n).toString(16)}`, toBlock: `0x${head.toString(16)}`, address: counter.address };
    assert.deepEqual(await callError(chain.url, "eth_getLogs", [range]), {
      code: -32005,
      message: "query returned more than 1 results; narrow the block range or the criteria",
    });
  });
  it("refuses a block range wider than allowed", async () => {
    assert.deepEqual(await callError(chain.url, "eth_getLogs", [{ fromBlock: "0x0", toBlock: "0x2" }]), {
      code: -32005,
      message: "block range too wide: 3 blocks, at most 2",
    });
  });
});

describe("eth_feeHistory", () => {
  it("caps the number of blocks it reports", async () => {
    const history = await call<{ gasUsedRatio: number[] }>(chain.url, "eth_feeHistory", ["0x10", "latest", []]);
    assert.equal(history.gasUsedRatio.length, 2);
  });
});

describe("filters and subscriptions", () => {
  it("refuses more filters than allowed until one is uninstalled", async () => {
    const first = await call<string>(chain.url, "eth_newBlockFilter");
    await call(chain.url, "eth_newBlockFilter");
    assert.deepEqual(await callError(chain.url, "eth_newBlockFilter"), {
      code: -32005,
      message: "too many filters installed (at most 2); uninstall unused ones",
    });
    assert.equal(await call(chain.url, "eth_uninstallFilter", [first]), true);
    assert.match(await call<string>(chain.url, "eth_newPendingTransactionFilter"), /^0x[0-9a-f]{32}$/);
  });
  it("refuses more subscriptions on one connection than allowed", async () => {
    const client = await WsClient.connect(chain.wsUrl);
    try {
      await client.call("eth_subscribe", ["newHeads"]);
      await client.call("eth_subscribe", ["newHeads"]);
      assert.deepEqual((await client.request("eth_subscribe", ["newHeads"])).error, {
        code: -32005,
        message: "too many subscriptions on this connection (at most 2)",
      });
    } finally {
      await client.close();
    }
  });
  it("refuses WebSocket connections past the limit and serves HTTP meanwhile", async () => {
    const first = await WsClient.connect(chain.wsUrl);
    const second = await WsClient.connect(chain.wsUrl);
    try {
      const refused = new WebSocket(chain.wsUrl);
      const status = await new Promise<number | undefined>((resolve) => {
        refused.once("unexpected-response", (_request, response) => resolve(response.statusCode));
        refused.once("error", () => resolve(undefined));
      });
      assert.equal(status, 503);
      assert.equal(await call(chain.url, "eth_chainId"), "0x7a69");
    } finally {
      await first.close();
      await second.close();
    }
  });
});
