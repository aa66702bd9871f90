/**
 * Typed errors of the execution layer. Callers branch on `code`, never on the message.
 *
 * `BlockVerificationError` is what `verifyBlock` throws for a block that must not be committed; the
 * consensus engine treats every code the same way (the block is invalid) but logs and tests can tell
 * them apart, and `details` carries the expected and actual values.
 */

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

export class BlockVerificationError extends Error {
  override readonly name = "BlockVerificationError";
  constructor(
    readonly code: BlockVerificationErrorCode,
    message: string,
    readonly details: BlockVerificationDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A system call (from the system address, no transaction) reverted or failed. */
export class SystemCallError extends Error {
  override readonly name = "SystemCallError";
  readonly code = "SYSTEM_CALL_FAILED";
  constructor(
    readonly to: string,
    readonly selector: string,
    readonly returnData: Uint8Array,
    reason: string,
  ) {
    super(`system call ${selector} to ${to} failed: ${reason}`);
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
} as const;

export type CallErrorCode = (typeof CallErrorCode)[keyof typeof CallErrorCode];

/**
 * An eth_call / eth_estimateGas / trace request that could not be served. `rpcCode` follows the
 * JSON-RPC conventions (3 with the revert data for reverts, -32000 otherwise) so the RPC layer can
 * pass it through as it is.
 */
export class CallError extends Error {
  override readonly name = "CallError";
  readonly rpcCode: number;
  readonly data?: `0x${string}`;
  constructor(
    readonly code: CallErrorCode,
    message: string,
    readonly returnData?: Uint8Array,
  ) {
    super(message);
    this.rpcCode = code === CallErrorCode.Reverted ? 3 : -32000;
    if (returnData !== undefined) this.data = `0x${Buffer.from(returnData).toString("hex")}`;
  }
}
