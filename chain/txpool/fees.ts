import type { TypedTransaction } from "@ethereumjs/tx";

/** The two prices every transaction type reduces to; a legacy gasPrice is both caps. */
export interface FeeCaps {
  /** maxFeePerGas, or gasPrice. */
  feeCap: bigint;
  /** maxPriorityFeePerGas, or gasPrice. */
  tipCap: bigint;
}

export function feeCapsOf(tx: TypedTransaction): FeeCaps {
  if ("maxFeePerGas" in tx) return { feeCap: tx.maxFeePerGas, tipCap: tx.maxPriorityFeePerGas };
  return { feeCap: tx.gasPrice, tipCap: tx.gasPrice };
}

/** What the block producer earns per gas at `baseFee`; negative when the fee cap is below it. */
export function effectiveTip(caps: FeeCaps, baseFee: bigint): bigint {
  const headroom = caps.feeCap - baseFee;
  return caps.tipCap < headroom ? caps.tipCap : headroom;
}

/** The most the sender can be charged: gas * fee cap + value (geth's tx.Cost(), the EVM's upfront check). */
export function maxCostOf(tx: TypedTransaction, caps: FeeCaps): bigint {
  return tx.gasLimit * caps.feeCap + tx.value;
}

/**
 * The caps a same-nonce replacement must reach: both strictly above the old ones and at least
 * `bumpPercent` higher (geth's legacypool rule, integer arithmetic as there).
 */
export function replacementThreshold(old: FeeCaps, bumpPercent: number): FeeCaps {
  const factor = BigInt(100 + bumpPercent);
  const feeCap = (old.feeCap * factor) / 100n;
  const tipCap = (old.tipCap * factor) / 100n;
  return { feeCap: feeCap > old.feeCap ? feeCap : old.feeCap + 1n, tipCap: tipCap > old.tipCap ? tipCap : old.tipCap + 1n };
}

export function meetsReplacementThreshold(candidate: FeeCaps, threshold: FeeCaps): boolean {
  return candidate.feeCap >= threshold.feeCap && candidate.tipCap >= threshold.tipCap;
}
