export type { PoolStateReader, PooledTransaction } from "./types.ts";
export { DEFAULT_TXPOOL_OPTIONS, type TxPoolOptions } from "./options.ts";
export { TxPool, type TxPoolEvents, type TxPoolParams } from "./txPool.ts";
export { TxPoolError, TxPoolErrorCode } from "./errors.ts";
export { decodeRawTransaction, transactionCommon, MAX_INITCODE_SIZE } from "./decodeRawTransaction.ts";
