/**
 * Typed errors of the execution layer. Callers branch on `code`, never on the message.
 *
 * `BlockVerificationError` is what `verifyBlock` throws for a block that must not be committed; the
 * consensus engine treats every code the same way (the block is invalid) but logs and tests can tell
 * them apart, and `details` carries the expected and actual values.
 */
import { ConcordError } from "../concordError.ts";

export const BlockVerificationErrorCode = {
  /** The block does not extend the given parent (hash or number). */
  InvalidParent: "INVALID_PARENT",
  /** timestamp <= parent.timestamp. */
  InvalidTimestamp: "INVALID_TIMESTAMP",
  /** The gas limit moved by more than parent/1024, or is below the protocol minimum. */
  InvalidGasLimit: "INVALID_GAS_LIMIT",
  InvalidBaseFee: "INVALID_BASE_FEE",
  /** A header field with a fixed value in Concord (difficulty, nonce, uncles, prevRandao, blob fields...). */
  InvalidHeaderField: "INVALID_HEADER_FIELD",
  InvalidTransactionsRoot: "INVALID_TRANSACTIONS_ROOT",
  /** A transaction's signature does not recover to a sender. */
  InvalidSignature: "INVALID_SIGNATURE",
  /** A transaction is malformed for this block (intrinsic gas, fee below base fee, blob tx...). */
  InvalidTransaction: "INVALID_TRANSACTION",
  /** A transaction could not be executed (nonce, balance, block gas left). */
  TransactionFailed: "TRANSACTION_FAILED",
  GasUsedMismatch: "GAS_USED_MISMATCH",
  ReceiptsRootMismatch: "RECEIPTS_ROOT_MISMATCH",
  LogsBloomMismatch: "LOGS_BLOOM_MISMATCH",
  StateRootMismatch: "STATE_ROOT_MISMATCH",
  RequestsHashMismatch: "REQUESTS_HASH_MISMATCH",
  /** A system call the block must make (e.g. advanceEpoch) reverted. */
  SystemCallFailed: "SYSTEM_CALL_FAILED",
} as const;

export type BlockVerificationErrorCode = (typeof BlockVerificationErrorCode)[keyof typeof BlockVerificationErrorCode];

export interface BlockVerificationDetails {
  expected?: string;
  actual?: string;
  /** Index of the offending transaction, when one is. */
  transactionIndex?: number;
}

export class BlockVerificationError extends ConcordError<BlockVerificationErrorCode, BlockVerificationDetails> {
  override readonly name = "BlockVerificationError";
  /** Always set (empty when there is nothing to compare). */
  declare readonly data: BlockVerificationDetails;
  constructor(code: BlockVerificationErrorCode, message: string, data: BlockVerificationDetails = {}, options?: { cause?: unknown }) {
    super(code, message, { data, cause: options?.cause });
  }
}

/** A system call (from the system address, no transaction) reverted or failed. */
export class SystemCallError extends ConcordError<"SYSTEM_CALL_FAILED"> {
  override readonly name = "SystemCallError";
  constructor(
    readonly to: string,
    readonly selector: string,
    readonly returnData: Uint8Array,
    reason: string,
  ) {
    super("SYSTEM_CALL_FAILED", `system call ${selector} to ${to} failed: ${reason}`);
  }
}

export const CallErrorCode = {
  /** No state for the requested block (unknown block or pruned). */
  UnknownBlock: "UNKNOWN_BLOCK",
  /** The request itself cannot be run (bad fee fields, insufficient funds for value, nonce...). */
  InvalidRequest: "INVALID_REQUEST",
  /** eth_estimateGas: the call fails at the gas cap; `returnData` holds the revert data. */
  Reverted: "REVERTED",
  /** debug_traceTransaction of a hash that is not in a committed block. */
  UnknownTransaction: "UNKNOWN_TRANSACTION",
  /** The execution ran past the node's wall-clock limit for one call (--rpc-evmtimeout) and was stopped. */
  TimedOut: "TIMED_OUT",
  /** Every execution worker is busy and the queue of waiting calls is full: try again shortly. */
  Busy: "BUSY",
} as const;

export type CallErrorCode = (typeof CallErrorCode)[keyof typeof CallErrorCode];

/**
 * An eth_call / eth_estimateGas / trace request that could not be served. `data` is the revert data
 * as hex when the call reverted (what a client decodes a custom error from).
 */
export class CallError extends ConcordError<CallErrorCode, `0x${string}`> {
  override readonly name = "CallError";
  constructor(
    code: CallErrorCode,
    message: string,
    readonly returnData?: Uint8Array,
  ) {
    super(code, message, { data: returnData === undefined ? undefined : `0x${Buffer.from(returnData).toString("hex")}` });
  }
}
