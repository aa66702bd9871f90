export interface TxPoolOptions {
  /** Transactions one sender may have pooled (pending and queued together). */
  maxPerSender: number;
  /** Transactions the whole pool holds; past it the cheapest is evicted or the newcomer refused. */
  maxTotal: number;
  /** Largest accepted encoding of one transaction, in bytes. */
  maxTxBytes: number;
  /** A same-nonce replacement must raise both fee caps by at least this many percent. */
  priceBumpPercent: number;
  /** Smallest accepted tip cap (maxPriorityFeePerGas, or gasPrice for legacy); default 0. */
  minPriorityFee?: bigint;
  /** How far beyond a sender's next executable nonce a queued transaction may reach. */
  maxNonceGap?: number;
  /**
   * Accept legacy transactions signed without EIP-155 chain id (v = 27/28), as Hardhat and Anvil do.
   * The keyless deployment of the CREATE2 factories (Arachnid's deterministic deployer, used by
   * Safe, Foundry and Ignition's create2 strategy) depends on exactly such transactions.
   */
  allowUnprotected?: boolean;
  /**
   * Recover the senders of raw transactions on a worker thread (default true): the main thread keeps
   * building blocks and answering RPC meanwhile. False recovers on the calling thread.
   */
  recoverSendersOnWorker?: boolean;
}

/**
 * Generous devnet values, close to geth's: geth keeps 4096 executable + 1024 queued slots; a node
 * benchmark pushes several thousand transfers between two blocks, so the total is 8192. Per sender
 * is high because Hardhat users send hundreds of transactions from one test account before mining.
 */
export const DEFAULT_TXPOOL_OPTIONS: TxPoolOptions = Object.freeze({
  maxPerSender: 1024,
  maxTotal: 8192,
  maxTxBytes: 128 * 1024,
  priceBumpPercent: 10,
  minPriorityFee: 0n,
  maxNonceGap: 1024,
  allowUnprotected: true,
  recoverSendersOnWorker: true,
});

/** All options filled in and checked once, at construction. */
export type ResolvedTxPoolOptions = Required<TxPoolOptions>;

export function resolveTxPoolOptions(options: Partial<TxPoolOptions>): ResolvedTxPoolOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULT_TXPOOL_OPTIONS, ...defined } as ResolvedTxPoolOptions;
  for (const key of ["maxPerSender", "maxTotal", "maxTxBytes"] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`txpool option ${key} must be a positive integer, got ${resolved[key]}`);
    }
  }
  for (const key of ["priceBumpPercent", "maxNonceGap"] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 0) {
      throw new RangeError(`txpool option ${key} must be a non-negative integer, got ${resolved[key]}`);
    }
  }
  if (typeof resolved.minPriorityFee !== "bigint" || resolved.minPriorityFee < 0n) {
    throw new RangeError(`txpool option minPriorityFee must be a non-negative bigint, got ${resolved.minPriorityFee}`);
  }
  return resolved;
}
