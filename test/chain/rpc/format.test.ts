import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createBlock } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createTx } from "@ethereumjs/tx";
import { Transaction, Wallet } from "ethers";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { formatBlock, formatHeader } from "../../../chain/rpc/format/block.ts";
import { formatReceipt } from "../../../chain/rpc/format/receipt.ts";
import { effectiveGasPrice, formatTransaction } from "../../../chain/rpc/format/transaction.ts";
import type { Hex } from "../../../chain/types.ts";

const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SENDER = new Wallet(KEY).address.toLowerCase() as Hex;
const TO = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const keyBytes = Buffer.from(KEY.slice(2), "hex");
let common: Common;

before(async () => {
  common = await createConcordCommon();
});

describe("formatTransaction", () => {
  it("formats a pending EIP-1559 transaction as geth does", () => {
    const tx = createTx(
      { type: 2, nonce: 5n, to: TO, value: 10n, gasLimit: 21_000n, maxFeePerGas: 100n, maxPriorityFeePerGas: 2n, data: "0xabcd", chainId: 31337n },
      { common },
    ).sign(keyBytes);
    const parsed = Transaction.from(`0x${Buffer.from(tx.serialize()).toString("hex")}`);
    const json = formatTransaction(tx, SENDER);
    assert.deepEqual(json, {
      blockHash: null,
      blockNumber: null,
      from: SENDER,
      gas: "0x5208",
      gasPrice: "0x64",
      hash: parsed.hash,
      input: "0xabcd",
      nonce: "0x5",
      to: TO,
      transactionIndex: null,
      value: "0xa",
      type: "0x2",
      maxFeePerGas: "0x64",
      maxPriorityFeePerGas: "0x2",
      accessList: [],
      chainId: "0x7a69",
      v: `0x${parsed.signature!.yParity.toString(16)}`,
      r: `0x${BigInt(parsed.signature!.r).toString(16)}`,
      s: `0x${BigInt(parsed.signature!.s).toString(16)}`,
      yParity: `0x${parsed.signature!.yParity.toString(16)}`,
    });
  });
  it("reports the price paid in a block: base fee plus the capped tip", () => {
    const tx = createTx({ type: 2, gasLimit: 21_000n, maxFeePerGas: 100n, maxPriorityFeePerGas: 30n, chainId: 31337n }, { common }).sign(keyBytes);
    assert.equal(effectiveGasPrice(tx, 50n), 80n);
    assert.equal(effectiveGasPrice(tx, 90n), 100n);
    const json = formatTransaction(tx, SENDER, { blockHash: `0x${"11".repeat(32)}`, blockNumber: 7n, transactionIndex: 2, baseFeePerGas: 50n });
    assert.equal(json.gasPrice, "0x50");
    assert.equal(json.blockNumber, "0x7");
    assert.equal(json.transactionIndex, "0x2");
  });
  it("gives an EIP-155 legacy transaction its chain id and no yParity", () => {
    const tx = createTx({ type: 0, nonce: 0n, to: TO, gasLimit: 21_000n, gasPrice: 7n }, { common }).sign(keyBytes);
    const json = formatTransaction(tx, SENDER);
    assert.equal(json.type, "0x0");
    assert.equal(json.chainId, "0x7a69");
    assert.equal(json.gasPrice, "0x7");
    assert.ok(json.v === "0xf4f5" || json.v === "0xf4f6", `v ${String(json.v)}`);
    assert.equal("yParity" in json, false);
    assert.equal("accessList" in json, false);
  });
  it("names a contract creation's recipient null", () => {
    const tx = createTx({ type: 2, gasLimit: 100_000n, maxFeePerGas: 1n, data: "0x6000", chainId: 31337n }, { common }).sign(keyBytes);
    assert.equal(formatTransaction(tx, SENDER).to, null);
  });
});

describe("formatBlock", () => {
  it("carries every Prague header field and the transactions as hashes or objects", () => {
    const tx = createTx({ type: 2, gasLimit: 21_000n, maxFeePerGas: 10n, to: TO, chainId: 31337n }, { common }).sign(keyBytes);
    const block = createBlock(
      { header: { number: 3n, gasLimit: 30_000_000n, timestamp: 1_700_000_000n, baseFeePerGas: 7n }, transactions: [tx], withdrawals: [] },
      { common },
    );
    const json = formatBlock(block, false);
    for (const field of [
      "number", "hash", "parentHash", "nonce", "mixHash", "sha3Uncles", "logsBloom", "stateRoot", "miner", "difficulty",
      "extraData", "gasLimit", "gasUsed", "timestamp", "transactionsRoot", "receiptsRoot", "baseFeePerGas", "withdrawalsRoot",
      "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash", "size", "uncles", "transactions", "withdrawals",
    ]) {
      assert.ok(field in json, `missing ${field}`);
    }
    assert.equal(json.number, "0x3");
    assert.equal(json.baseFeePerGas, "0x7");
    assert.equal(json.blobGasUsed, "0x0");
    assert.equal(json.size, `0x${block.serialize().length.toString(16)}`);
    assert.deepEqual(json.transactions, [`0x${Buffer.from(tx.hash()).toString("hex")}`]);
    assert.deepEqual(json.withdrawals, []);
    const full = formatBlock(block, true).transactions as Record<string, unknown>[];
    assert.equal(full[0]!.from, SENDER);
    assert.equal(full[0]!.blockHash, json.hash);
    assert.equal(full[0]!.gasPrice, "0x7");
  });
  it("formats a header for newHeads without the body fields", () => {
    const block = createBlock({ header: { number: 1n, baseFeePerGas: 7n } }, { common });
    const header = formatHeader(block.header);
    assert.equal(header.hash, `0x${Buffer.from(block.hash()).toString("hex")}`);
    assert.equal("transactions" in header, false);
    assert.equal("size" in header, false);
  });
});

describe("formatReceipt", () => {
  it("formats quantities as hex and keeps null recipients and contract addresses", () => {
    const blockHash = `0x${"22".repeat(32)}` as Hex;
    const transactionHash = `0x${"33".repeat(32)}` as Hex;
    const json = formatReceipt({
      transactionHash,
      transactionIndex: 0,
      blockHash,
      blockNumber: 16n,
      from: SENDER,
      to: null,
      contractAddress: TO,
      cumulativeGasUsed: 53_000n,
      gasUsed: 53_000n,
      effectiveGasPrice: 1_000_000_000n,
      status: 1,
      type: 2,
      logs: [
        { address: TO, topics: [transactionHash], data: "0x", blockNumber: 16n, blockHash, transactionHash, transactionIndex: 0, logIndex: 0, removed: false },
      ],
      logsBloom: `0x${"00".repeat(256)}`,
    });
    assert.deepEqual(json, {
      blockHash,
      blockNumber: "0x10",
      contractAddress: TO,
      cumulativeGasUsed: "0xcf08",
      effectiveGasPrice: "0x3b9aca00",
      from: SENDER,
      gasUsed: "0xcf08",
      logs: [
        { address: TO, topics: [transactionHash], data: "0x", blockNumber: "0x10", transactionHash, transactionIndex: "0x0", blockHash, logIndex: "0x0", removed: false },
      ],
      logsBloom: `0x${"00".repeat(256)}`,
      status: "0x1",
      to: null,
      transactionHash,
      transactionIndex: "0x0",
      type: "0x2",
    });
  });
});
