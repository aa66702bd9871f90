/**
 * Every way the transaction pool refuses a transaction: one code, one message (and the JSON-RPC code
 * chain/rpc/errors.ts answers it with, listed here for reference).
 *
 * Messages are worded as geth words them (core/txpool/errors.go, core/errors.go), because ethers,
 * viem and Hardhat recognise rejected transactions by matching those words (`nonce too low`,
 * `insufficient funds`, `replacement transaction underpriced`, ...). Details follow a colon, as in
 * geth, so the matched prefix stays intact. Code branches on `code`, never on the message; `data`
 * carries the same numbers as the message for programs.
 *
 * | code                      | rpc    | message                                                                  |
 * |---------------------------|--------|--------------------------------------------------------------------------|
 * | MALFORMED_RLP             | -32602 | rlp: <decoder detail>                                                    |
 * | INVALID_TRANSACTION       | -32602 | invalid transaction: <detail> (well-formed RLP, invalid fields)          |
 * | TX_TYPE_NOT_SUPPORTED     | -32000 | transaction type not supported: type <n>                                 |
 * | BLOB_TX_NOT_SUPPORTED     | -32000 | transaction type not supported: blob transactions (type 3) are not ...   |
 * | INVALID_CHAIN_ID          | -32000 | invalid chain id for signer: have <tx chain id> want <node chain id>     |
 * | UNPROTECTED_TX            | -32000 | only replay-protected (EIP-155) transactions allowed over RPC            |
 * | INVALID_SENDER            | -32000 | invalid sender: <why> (unsigned, bad v / y-parity, high s, no recovery)  |
 * | OVERSIZED_DATA            | -32000 | oversized data: transaction size <n>, limit <m>                          |
 * | MAX_INITCODE_SIZE_EXCEEDED| -32000 | max initcode size exceeded: code size <n>, limit <m>                     |
 * | GAS_LIMIT_EXCEEDED        | -32000 | exceeds block gas limit: gas <n>, block gas limit <m>                    |
 * | INTRINSIC_GAS_TOO_LOW     | -32000 | intrinsic gas too low: gas <n>, minimum needed <m>                       |
 * | FLOOR_DATA_GAS_TOO_LOW    | -32000 | insufficient gas for floor data gas cost: gas <n>, minimum needed <m>    |
 * | TIP_ABOVE_FEE_CAP         | -32000 | max priority fee per gas higher than max fee per gas: maxPriorityFee...  |
 * | UNDERPRICED               | -32000 | transaction underpriced: gas tip cap <n>, minimum needed <m>             |
 * | FEE_CAP_TOO_LOW           | -32000 | max fee per gas less than block base fee: maxFeePerGas: <n>, baseFee: <m>|
 * | ALREADY_KNOWN             | -32000 | already known                                                            |
 * | NONCE_TOO_LOW             | -32000 | nonce too low: next nonce <n>, tx nonce <m>                              |
 * | NONCE_TOO_HIGH            | -32000 | nonce too high: next nonce <n>, tx nonce <m>, max gap <g>                |
 * | INSUFFICIENT_FUNDS        | -32000 | insufficient funds for gas * price + value: balance <b>, tx cost <c>, overshot <o> |
 * | REPLACEMENT_UNDERPRICED   | -32000 | replacement transaction underpriced                                      |
 * | ACCOUNT_LIMIT_EXCEEDED    | -32000 | account limit exceeded: <n> transactions pooled, limit <m>               |
 * | POOL_FULL                 | -32000 | txpool is full                                                           |
 *
 * Malformed input is -32602 (invalid params), as Hardhat answers it: the bytes are not a
 * transaction at all. Everything decodable but refused is -32000, the family wallets expect.
 */
import { ConcordError } from "../concordError.ts";


export const TxPoolErrorCode = {
  MalformedRlp: "MALFORMED_RLP",
  InvalidTransaction: "INVALID_TRANSACTION",
  TxTypeNotSupported: "TX_TYPE_NOT_SUPPORTED",
  BlobTxNotSupported: "BLOB_TX_NOT_SUPPORTED",
  InvalidChainId: "INVALID_CHAIN_ID",
  UnprotectedTx: "UNPROTECTED_TX",
  InvalidSender: "INVALID_SENDER",
  OversizedData: "OVERSIZED_DATA",
  MaxInitCodeSizeExceeded: "MAX_INITCODE_SIZE_EXCEEDED",
  GasLimitExceeded: "GAS_LIMIT_EXCEEDED",
  IntrinsicGasTooLow: "INTRINSIC_GAS_TOO_LOW",
  FloorDataGasTooLow: "FLOOR_DATA_GAS_TOO_LOW",
  TipAboveFeeCap: "TIP_ABOVE_FEE_CAP",
  Underpriced: "UNDERPRICED",
  FeeCapTooLow: "FEE_CAP_TOO_LOW",
  AlreadyKnown: "ALREADY_KNOWN",
  NonceTooLow: "NONCE_TOO_LOW",
  NonceTooHigh: "NONCE_TOO_HIGH",
  InsufficientFunds: "INSUFFICIENT_FUNDS",
  ReplacementUnderpriced: "REPLACEMENT_UNDERPRICED",
  AccountLimitExceeded: "ACCOUNT_LIMIT_EXCEEDED",
  PoolFull: "POOL_FULL",
} as const;
export type TxPoolErrorCode = (typeof TxPoolErrorCode)[keyof typeof TxPoolErrorCode];

/**
 * `data`: the numbers the message states (nonces, balances, fees, limits), typed. The RPC layer
 * sends none of it (geth sends no data with these errors, and bigints would not survive JSON).
 */
