/**
 * Every JSON-RPC error code Concord answers with, the error type that carries one, and the one
 * mapping from the node's typed errors (chain/concordError.ts) to codes: no other file assigns one.
 *
 * The codes are the ones clients decode: ethers v6 and viem map -32000 messages to nonce / funds
 * errors, read `data` of code 3 as revert data (custom errors), and treat -32601 as "not supported"
 * (viem's eth_fillTransaction, hardhat-ethers' hardhat_metadata probe fall back on it).
 */
import { ConcordError } from "../concordError.ts";
import { DevErrorCode, DevModeError } from "../dev/errors.ts";
import { CallError, CallErrorCode } from "../execution/errors.ts";
import type { TransactionFailure } from "../execution/receipts.ts";
import { TxPoolError, TxPoolErrorCode } from "../txpool/errors.ts";

export const RpcErrorCode = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON is not a valid request object, an empty batch, or a body over the size limit. */
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** geth's catch-all for a request it understood but could not serve (unknown block, filter, account). */
  ServerError: -32000,
  /** A transaction the pool would not take (nonce too low, insufficient funds...): -32000 as geth does. */
  TransactionRejected: -32000,
  /** A resource the request names does not exist (EIP-1474). */
  ResourceNotFound: -32001,
  /** The request exceeds a server limit (batch size, block range, result count; EIP-1474). */
  LimitExceeded: -32005,
  /** eth_call / eth_estimateGas reverted; `data` holds the revert data (geth, Hardhat, Anvil). */
  ExecutionReverted: 3,
} as const;

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** An error that is answered to the client as it is: code, message and optional data (JSON-RPC's). */
export class RpcError extends ConcordError<number> {
  override readonly name = "RpcError";
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, { data });
  }
}

/** A parameter failed validation; `index` is its position in `params` (-1: the params member itself). */
export class InvalidParamsError extends RpcError {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(RpcErrorCode.InvalidParams, index < 0 ? reason : `invalid argument ${index}: ${reason}`);
  }
}

export function methodNotFound(method: string): RpcError {
  return new RpcError(RpcErrorCode.MethodNotFound, `the method ${method} does not exist/is not available`);
}

/**
 * The pool refuses malformed input as invalid params, as Hardhat answers it (the bytes are not a
 * transaction at all); everything decodable but refused is -32000, the family wallets expect.
 */
function txPoolCode(code: TxPoolErrorCode): number {
  return code === TxPoolErrorCode.MalformedRlp || code === TxPoolErrorCode.InvalidTransaction ? RpcErrorCode.InvalidParams : RpcErrorCode.TransactionRejected;
}

/** Dev-mode errors answer what Hardhat's and Anvil's nodes answer. */
const DEV_CODES: Record<DevErrorCode, number> = {
  [DevErrorCode.InvalidArgument]: RpcErrorCode.InvalidParams,
  [DevErrorCode.NonceNotSettable]: RpcErrorCode.ServerError,
  [DevErrorCode.AlreadyMined]: RpcErrorCode.InvalidParams,
  [DevErrorCode.NotAttached]: RpcErrorCode.InternalError,
};

/**
 * The JSON-RPC error a typed error of another layer is answered with; undefined for errors that are
 * the server's own failure (they become -32603).
 */
function mapTypedError(error: unknown): RpcError | undefined {
  if (!(error instanceof ConcordError)) return undefined;
  // Pool errors carry typed numbers in `data`, which clients do not get (geth sends none).
  if (error instanceof TxPoolError) return new RpcError(txPoolCode(error.code), error.message);
  // A revert is code 3 with the revert data, as geth answers; any other call failure is geth's -32000.
  if (error instanceof CallError) return new RpcError(callCode(error.code), error.message, error.data);
  if (error instanceof DevModeError) return new RpcError(DEV_CODES[error.code], error.message);
  return undefined;
}

