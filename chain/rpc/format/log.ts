/** Logs as geth returns them (eth_getLogs, receipts, filter changes, `logs` subscriptions). */
import type { LogRecord } from "../backend.ts";
import { quantity } from "../hex.ts";

export function formatLog(log: LogRecord): Record<string, unknown> {
  return {
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: quantity(log.blockNumber),
    transactionHash: log.transactionHash,
    transactionIndex: quantity(log.transactionIndex),
    blockHash: log.blockHash,
    logIndex: quantity(log.logIndex),
    removed: false,
  };
}
