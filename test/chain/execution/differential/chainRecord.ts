/**
 * A chain built by Concord's executor, as data another process can replay: the genesis allocation,
 * every block's RLP, and what Concord computed for each block (roots, bloom, gas, receipts, logs).
 * Imports nothing of Concord's execution (the stock replay imports it where no patch may exist).
 */
export interface RecordedAccount {
  balance: string;
  nonce: string;
  code: string;
  storage: Record<string, string>;
}

export interface RecordedReceipt {
  status: number;
  cumulativeGasUsed: string;
  gasUsed: string;
  /** [address, topics, data] as hex. */
  logs: [string, string[], string][];
}

/** What executing a block produced: compared field by field between Concord and stock ethereumjs. */
export interface BlockResult {
  number: string;
  stateRoot: string;
  receiptsRoot: string;
  logsBloom: string;
  gasUsed: string;
  requestsHash: string;
  receipts: RecordedReceipt[];
}

export interface ChainRecord {
  name: string;
  chainId: string;
  alloc: Record<string, RecordedAccount>;
  /** RLP of the genesis block, then of each block in order. */
  genesis: string;
  blocks: string[];
}

export interface ReplayResult {
  name: string;
  genesisRoot: string;
  results: BlockResult[];
}
