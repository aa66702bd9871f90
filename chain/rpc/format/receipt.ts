/** Receipts as geth returns them (eth_getTransactionReceipt, eth_getBlockReceipts). */
import type { ReceiptRecord } from "../backend.ts";
import { quantity } from "../hex.ts";
import { formatLog } from "./log.ts";

export function formatReceipt(receipt: ReceiptRecord): Record<string, unknown> {
  return {
    blockHash: receipt.blockHash,
    blockNumber: quantity(receipt.blockNumber),
    contractAddress: receipt.contractAddress,
    cumulativeGasUsed: quantity(receipt.cumulativeGasUsed),
    effectiveGasPrice: quantity(receipt.effectiveGasPrice),
    from: receipt.from,
    gasUsed: quantity(receipt.gasUsed),
    logs: receipt.logs.map(formatLog),
    logsBloom: receipt.logsBloom,
    status: quantity(receipt.status),
    to: receipt.to,
    transactionHash: receipt.transactionHash,
    transactionIndex: quantity(receipt.transactionIndex),
    type: quantity(receipt.type),
  };
}
