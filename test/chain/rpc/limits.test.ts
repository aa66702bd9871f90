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

describe("log criteria budget", () => {
  let budgeted: TestChain;
  before(async () => {
    budgeted = await startTestChain({ rpc: { maxLogCriteriaEntries: 12_000 } });
  });
  after(async () => {
    await budgeted.close();
  });

  const word = (seed: number, bytes: number) => `0x${seed.toString(16).padStart(bytes * 2, "0")}`;
  /** The request of the memory attack: 1,000 addresses and 4 x 1,000 topics (5,000 entries, ~330 KB). */
  const heavyCriteria = (seed: number) => ({
    address: Array.from({ length: 1_000 }, (_, i) => word(seed * 100_000 + i, 20)),
    topics: [0, 1, 2, 3].map((position) => Array.from({ length: 1_000 }, (_, i) => word(seed * 100_000 + position * 1_000 + i, 32))),
  });

  it("refuses a filter past the budget with -32005 naming it, until another is uninstalled", async () => {
    const first = await call<string>(budgeted.url, "eth_newFilter", [heavyCriteria(1)]);
    await call<string>(budgeted.url, "eth_newFilter", [heavyCriteria(2)]);
    assert.deepEqual(await callError(budgeted.url, "eth_newFilter", [heavyCriteria(3)]), {
      code: -32005,
      message:
        "log filters and subscriptions would hold more than 12000 addresses and topics (10000 installed, this one has 5000); uninstall unused filters or narrow the criteria",
    });
    // Small filters still fit, and uninstalling gives the budget back.
    assert.match(await call<string>(budgeted.url, "eth_newFilter", [{ address: word(7, 20) }]), /^0x[0-9a-f]{32}$/);
    assert.equal(await call(budgeted.url, "eth_uninstallFilter", [first]), true);
    const third = await call<string>(budgeted.url, "eth_newFilter", [heavyCriteria(3)]);
    assert.deepEqual(await call(budgeted.url, "eth_getFilterChanges", [third]), []);
  });

  it("charges log subscriptions to the same budget and gives it back when the connection closes", async () => {
    const client = await WsClient.connect(budgeted.wsUrl);
    try {
      const refused = await client.request("eth_subscribe", ["logs", heavyCriteria(4)]);
      assert.equal(refused.error?.code, -32005);
      assert.match(refused.error!.message, /^log filters and subscriptions would hold more than 12000 addresses and topics/);
      assert.match(await client.call<string>("eth_subscribe", ["logs", { address: word(8, 20) }]), /^0x[0-9a-f]{32}$/);
    } finally {
      await client.close();
    }
  });

  it("refuses one filter with more than 1,000 addresses or topic alternatives with -32602 naming the limit", async () => {
    const tooManyAddresses = await callError(budgeted.url, "eth_newFilter", [{ address: Array.from({ length: 1_001 }, (_, i) => word(i, 20)) }]);
    assert.equal(tooManyAddresses.code, -32602);
    assert.match(tooManyAddresses.message, /array has 1001 entries, at most 1000 allowed/);
    const tooManyTopics = await callError(budgeted.url, "eth_newFilter", [{ topics: [Array.from({ length: 1_001 }, (_, i) => word(i, 32))] }]);
    assert.equal(tooManyTopics.code, -32602);
    assert.match(tooManyTopics.message, /at most 1000 allowed/);
  });

  it("matches logs against installed criteria: a filter watching a contract among 1,000 addresses gets its logs", async () => {
    const counter = await deployCounter(budgeted.url);
    const watched = heavyCriteria(5);
    watched.address[500] = counter.address.toLowerCase();
    const filter = await call<string>(budgeted.url, "eth_newFilter", [{ address: watched.address }]);
    await counter.increment(1n);
    const changes = await call<{ address: string }[]>(budgeted.url, "eth_getFilterChanges", [filter]);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.address.toLowerCase(), counter.address.toLowerCase());
    const logs = await call<unknown[]>(budgeted.url, "eth_getFilterLogs", [filter]);
    assert.equal(logs.length, 1);
  });
});
