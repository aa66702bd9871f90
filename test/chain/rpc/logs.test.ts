/** eth_getLogs, polling filters (with geth's idle expiry) and eth_subscribe over WebSocket. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { zeroPadValue } from "ethers";
import { call, callError, WsClient } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type Receipt, type TestChain } from "./helpers/testChain.ts";

interface Log {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed: boolean;
}

let chain: TestChain;
let counter: DeployedCounter;
let first: Receipt;
let second: Receipt;
let clock = 0;
const INCREMENTED = () => counter.iface.getEvent("Incremented")!.topicHash;

before(async () => {
  chain = await startTestChain({ rpc: { filters: { now: () => clock, idleTimeoutMs: 5 * 60_000 } } });
  counter = await deployCounter(chain.url);
  first = await counter.increment(1n, 0);
  second = await counter.increment(2n, 1);
});
after(async () => {
  await chain.close();
});

describe("eth_getLogs", () => {
  it("finds logs by address over a range", async () => {
    const logs = await call<Log[]>(chain.url, "eth_getLogs", [{ fromBlock: "earliest", toBlock: "latest", address: counter.address }]);
    assert.deepEqual(logs.map((log) => log.transactionHash), [first.transactionHash, second.transactionHash]);
    assert.equal(logs[0]!.topics[0], INCREMENTED());
    assert.equal(logs[0]!.removed, false);
    assert.equal(BigInt(logs[1]!.data), 3n);
  });
  it("filters by topic position, with alternatives", async () => {
    const bySecondSender = await call<Log[]>(chain.url, "eth_getLogs", [
      { fromBlock: "0x0", topics: [INCREMENTED(), zeroPadValue(DEV_ADDRESSES[1], 32)] },
    ]);
    assert.deepEqual(bySecondSender.map((log) => log.transactionHash), [second.transactionHash]);
    const either = await call<Log[]>(chain.url, "eth_getLogs", [
      { fromBlock: "0x0", topics: [null, [zeroPadValue(DEV_ADDRESSES[0], 32), zeroPadValue(DEV_ADDRESSES[1], 32)]] },
    ]);
    assert.equal(either.length, 2);
  });
  it("finds the logs of one block by hash", async () => {
    const logs = await call<Log[]>(chain.url, "eth_getLogs", [{ blockHash: second.blockHash, address: counter.address }]);
    assert.deepEqual(logs.map((log) => log.transactionHash), [second.transactionHash]);
  });
  it("answers an empty list for a range past the head", async () => {
    assert.deepEqual(await call(chain.url, "eth_getLogs", [{ fromBlock: "0xffffff", address: counter.address }]), []);
  });
  it("refuses inverted ranges, blockHash with a range, and unknown blocks", async () => {
    assert.deepEqual(await callError(chain.url, "eth_getLogs", [{ fromBlock: second.blockNumber, toBlock: first.blockNumber }]), {
      code: -32602,
      message: `invalid argument 0: invalid block range: fromBlock ${BigInt(second.blockNumber)} is after toBlock ${BigInt(first.blockNumber)}`,
    });
    assert.equal((await callError(chain.url, "eth_getLogs", [{ blockHash: second.blockHash, fromBlock: "0x1" }])).code, -32602);
    const unknown = `0x${"99".repeat(32)}`;
    assert.deepEqual(await callError(chain.url, "eth_getLogs", [{ blockHash: unknown }]), { code: -32001, message: `unknown block ${unknown}` });
  });
});

describe("polling filters", () => {
  it("reports new blocks to a block filter, once", async () => {
    const id = await call<string>(chain.url, "eth_newBlockFilter");
    const receipt = await waitForReceipt(chain.url, await sendSigned(chain.url, DEV_KEYS[2], { to: DEV_ADDRESSES[0], value: 1n }));
    const changes = await call<string[]>(chain.url, "eth_getFilterChanges", [id]);
    assert.ok(changes.includes(receipt.blockHash), `${receipt.blockHash} not in ${changes.join()}`);
    assert.equal((await call<string[]>(chain.url, "eth_getFilterChanges", [id])).includes(receipt.blockHash), false);
  });
  it("reports matching logs to a log filter, and all of them to eth_getFilterLogs", async () => {
    // From the head onwards: a filter from "latest" would re-read only whatever block is latest when asked.
    const head = await call<string>(chain.url, "eth_blockNumber");
    const id = await call<string>(chain.url, "eth_newFilter", [{ fromBlock: head, address: counter.address, topics: [INCREMENTED()] }]);
    const otherId = await call<string>(chain.url, "eth_newFilter", [{ address: DEV_ADDRESSES[2] }]);
    const receipt = await counter.increment(3n, 2);
    const changes = await call<Log[]>(chain.url, "eth_getFilterChanges", [id]);
    assert.deepEqual(changes.map((log) => log.transactionHash), [receipt.transactionHash]);
    assert.deepEqual(await call(chain.url, "eth_getFilterChanges", [otherId]), []);
    const all = await call<Log[]>(chain.url, "eth_getFilterLogs", [id]);
    assert.deepEqual(all.map((log) => log.transactionHash), [receipt.transactionHash]);
    const fromGenesis = await call<string>(chain.url, "eth_newFilter", [{ fromBlock: "earliest", address: counter.address }]);
    assert.equal((await call<Log[]>(chain.url, "eth_getFilterLogs", [fromGenesis])).length, 3);
  });
  it("reports pooled transaction hashes to a pending-transaction filter", async () => {
    const id = await call<string>(chain.url, "eth_newPendingTransactionFilter");
    const hash = await sendSigned(chain.url, DEV_KEYS[2], { to: DEV_ADDRESSES[0], value: 1n });
    await waitForReceipt(chain.url, hash);
    assert.deepEqual(await call(chain.url, "eth_getFilterChanges", [id]), [hash]);
  });
  it("uninstalls a filter once", async () => {
    const id = await call<string>(chain.url, "eth_newBlockFilter");
    assert.equal(await call(chain.url, "eth_uninstallFilter", [id]), true);
    assert.equal(await call(chain.url, "eth_uninstallFilter", [id]), false);
    assert.deepEqual(await callError(chain.url, "eth_getFilterChanges", [id]), { code: -32000, message: `filter not found: ${id}` });
  });
  it("drops a filter nobody polled for five minutes", async () => {
    const id = await call<string>(chain.url, "eth_newBlockFilter");
    clock += 4 * 60_000;
    assert.deepEqual(await call(chain.url, "eth_getFilterChanges", [id]), []);
    clock += 4 * 60_000;
    assert.deepEqual(await call(chain.url, "eth_getFilterChanges", [id]), []);
    clock += 5 * 60_000 + 1;
    assert.deepEqual(await callError(chain.url, "eth_getFilterChanges", [id]), { code: -32000, message: `filter not found: ${id}` });
  });
  it("refuses eth_getFilterLogs for a block filter, and malformed criteria", async () => {
    const id = await call<string>(chain.url, "eth_newBlockFilter");
    assert.equal((await callError(chain.url, "eth_getFilterLogs", [id])).code, -32000);
    assert.deepEqual(await callError(chain.url, "eth_newFilter", [{ topics: ["0x01"] }]), {
      code: -32602,
      message: "invalid argument 0: topics: [0]: hex string has length 2, want 64 for a 32-byte hash",
    });
  });
});

describe("eth_subscribe", () => {
  it("pushes new heads, matching logs and pending transactions, and stops after unsubscribe", async () => {
    const client = await WsClient.connect(chain.wsUrl);
    try {
      const heads = await client.call<string>("eth_subscribe", ["newHeads"]);
      const logs = await client.call<string>("eth_subscribe", ["logs", { address: counter.address, topics: [INCREMENTED()] }]);
      const elsewhere = await client.call<string>("eth_subscribe", ["logs", { address: DEV_ADDRESSES[2] }]);
      const pending = await client.call<string>("eth_subscribe", ["newPendingTransactions"]);
      const receipt = await counter.increment(1n, 2);
      await client.waitFor((all) =>
        all.some((n) => n.subscription === heads && (n.result as { hash: string }).hash === receipt.blockHash) &&
        all.some((n) => n.subscription === logs),
      );
      const log = client.notifications.find((n) => n.subscription === logs)!.result as Log;
      assert.equal(log.transactionHash, receipt.transactionHash);
      assert.equal(log.address, counter.address);
      assert.ok(client.notifications.some((n) => n.subscription === pending && n.result === receipt.transactionHash));
      assert.equal(client.notifications.some((n) => n.subscription === elsewhere), false);
      const head = client.notifications.find((n) => n.subscription === heads)!.result as Record<string, unknown>;
      for (const field of ["number", "hash", "parentHash", "stateRoot", "baseFeePerGas", "timestamp"]) assert.ok(field in head, field);

      assert.equal(await client.call("eth_unsubscribe", [heads]), true);
      assert.equal(await client.call("eth_unsubscribe", [heads]), false);
      const before = client.notifications.length;
      const next = await counter.increment(1n, 2);
      await client.waitFor((all) => all.some((n) => n.subscription === logs && (n.result as Log).transactionHash === next.transactionHash));
      assert.equal(client.notifications.slice(before).some((n) => n.subscription === heads), false);
    } finally {
      await client.close();
    }
  });
  it("sends full pending transactions when asked", async () => {
    const client = await WsClient.connect(chain.wsUrl);
    try {
      const id = await client.call<string>("eth_subscribe", ["newPendingTransactions", true]);
      const hash = await sendSigned(chain.url, DEV_KEYS[2], { to: DEV_ADDRESSES[1], value: 2n });
      await client.waitFor((all) => all.some((n) => n.subscription === id));
      const tx = client.notifications.find((n) => n.subscription === id)!.result as { hash: string; from: string };
      assert.equal(tx.hash, hash);
      assert.equal(tx.from, DEV_ADDRESSES[2]);
      await waitForReceipt(chain.url, hash);
    } finally {
      await client.close();
    }
  });
  it("refuses unknown subscription kinds and bad log criteria", async () => {
    const client = await WsClient.connect(chain.wsUrl);
    try {
      assert.deepEqual((await client.request("eth_subscribe", ["syncingg"])).error, {
        code: -32602,
        message: 'invalid argument 0: unsupported subscription type "syncingg" (newHeads, logs, newPendingTransactions)',
      });
      assert.deepEqual((await client.request("eth_subscribe", ["logs", { address: "0x12" }])).error, {
        code: -32602,
        message: "invalid argument 1: address: hex string has length 2, want 40 for an address",
      });
    } finally {
      await client.close();
    }
  });
  it("ends a connection's subscriptions when it closes, and keeps others' unsubscribe apart", async () => {
    const owner = await WsClient.connect(chain.wsUrl);
    const other = await WsClient.connect(chain.wsUrl);
    try {
      const id = await owner.call<string>("eth_subscribe", ["newHeads"]);
      assert.equal(await other.call("eth_unsubscribe", [id]), false);
      assert.equal(await owner.call("eth_unsubscribe", [id]), true);
    } finally {
      await owner.close();
      await other.close();
    }
  });
});
