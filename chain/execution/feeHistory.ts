/**
 * eth_feeHistory over committed blocks, by geth's rules: one base fee per block plus the next
 * block's, the gas used ratio of each block, and per block the effective priority fee at each
 * requested percentile of its gas (transactions sorted by tip, weighted by the gas they used; an empty
 * block reports zeros).
 */
import type { BlockHeader } from "@ethereumjs/block";

export interface FeeHistoryBlock {
  header: BlockHeader;
  /** Effective tip and gas used of each transaction (needed only when percentiles are asked). */
  transactions?: { tip: bigint; gasUsed: bigint }[];
}

export interface FeeHistoryResult {
  oldestBlock: bigint;
  baseFeePerGas: bigint[];
  gasUsedRatio: number[];
  reward?: bigint[][];
  baseFeePerBlobGas: bigint[];
  blobGasUsedRatio: number[];
}

/** `blocks` oldest first; `nextBaseFee` is the base fee of the block after the newest. */
export function feeHistory(blocks: readonly FeeHistoryBlock[], nextBaseFee: bigint, percentiles: readonly number[]): FeeHistoryResult {
  if (blocks.length === 0) throw new RangeError("fee history needs at least one block");
  const result: FeeHistoryResult = {
    oldestBlock: blocks[0].header.number,
    baseFeePerGas: blocks.map((b) => b.header.baseFeePerGas ?? 0n).concat(nextBaseFee),
    gasUsedRatio: blocks.map((b) => (b.header.gasLimit === 0n ? 0 : Number(b.header.gasUsed) / Number(b.header.gasLimit))),
    baseFeePerBlobGas: blocks.map((b) => b.header.getBlobGasPrice()).concat(blocks[blocks.length - 1].header.calcNextBlobGasPrice(blocks[blocks.length - 1].header.common)),
    blobGasUsedRatio: blocks.map(() => 0),
  };
  if (percentiles.length > 0) result.reward = blocks.map((b) => rewards(b, percentiles));
  return result;
}

function rewards(block: FeeHistoryBlock, percentiles: readonly number[]): bigint[] {
  const transactions = [...(block.transactions ?? [])].sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
  if (transactions.length === 0) return percentiles.map(() => 0n);
  const totalGas = transactions.reduce((sum, t) => sum + t.gasUsed, 0n);
  const out: bigint[] = [];
  let index = 0;
  let cumulative = transactions[0].gasUsed;
  for (const percentile of percentiles) {
    const threshold = (Number(totalGas) * percentile) / 100;
    while (Number(cumulative) < threshold && index < transactions.length - 1) {
      index++;
      cumulative += transactions[index].gasUsed;
    }
    out.push(transactions[index].tip);
  }
  return out;
}
