/**
 * Automine with clients that send many transactions at once: a JSON-RPC batch, a WebSocket client
 * that does not wait between messages, eth_sendTransaction from one account in a batch. Every answer
 * still comes once its transaction is committed, nonces keep their order, and the transactions share
 * blocks instead of getting one block each.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet } from "ethers";
import { call, post, WsClient, type RpcResponse } from "../rpc/helpers/rpcClient.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
const TO = "0x00000000000000000000000000000000000000f2";

before(async () => {
  devnet = await startDevNode();
});
after(() => devnet.close());

async function signedTransfers(key: string, count: number): Promise<string[]> {
  const wallet = new Wallet(key);
  const nonce = Number(BigInt(await call<string>(devnet.url, "eth_getTransactionCount", [wallet.address, "pending"])));
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      wallet.signTransaction({ type: 2, chainId: 31337n, nonce: nonce + i, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n }),
    ),
  );
}

interface Receipt {
  status: string;
  blockNumber: string;
}

describe("batched and pipelined sends under automine", () => {
  it("lands a batch of 100 transfers from one sender in a few blocks, each answered once committed, in nonce order", async () => {
    const raws = await signedTransfers(DEV[3]!.key, 100);
    const before = BigInt(await call<string>(devnet.url, "eth_blockNumber"));
    const response = await post(devnet.url, raws.map((raw, id) => ({ jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params: [raw] })));
    const answers = (await response.json()) as RpcResponse[];
    assert.deepEqual(answers.map((answer) => answer.id), raws.map((_, id) => id));
    assert.ok(answers.every((answer) => answer.error === undefined), JSON.stringify(answers.find((answer) => answer.error)));
    // Answered at commit: every receipt is there the moment the batch is answered.
    const receipts = await Promise.all(answers.map((answer) => call<Receipt | null>(devnet.url, "eth_getTransactionReceipt", [answer.result])));
    assert.ok(receipts.every((receipt) => receipt?.status === "0x1"));
    const blocks = new Set(receipts.map((receipt) => receipt!.blockNumber));
    const after = BigInt(await call<string>(devnet.url, "eth_blockNumber"));
    assert.ok(blocks.size <= 5, `100 transfers took ${blocks.size} blocks`);
    assert.equal(BigInt(blocks.size), after - before);
    // Nonce order is block order.
    const numbers = receipts.map((receipt) => BigInt(receipt!.blockNumber));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("makes the next block at once when a full block left transactions waiting (no new arrival needed)", async () => {
    // Room for four transfers per block: ten sent in one batch need three blocks. Before the fix the
    // six left out of a full block waited for some other transaction to arrive, and this batch,
    // answered only once all ten are committed, never was.
    assert.equal(await call(devnet.url, "evm_setBlockGasLimit", ["0x186a0"]), true);
    try {
      const raws = await signedTransfers(DEV[6]!.key, 10);
      const response = await fetch(devnet.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(raws.map((raw, id) => ({ jsonrpc: "2.0", id, method: "eth_sendRawTransaction", params: [raw] }))),
        signal: AbortSignal.timeout(15_000),
      });
      const answers = (await response.json()) as RpcResponse[];
      assert.ok(answers.every((answer) => answer.error === undefined), JSON.stringify(answers.find((answer) => answer.error)));
      const receipts = await Promise.all(answers.map((answer) => call<Receipt>(devnet.url, "eth_getTransactionReceipt", [answer.result])));
      const perBlock = new Map<string, number>();
      for (const receipt of receipts) perBlock.set(receipt.blockNumber, (perBlock.get(receipt.blockNumber) ?? 0) + 1);
      assert.deepEqual([...perBlock.values()], [4, 4, 2]);
    } finally {
      await call(devnet.url, "evm_setBlockGasLimit", ["0x1c9c380"]);
    }
  });

  it("keeps one sender's eth_sendTransaction nonces right in a batch, and shares blocks", async () => {
    const from = DEV[4]!.address;
    const batch = Array.from({ length: 20 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_sendTransaction", params: [{ from, to: TO, value: "0x1" }] }));
    const answers = (await (await post(devnet.url, batch)).json()) as RpcResponse[];
    assert.ok(answers.every((answer) => answer.error === undefined), JSON.stringify(answers.find((answer) => answer.error)));
    const transactions = await Promise.all(answers.map((answer) => call<{ nonce: string; blockNumber: string }>(devnet.url, "eth_getTransactionByHash", [answer.result])));
    const nonces = transactions.map((tx) => Number(BigInt(tx.nonce)));
    assert.deepEqual(nonces, Array.from({ length: 20 }, (_, i) => nonces[0]! + i));
    assert.ok(new Set(transactions.map((tx) => tx.blockNumber)).size < 20, "20 sends took 20 blocks");
  });

  it("answers a batch entry that fails (a nonce too low) with its error and the others normally", async () => {
    const [first, second] = await signedTransfers(DEV[5]!.key, 2);
    const answers = (await (
      await post(devnet.url, [
        { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [first] },
        { jsonrpc: "2.0", id: 2, method: "eth_sendRawTransaction", params: [first] },
        { jsonrpc: "2.0", id: 3, method: "eth_sendRawTransaction", params: [second] },
      ])
    ).json()) as RpcResponse[];
    assert.equal(answers.length, 3);
    assert.match(String(answers[0]!.result), /^0x[0-9a-f]{64}$/);
    assert.ok(answers[1]!.error !== undefined, "a duplicate was accepted");
    assert.match(String(answers[2]!.result), /^0x[0-9a-f]{64}$/);
  });

  it("lets a WebSocket client send without waiting: answers come once committed, blocks are shared", async () => {
    const raws = await signedTransfers(DEV[6]!.key, 30);
    const client = await WsClient.connect(devnet.node.rpc!.wsUrl);
    try {
      const answers = await Promise.all(raws.map((raw) => client.request("eth_sendRawTransaction", [raw])));
      assert.ok(answers.every((answer) => answer.error === undefined), JSON.stringify(answers.find((answer) => answer.error)));
      const receipts = await Promise.all(answers.map((answer) => call<Receipt | null>(devnet.url, "eth_getTransactionReceipt", [answer.result])));
      assert.ok(receipts.every((receipt) => receipt?.status === "0x1"));
      const blocks = new Set(receipts.map((receipt) => receipt!.blockNumber)).size;
      assert.ok(blocks <= 5, `30 pipelined transfers took ${blocks} blocks`);
    } finally {
      await client.close();
    }
  });
});
