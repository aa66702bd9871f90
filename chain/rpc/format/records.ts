/**
 * Stored receipts and logs turned into the records the RPC layer serves (`ReceiptRecord`,
 * `LogRecord`): hashes and addresses as hex, each log with its block-wide index, each receipt with
 * its sender, recipient, created contract and bloom. format/receipt.ts and format/log.ts then write
 * them as JSON.
 */
import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { Bloom } from "@ethereumjs/vm";
import type { StoredReceipt } from "../../storage/chainStore.ts";
import type { FoundLog } from "../../storage/logQuery.ts";
import type { LogRecord, ReceiptRecord } from "../backend.ts";
import type { Hex } from "../../types.ts";

/** The receipt of `block`'s transaction `index`. */
export function receiptRecord(block: Block, senders: readonly Hex[], receipts: readonly StoredReceipt[], index: number): ReceiptRecord {
  const tx = block.transactions[index];
  const receipt = receipts[index];
  const blockHash = bytesToHex(block.hash()) as Hex;
  let logIndex = 0;
  for (let i = 0; i < index; i++) logIndex += receipts[i].logs.length;
  const logs = receipt.logs.map((log, i) =>
    logRecord({ log, blockNumber: block.header.number, blockHash: block.hash(), transactionHash: receipt.transactionHash, transactionIndex: index, logIndex: logIndex + i }),
  );
  return {
    transactionHash: bytesToHex(receipt.transactionHash) as Hex,
    transactionIndex: index,
    blockHash,
    blockNumber: block.header.number,
    from: senders[index],
    to: tx.to === undefined ? null : (tx.to.toString() as Hex),
    contractAddress: receipt.contractAddress === undefined ? null : (bytesToHex(receipt.contractAddress) as Hex),
    cumulativeGasUsed: receipt.cumulativeGasUsed,
    gasUsed: receipt.gasUsed,
    effectiveGasPrice: receipt.effectiveGasPrice,
    status: receipt.status,
    type: tx.type,
    logs,
    logsBloom: bytesToHex(logsBloom(receipt)) as Hex,
  };
}

/** Every log of `block`, in order. */
export function blockLogRecords(block: Block, receipts: readonly StoredReceipt[] | undefined): LogRecord[] {
  const records: LogRecord[] = [];
  let logIndex = 0;
  for (const [transactionIndex, receipt] of (receipts ?? []).entries()) {
    for (const log of receipt.logs) {
      records.push(logRecord({ log, blockNumber: block.header.number, blockHash: block.hash(), transactionHash: receipt.transactionHash, transactionIndex, logIndex: logIndex++ }));
    }
  }
  return records;
}

export function logRecord(found: FoundLog): LogRecord {
  const [address, topics, data] = found.log;
  return {
    address: bytesToHex(address) as Hex,
    topics: topics.map((t) => bytesToHex(t) as Hex),
    data: bytesToHex(data) as Hex,
    blockNumber: found.blockNumber,
    blockHash: bytesToHex(found.blockHash) as Hex,
    transactionHash: bytesToHex(found.transactionHash) as Hex,
    transactionIndex: found.transactionIndex,
    logIndex: found.logIndex,
    removed: false,
  };
}

function logsBloom(receipt: StoredReceipt): Uint8Array {
  const bloom = new Bloom();
  for (const [address, topics] of receipt.logs) {
    bloom.add(address);
    for (const topic of topics) bloom.add(topic);
  }
  return bloom.bitvector;
}
