/** Blocks, transactions and receipts: eth_getBlockBy*, counts, by-index, by-hash, receipts. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Transaction } from "ethers";
import { call, callError, rpc } from "./helpers/rpcClient.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, waitForReceipt, type Receipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let transfer: Receipt;
let transferHash: string;
type Block = Record<string, unknown> & { hash: string; number: string; transactions: unknown[] };

before(async () => {
  chain = await startTestChain();
  transferHash = await sendSigned(chain.url, DEV_KEYS[0], { to: DEV_ADDRESSES[1], value: 12345n });
  transfer = await waitForReceipt(chain.url, transferHash);
});
after(async () => {
  await chain.close();
});

describe("eth_chainId / eth_blockNumber / eth_syncing", () => {
  it("reports the chain id, the head and that the node is not syncing", async () => {
    assert.equal(await call(chain.url, "eth_chainId"), "0x7a69");
    assert.ok(BigInt(await call<string>(chain.url, "eth_blockNumber")) >= BigInt(transfer.blockNumber));
    assert.equal(await call(chain.url, "eth_syncing"), false);
  });
  it("refuses parameters it does not take", async () => {
    assert.deepEqual(await callError(chain.url, "eth_chainId", ["0x1"]), { code: -32602, message: "too many arguments, want at most 0" });
  });
});

describe("eth_getBlockByNumber / eth_getBlockByHash", () => {
  it("returns the block with transaction hashes, and with full transactions on request", async () => {
    const block = await call<Block>(chain.url, "eth_getBlockByNumber", [transfer.blockNumber, false]);
    assert.equal(block.number, transfer.blockNumber);
    assert.equal(block.hash, transfer.blockHash);
    assert.ok(block.transactions.includes(transferHash));
    for (const field of ["parentHash", "stateRoot", "receiptsRoot", "transactionsRoot", "logsBloom", "miner", "baseFeePerGas", "gasLimit", "gasUsed", "timestamp", "size", "withdrawalsRoot", "requestsHash"]) {
      assert.ok(field in block, `block lacks ${field}`);
    }
    const full = await call<Block>(chain.url, "eth_getBlockByNumber", [transfer.blockNumber, true]);
    const tx = (full.transactions as Record<string, string>[]).find((entry) => entry.hash === transferHash)!;
    assert.equal(tx.from, DEV_ADDRESSES[0]);
    assert.equal(tx.to, DEV_ADDRESSES[1]);
    assert.equal(tx.value, "0x3039");
    assert.equal(tx.blockHash, block.hash);
  });
  it("answers the same block by hash", async () => {
    const byNumber = await call<Block>(chain.url, "eth_getBlockByNumber", [transfer.blockNumber, true]);
    assert.deepEqual(await call(chain.url, "eth_getBlockByHash", [transfer.blockHash, true]), byNumber);
  });
  it("resolves earliest, latest, safe and finalized", async () => {
    assert.equal((await call<Block>(chain.url, "eth_getBlockByNumber", ["earliest", false])).number, "0x0");
    const latest = await call<Block>(chain.url, "eth_getBlockByNumber", ["latest", false]);
    assert.equal((await call<Block>(chain.url, "eth_getBlockByNumber", ["finalized", false])).number, latest.number);
    assert.equal((await call<Block>(chain.url, "eth_getBlockByNumber", ["safe", false])).number, latest.number);
  });
  it("answers null for a block that does not exist", async () => {
    assert.equal(await call(chain.url, "eth_getBlockByNumber", ["0xffffff", false]), null);
    assert.equal(await call(chain.url, "eth_getBlockByHash", [`0x${"12".repeat(32)}`, false]), null);
  });
  it("names the bad argument", async () => {
    assert.deepEqual(await callError(chain.url, "eth_getBlockByNumber", ["newest", false]), {
      code: -32602,
      message: 'invalid argument 0: invalid block tag "newest": want latest, pending, earliest, safe, finalized or a hex number',
    });
    assert.deepEqual(await callError(chain.url, "eth_getBlockByNumber", ["latest", "yes"]), {
      code: -32602,
      message: "invalid argument 1: expected a boolean, got a string",
    });
    assert.deepEqual(await callError(chain.url, "eth_getBlockByHash", ["0x1234", false]), {
      code: -32602,
      message: "invalid argument 0: hex string has length 4, want 64 for a 32-byte hash",
    });
    assert.deepEqual(await callError(chain.url, "eth_getBlockByNumber", []), { code: -32602, message: "missing value for required argument 0" });
  });
});

describe("transaction counts and transactions by index", () => {
  it("counts a block's transactions by number and by hash", async () => {
    const block = await call<Block>(chain.url, "eth_getBlockByNumber", [transfer.blockNumber, false]);
    const count = `0x${block.transactions.length.toString(16)}`;
    assert.equal(await call(chain.url, "eth_getBlockTransactionCountByNumber", [transfer.blockNumber]), count);
    assert.equal(await call(chain.url, "eth_getBlockTransactionCountByHash", [transfer.blockHash]), count);
    assert.equal(await call(chain.url, "eth_getBlockTransactionCountByHash", [`0x${"12".repeat(32)}`]), null);
    assert.equal(await call(chain.url, "eth_getUncleCountByBlockNumber", [transfer.blockNumber]), "0x0");
  });
  it("finds the transaction by block and index, and null past the end", async () => {
    const byNumber = await call<Record<string, string>>(chain.url, "eth_getTransactionByBlockNumberAndIndex", [transfer.blockNumber, transfer.transactionIndex]);
    assert.equal(byNumber.hash, transferHash);
    const byHash = await call<Record<string, string>>(chain.url, "eth_getTransactionByBlockHashAndIndex", [transfer.blockHash, transfer.transactionIndex]);
    assert.deepEqual(byHash, byNumber);
    assert.equal(await call(chain.url, "eth_getTransactionByBlockNumberAndIndex", [transfer.blockNumber, "0x3e8"]), null);
  });
});

describe("eth_getTransactionByHash / eth_getRawTransactionByHash", () => {
  it("returns the committed transaction as geth formats it", async () => {
    const tx = await call<Record<string, unknown>>(chain.url, "eth_getTransactionByHash", [transferHash]);
    assert.equal(tx.hash, transferHash);
    assert.equal(tx.blockNumber, transfer.blockNumber);
    assert.equal(tx.blockHash, transfer.blockHash);
    assert.equal(tx.transactionIndex, transfer.transactionIndex);
    assert.equal(tx.type, "0x2");
    assert.equal(tx.chainId, "0x7a69");
    assert.deepEqual(tx.accessList, []);
    assert.equal(tx.gasPrice, transfer.effectiveGasPrice);
    for (const field of ["nonce", "gas", "input", "maxFeePerGas", "maxPriorityFeePerGas", "v", "r", "s", "yParity"]) assert.ok(field in tx, field);
  });
  it("returns the signed encoding that hashes to the transaction hash", async () => {
    const raw = await call<string>(chain.url, "eth_getRawTransactionByHash", [transferHash]);
    assert.equal(Transaction.from(raw).hash, transferHash);
  });
  it("answers null for an unknown hash and -32602 for a malformed one", async () => {
    assert.equal(await call(chain.url, "eth_getTransactionByHash", [`0x${"ab".repeat(32)}`]), null);
    assert.equal((await rpc(chain.url, "eth_getTransactionByHash", ["0xab"])).error?.code, -32602);
  });
});

describe("eth_getTransactionReceipt / eth_getBlockReceipts", () => {
  it("returns a complete receipt", async () => {
    for (const field of ["blockHash", "blockNumber", "contractAddress", "cumulativeGasUsed", "effectiveGasPrice", "from", "gasUsed", "logs", "logsBloom", "status", "to", "transactionHash", "transactionIndex", "type"]) {
      assert.ok(field in transfer, `receipt lacks ${field}`);
    }
    assert.equal(transfer.status, "0x1");
    assert.equal(transfer.gasUsed, "0x5208");
    assert.equal(transfer.contractAddress, null);
    assert.equal(transfer.from, DEV_ADDRESSES[0]);
  });
  it("returns every receipt of a block by number, tag or hash", async () => {
    const byNumber = await call<Receipt[]>(chain.url, "eth_getBlockReceipts", [transfer.blockNumber]);
    assert.ok(byNumber.some((receipt) => receipt.transactionHash === transferHash));
    assert.deepEqual(await call(chain.url, "eth_getBlockReceipts", [transfer.blockHash]), byNumber);
    assert.deepEqual(await call(chain.url, "eth_getBlockReceipts", [{ blockHash: transfer.blockHash }]), byNumber);
  });
  it("answers null for unknown transactions and blocks", async () => {
    assert.equal(await call(chain.url, "eth_getTransactionReceipt", [`0x${"ab".repeat(32)}`]), null);
    assert.equal(await call(chain.url, "eth_getBlockReceipts", ["0xffffff"]), null);
  });
});
