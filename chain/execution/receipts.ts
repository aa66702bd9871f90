/**
 * What execution reports per transaction, in the raw form storage persists and the RPC layer formats.
 */
import { EVMError } from "@ethereumjs/evm";
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { encodeReceipt, type RunTxResult } from "@ethereumjs/vm";
import { orderedTrieRoot } from "./patches/orderedTrie.ts";

/** An EVM log as ethereumjs produces it: address, topics, data. */
export type RawLog = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array];

export interface ExecutedReceipt {
  /** 1 success, 0 reverted or failed. */
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  /** Gas charged to the sender (after refunds). */
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** The created contract's address for a deployment, else undefined. */
  contractAddress?: Uint8Array;
  logs: RawLog[];
  /** Why it failed (status 0), from its top-level call. Known to the node that ran it, never stored. */
  failure?: TransactionFailure;
}

/**
 * A failed transaction's cause: a revert with its revert data, or the EVM's error (out of gas, an
 * invalid opcode, ...), in ethereumjs' words, which are what geth's callTracer reports too.
 */
export type TransactionFailure = { kind: "revert"; output: Uint8Array } | { kind: "error"; error: string };

/** What the sender pays per gas in a block with `baseFee` (EIP-1559 rule; legacy txs pay gasPrice). */
export function effectiveGasPrice(tx: TypedTransaction, baseFee: bigint): bigint {
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const { maxFeePerGas, maxPriorityFeePerGas } = tx as TypedTransaction & {
      maxFeePerGas: bigint;
      maxPriorityFeePerGas: bigint;
    };
    const withTip = baseFee + maxPriorityFeePerGas;
    return withTip < maxFeePerGas ? withTip : maxFeePerGas;
  }
  return (tx as TypedTransaction & { gasPrice: bigint }).gasPrice;
}

export function toExecutedReceipt(tx: TypedTransaction, result: RunTxResult, baseFee: bigint): ExecutedReceipt {
  const receipt = result.receipt as RunTxResult["receipt"] & { status: 0 | 1 };
  const executed: ExecutedReceipt = {
    status: receipt.status,
    cumulativeGasUsed: receipt.cumulativeBlockGasUsed,
    gasUsed: result.totalGasSpent,
    effectiveGasPrice: effectiveGasPrice(tx, baseFee),
    contractAddress: result.createdAddress?.bytes,
    logs: receipt.logs as RawLog[],
  };
  const error = result.execResult.exceptionError;
  if (error !== undefined) {
    executed.failure = error.error === EVMError.errorMessages.REVERT ? { kind: "revert", output: result.execResult.returnValue } : { kind: "error", error: error.error };
  }
  return executed;
}

/** The receipts trie root of a block's transaction results (EIP-2718 typed receipts). */
export function receiptsRoot(transactions: readonly TypedTransaction[], results: readonly RunTxResult[]): Uint8Array {
  return orderedTrieRoot(results.map((result, i) => encodeReceipt(result.receipt, transactions[i].type)));
}
