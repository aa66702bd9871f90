/**
 * The checks that need no account state: what a transaction must be, on this chain, for this block
 * gas limit and base fee. Cheap ones run before the one expensive step, sender recovery.
 */
import { TransactionType, type TypedTransaction } from "@ethereumjs/tx";
import { checkLegacySignature, MAX_INITCODE_SIZE } from "./decodeRawTransaction.ts";
import { txPoolErrors } from "./errors.ts";
import { feeCapsOf, type FeeCaps } from "./fees.ts";

export interface StatelessRules {
  chainId: bigint;
  blockGasLimit: bigint;
  /** Base fee of the next block: a fee cap below it cannot be included now. */
  baseFee: bigint;
  minPriorityFee: bigint;
  maxTxBytes: number;
  allowUnprotected: boolean;
}

export function validateTransaction(tx: TypedTransaction, encodedLength: number, rules: StatelessRules): FeeCaps {
  if (tx.type === TransactionType.BlobEIP4844) throw txPoolErrors.blobTxNotSupported();
  if (
    tx.type !== TransactionType.Legacy &&
    tx.type !== TransactionType.AccessListEIP2930 &&
    tx.type !== TransactionType.FeeMarketEIP1559 &&
    tx.type !== TransactionType.EOACodeEIP7702
  ) {
    throw txPoolErrors.txTypeNotSupported((tx as { type: number }).type);
  }
  if (!tx.isSigned()) throw txPoolErrors.invalidSender("transaction is not signed");
  if (tx.type === TransactionType.Legacy) {
    checkLegacySignature(tx.v!, rules.chainId, rules.allowUnprotected);
  } else if (tx.chainId !== rules.chainId) {
    throw txPoolErrors.invalidChainId(tx.chainId, rules.chainId);
  }
  if (encodedLength > rules.maxTxBytes) throw txPoolErrors.oversizedData(encodedLength, rules.maxTxBytes);
  if (tx.to === undefined && tx.data.length > MAX_INITCODE_SIZE) {
    throw txPoolErrors.maxInitCodeSizeExceeded(tx.data.length, MAX_INITCODE_SIZE);
  }
  if (tx.gasLimit > rules.blockGasLimit) throw txPoolErrors.gasLimitExceeded(tx.gasLimit, rules.blockGasLimit);

  const caps = feeCapsOf(tx);
  if (caps.tipCap > caps.feeCap) throw txPoolErrors.tipAboveFeeCap(caps.tipCap, caps.feeCap);

  const intrinsic = tx.getIntrinsicGas();
  if (tx.gasLimit < intrinsic) throw txPoolErrors.intrinsicGasTooLow(tx.gasLimit, intrinsic);
  // EIP-7623 (Prague): calldata-heavy transactions pay at least the floor price for their data.
  const minimum = tx.getMinimumGasLimit();
  if (tx.gasLimit < minimum) throw txPoolErrors.floorDataGasTooLow(tx.gasLimit, minimum);

  if (caps.tipCap < rules.minPriorityFee) throw txPoolErrors.underpriced(caps.tipCap, rules.minPriorityFee);
  if (caps.feeCap < rules.baseFee) throw txPoolErrors.feeCapTooLow(caps.feeCap, rules.baseFee);
  return caps;
}