export class TxPoolError extends ConcordError<TxPoolErrorCode, Readonly<Record<string, unknown>>> {
  override readonly name = "TxPoolError";

  constructor(code: TxPoolErrorCode, message: string, data?: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super(code, message, { data, cause: options?.cause });
  }
}

/** The only place that words the pool's errors. */
export const txPoolErrors = {
  malformedRlp: (detail: string, cause?: unknown) =>
    new TxPoolError(TxPoolErrorCode.MalformedRlp, `rlp: ${detail}`, undefined, { cause }),
  invalidTransaction: (detail: string, cause?: unknown) =>
    new TxPoolError(TxPoolErrorCode.InvalidTransaction, `invalid transaction: ${detail}`, undefined, { cause }),
  txTypeNotSupported: (type: number) =>
    new TxPoolError(TxPoolErrorCode.TxTypeNotSupported, `transaction type not supported: type ${type}`, { type }),
  blobTxNotSupported: () =>
    new TxPoolError(
      TxPoolErrorCode.BlobTxNotSupported,
      "transaction type not supported: blob transactions (type 3) are not accepted on Concord",
      { type: 3 },
    ),
  invalidChainId: (have: bigint, want: bigint) =>
    new TxPoolError(TxPoolErrorCode.InvalidChainId, `invalid chain id for signer: have ${have} want ${want}`, {
      have,
      want,
    }),
  unprotectedTx: () =>
    new TxPoolError(TxPoolErrorCode.UnprotectedTx, "only replay-protected (EIP-155) transactions allowed over RPC"),
  invalidSender: (why: string, cause?: unknown) =>
    new TxPoolError(TxPoolErrorCode.InvalidSender, `invalid sender: ${why}`, undefined, { cause }),
  oversizedData: (size: number, limit: number) =>
    new TxPoolError(TxPoolErrorCode.OversizedData, `oversized data: transaction size ${size}, limit ${limit}`, {
      size,
      limit,
    }),
  maxInitCodeSizeExceeded: (size: number, limit: number) =>
    new TxPoolError(
      TxPoolErrorCode.MaxInitCodeSizeExceeded,
      `max initcode size exceeded: code size ${size}, limit ${limit}`,
      { size, limit },
    ),
  gasLimitExceeded: (gas: bigint, blockGasLimit: bigint) =>
    new TxPoolError(
      TxPoolErrorCode.GasLimitExceeded,
      `exceeds block gas limit: gas ${gas}, block gas limit ${blockGasLimit}`,
      { gas, blockGasLimit },
    ),
  intrinsicGasTooLow: (gas: bigint, minimum: bigint) =>
    new TxPoolError(TxPoolErrorCode.IntrinsicGasTooLow, `intrinsic gas too low: gas ${gas}, minimum needed ${minimum}`, {
      gas,
      minimum,
    }),
  floorDataGasTooLow: (gas: bigint, minimum: bigint) =>
    new TxPoolError(
      TxPoolErrorCode.FloorDataGasTooLow,
      `insufficient gas for floor data gas cost: gas ${gas}, minimum needed ${minimum}`,
      { gas, minimum },
    ),
  tipAboveFeeCap: (maxPriorityFeePerGas: bigint, maxFeePerGas: bigint) =>
    new TxPoolError(
      TxPoolErrorCode.TipAboveFeeCap,
      `max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: ${maxPriorityFeePerGas}, maxFeePerGas: ${maxFeePerGas}`,
      { maxPriorityFeePerGas, maxFeePerGas },
    ),
  underpriced: (tipCap: bigint, minimum: bigint) =>
    new TxPoolError(TxPoolErrorCode.Underpriced, `transaction underpriced: gas tip cap ${tipCap}, minimum needed ${minimum}`, {
      tipCap,
      minimum,
    }),
  feeCapTooLow: (maxFeePerGas: bigint, baseFee: bigint) =>
    new TxPoolError(
      TxPoolErrorCode.FeeCapTooLow,
      `max fee per gas less than block base fee: maxFeePerGas: ${maxFeePerGas}, baseFee: ${baseFee}`,
      { maxFeePerGas, baseFee },
    ),
  alreadyKnown: (hash: string) => new TxPoolError(TxPoolErrorCode.AlreadyKnown, "already known", { hash }),
  nonceTooLow: (next: bigint, nonce: bigint) =>
    new TxPoolError(TxPoolErrorCode.NonceTooLow, `nonce too low: next nonce ${next}, tx nonce ${nonce}`, { next, nonce }),
  nonceTooHigh: (next: bigint, nonce: bigint, maxGap: number) =>
    new TxPoolError(
      TxPoolErrorCode.NonceTooHigh,
      `nonce too high: next nonce ${next}, tx nonce ${nonce}, max gap ${maxGap}`,
      { next, nonce, maxGap },
    ),
  insufficientFunds: (balance: bigint, cost: bigint) =>
    new TxPoolError(
      TxPoolErrorCode.InsufficientFunds,
      `insufficient funds for gas * price + value: balance ${balance}, tx cost ${cost}, overshot ${cost - balance}`,
      { balance, cost, overshot: cost - balance },
    ),
  replacementUnderpriced: (required: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }) =>
    new TxPoolError(TxPoolErrorCode.ReplacementUnderpriced, "replacement transaction underpriced", required),
  accountLimitExceeded: (pooled: number, limit: number) =>
    new TxPoolError(
      TxPoolErrorCode.AccountLimitExceeded,
      `account limit exceeded: ${pooled} transactions pooled, limit ${limit}`,
      { pooled, limit },
    ),
  poolFull: (limit: number) => new TxPoolError(TxPoolErrorCode.PoolFull, "txpool is full", { limit }),
};