function callCode(code: CallErrorCode): number {
  if (code === CallErrorCode.Reverted) return RpcErrorCode.ExecutionReverted;
  // A busy node is a limit the client met, as geth's -32005 for rate limits.
  if (code === CallErrorCode.Busy) return RpcErrorCode.LimitExceeded;
  return RpcErrorCode.ServerError;
}

/** Whether `error` is answered with a code of its own (not as the server's failure). */
export function hasRpcCode(error: unknown): boolean {
  return error instanceof RpcError || mapTypedError(error) !== undefined;
}

/** What the client sees for any thrown value: typed errors get their code, anything else is -32603. */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const mapped = mapTypedError(error);
  if (mapped !== undefined) return mapped;
  // The cause's own words help a developer on a local node; its stack stays on the server.
  const detail = error instanceof Error && error.message.length > 0 ? `: ${error.message.slice(0, 300)}` : "";
  return new RpcError(RpcErrorCode.InternalError, `internal error${detail}`);
}

const ERROR_STRING_SELECTOR = "08c379a0";
const PANIC_SELECTOR = "4e487b71";

/** Solidity's panic codes, in the words geth's `abi.UnpackRevert` uses. */
const PANIC_REASONS: Record<number, string> = {
  0x00: "generic panic",
  0x01: "assert(false)",
  0x11: "arithmetic underflow or overflow",
  0x12: "division or modulo by zero",
  0x21: "enum overflow",
  0x22: "invalid encoded storage byte array accessed",
  0x31: "out-of-bounds array access; popping on an empty array",
  0x32: "out-of-bounds access of an array or bytesN",
  0x41: "out of memory",
  0x51: "uninitialized function",
};

/**
 * The reason a revert carries, when it is `Error(string)` or `Panic(uint256)`; undefined for custom
 * errors and empty or malformed data (the client decodes those from `data`).
 */
export function revertReason(revertDataHex: string): string | undefined {
  const body = revertDataHex.startsWith("0x") ? revertDataHex.slice(2) : revertDataHex;
  const selector = body.slice(0, 8).toLowerCase();
  if (selector === PANIC_SELECTOR && body.length === 8 + 64) {
    const code = BigInt(`0x${body.slice(8)}`);
    const known = code <= 0xffn ? PANIC_REASONS[Number(code)] : undefined;
    return known ?? `unknown panic code: 0x${code.toString(16)}`;
  }
  if (selector !== ERROR_STRING_SELECTOR || body.length < 8 + 128) return undefined;
  const offset = BigInt(`0x${body.slice(8, 8 + 64)}`);
  if (offset !== 32n) return undefined;
  const length = BigInt(`0x${body.slice(8 + 64, 8 + 128)}`);
  const start = 8 + 128;
  if (length * 2n > BigInt(body.length - start)) return undefined;
  const bytes = Buffer.from(body.slice(start, start + Number(length) * 2), "hex");
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/** Code 3 with the revert data, as geth answers eth_call and eth_estimateGas of a reverting call. */
export class ExecutionRevertedError extends RpcError {
  constructor(readonly revertData: `0x${string}`) {
    const reason = revertReason(revertData);
    super(
      RpcErrorCode.ExecutionReverted,
      reason === undefined ? "execution reverted" : `execution reverted: ${reason}`,
      revertData,
    );
  }
}

/**
 * What a send answers for its transaction that was mined but failed, as Hardhat's automine does: a
 * revert is code 3 with the revert data (ethers and viem decode custom errors from it); any other
 * failure names the block and the EVM's error.
 */
export function transactionFailedError(hash: string, blockNumber: bigint, failure: TransactionFailure): RpcError {
  if (failure.kind === "revert") return new ExecutionRevertedError(`0x${Buffer.from(failure.output).toString("hex")}`);
  return new RpcError(RpcErrorCode.ServerError, `transaction ${hash} failed in block ${blockNumber}: ${failure.error}`);
}
