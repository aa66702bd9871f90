/**
 * Every JSON-RPC error code Concord answers with, and the error type that carries one.
 *
 * The codes are the ones clients decode: ethers v6 and viem map -32000 messages to nonce / funds
 * errors, read `data` of code 3 as revert data (custom errors), and treat -32601 as "not supported"
 * (viem's eth_fillTransaction, hardhat-ethers' hardhat_metadata probe fall back on it).
 */

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

/** An error that is answered to the client as it is: code, message and optional data. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
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
 * Errors from other layers that already know their JSON-RPC code (the pool's `TxPoolError`, the
 * execution layer's typed errors). Recognised by shape so the RPC layer needs no import of theirs.
 */
export interface CarriesRpcCode {
  rpcCode: number;
  message: string;
  data?: unknown;
}

export function carriesRpcCode(error: unknown): error is CarriesRpcCode {
  return (
    typeof error === "object" &&
    error !== null &&
    Number.isSafeInteger((error as { rpcCode?: unknown }).rpcCode) &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** What the client sees for any thrown value: typed errors pass through, anything else is -32603. */
export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (carriesRpcCode(error)) return new RpcError(error.rpcCode, error.message, error.data);
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
