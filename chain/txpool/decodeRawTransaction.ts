/**
 * Raw bytes -> transaction, with the refusals clients understand.
 *
 * The RLP is decoded once here and the checks ethereumjs would otherwise report as generic
 * construction errors (wrong chain id, tip above fee cap, bad signature values, oversized init code)
 * are made on the decoded fields first, so each gets its own code and geth's wording. The
 * transaction object is then built from the already-decoded fields, not from the bytes again.
 */
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import {
  TransactionType,
  create1559FeeMarketTxFromBytesArray,
  createAccessList2930TxFromBytesArray,
  createEOACode7702TxFromBytesArray,
  createLegacyTxFromBytesArray,
  paramsTx,
  type TypedTransaction,
} from "@ethereumjs/tx";
import { SECP256K1_ORDER_DIV_2, bytesToBigInt } from "@ethereumjs/util";
import { NO_MORE_PARAMS, preparedCommon } from "../execution/patches/preparedCommon.ts";
import { rememberEncoding } from "../execution/patches/transactionEncoding.ts";
import { txPoolErrors } from "./errors.ts";

/** EIP-3860: twice the EIP-170 code size limit; active on every Concord chain (Shanghai and later). */
export const MAX_INITCODE_SIZE = 2 * 24576;

export interface DecodeOptions {
  /** Ideally from `transactionCommon()`: decoding then skips ethereumjs' per-tx params copy. */
  common: Common;
  maxTxBytes: number;
  allowUnprotected: boolean;
}

/** Where each typed transaction keeps its fields (chain id first, y-parity, r, s last). */
interface TypedLayout {
  fields: number;
  tip?: number;
  fee?: number;
  to: number;
  data: number;
  /** Positions that are RLP lists (access list, authorization list). */
  lists: number[];
}
const TYPED_LAYOUT: Record<number, TypedLayout> = {
  [TransactionType.AccessListEIP2930]: { fields: 11, to: 4, data: 6, lists: [7] },
  [TransactionType.FeeMarketEIP1559]: { fields: 12, tip: 2, fee: 3, to: 5, data: 7, lists: [8] },
  [TransactionType.EOACodeEIP7702]: { fields: 13, tip: 2, fee: 3, to: 5, data: 7, lists: [8, 9] },
};
const LEGACY_FIELDS = 9;

type RlpValue = Uint8Array | RlpValue[];

export function decodeRawTransaction(raw: Uint8Array, options: DecodeOptions): TypedTransaction {
  if (raw.length === 0) throw txPoolErrors.malformedRlp("empty input");
  if (raw.length > options.maxTxBytes) throw txPoolErrors.oversizedData(raw.length, options.maxTxBytes);
  const chainId = options.common.chainId();
  const first = raw[0]!;

  if (first >= 0xc0) {
    const values = decodeList(raw);
    checkFieldCount(values, LEGACY_FIELDS, [], "legacy");
    const fields = values as Uint8Array[];
    checkLegacySignature(bytesToBigInt(fields[6]!), chainId, options.allowUnprotected);
    checkSignatureValues(fields[7]!, fields[8]!);
    checkInitCodeSize(fields[3]!, fields[5]!);
    return construct(raw, () => createLegacyTxFromBytesArray(fields, txOptions(options.common)));
  }
  if (first >= 0x80) throw txPoolErrors.malformedRlp("expected input list for a legacy transaction, got a byte string");

  if (first === TransactionType.BlobEIP4844) throw txPoolErrors.blobTxNotSupported();
  const layout = TYPED_LAYOUT[first];
  if (layout === undefined) throw txPoolErrors.txTypeNotSupported(first);
  const values = decodeList(raw.subarray(1));
  checkFieldCount(values, layout.fields, layout.lists, `type ${first}`);
  const field = (index: number): Uint8Array => values[index] as Uint8Array;
  // ethereumjs checks every other integer field for leading zeroes; a padded chain id would decode
  // to the same transaction under a second hash.
  if (field(0)[0] === 0) throw txPoolErrors.invalidTransaction("chainId cannot have leading zeroes");
  const txChainId = bytesToBigInt(field(0));
  if (txChainId !== chainId) throw txPoolErrors.invalidChainId(txChainId, chainId);
  const yParity = bytesToBigInt(field(layout.fields - 3));
  if (yParity > 1n) throw txPoolErrors.invalidSender(`invalid signature y-parity ${yParity}`);
  checkSignatureValues(field(layout.fields - 2), field(layout.fields - 1));
  if (layout.tip !== undefined && layout.fee !== undefined) {
    const tip = bytesToBigInt(field(layout.tip));
    const fee = bytesToBigInt(field(layout.fee));
    if (tip > fee) throw txPoolErrors.tipAboveFeeCap(tip, fee);
  }
  checkInitCodeSize(field(layout.to), field(layout.data));
  const common = txOptions(options.common);
  const fields = values as never;
  switch (first) {
    case TransactionType.AccessListEIP2930:
      return construct(raw, () => createAccessList2930TxFromBytesArray(fields, common));
    case TransactionType.FeeMarketEIP1559:
      return construct(raw, () => create1559FeeMarketTxFromBytesArray(fields, common));
    default:
      return construct(raw, () => createEOACode7702TxFromBytesArray(fields, common));
  }
}

/**
 * A Common for decoding many transactions: the tx parameter set merged once (preparedCommon.ts), so
 * each decode merges nothing (every tx constructor otherwise deep-copies the set and rebuilds its
 * Common's whole parameter cache: ~30-100 us, the largest cost of a decode).
 */
export function transactionCommon(common: Common): Common {
  const prepared = preparedCommon(common, "tx", [paramsTx]);
  TX_PARAMS_MERGED.add(prepared);
  return prepared;
}

const TX_PARAMS_MERGED = new WeakSet<Common>();

function txOptions(common: Common): { common: Common; params?: typeof NO_MORE_PARAMS } {
  return TX_PARAMS_MERGED.has(common) ? { common, params: NO_MORE_PARAMS } : { common };
}

function decodeList(bytes: Uint8Array): RlpValue[] {
  let decoded: RlpValue;
  try {
    decoded = RLP.decode(bytes) as RlpValue;
  } catch (error) {
    throw txPoolErrors.malformedRlp(error instanceof Error ? error.message : String(error), error);
  }
  if (!Array.isArray(decoded)) throw txPoolErrors.malformedRlp("expected input list, got a byte string");
  return decoded;
}

function checkFieldCount(values: RlpValue[], signedCount: number, lists: number[], kind: string): void {
  // Unsigned forms: without the three signature fields, or with all three empty (ethereumjs' raw()).
  const unsignedForm = values.length === signedCount - 3;
  const emptySignature = values.length === signedCount && values.slice(-3).every((field) => isEmptyBytes(field));
  if (unsignedForm || emptySignature) throw txPoolErrors.invalidSender("transaction is not signed");
  if (values.length !== signedCount) {
    throw txPoolErrors.invalidTransaction(`${kind} transaction needs ${signedCount} fields, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (Array.isArray(values[i]) !== lists.includes(i)) {
      throw txPoolErrors.invalidTransaction(`field ${i} must be ${lists.includes(i) ? "a list" : "a byte string"}`);
    }
  }
}

function isEmptyBytes(value: RlpValue): boolean {
  return value instanceof Uint8Array && value.length === 0;
}

/** A legacy v says whether and for which chain it was signed (EIP-155: v = chainId * 2 + 35/36). */
export function checkLegacySignature(v: bigint, chainId: bigint, allowUnprotected: boolean): void {
  if (v === 27n || v === 28n) {
    if (!allowUnprotected) throw txPoolErrors.unprotectedTx();
    return;
  }
  if (v < 35n) throw txPoolErrors.invalidSender(`invalid signature v value ${v}`);
  const signedFor = (v - 35n) / 2n;
  if (signedFor !== chainId) throw txPoolErrors.invalidChainId(signedFor, chainId);
}

function checkSignatureValues(rBytes: Uint8Array, sBytes: Uint8Array): void {
  const r = bytesToBigInt(rBytes);
  const s = bytesToBigInt(sBytes);
  if (r === 0n || s === 0n) throw txPoolErrors.invalidSender("invalid signature: r and s must be non-zero");
  // EIP-2: the high-s twin of a signature is refused, or one transaction would have two hashes.
  if (s > SECP256K1_ORDER_DIV_2) throw txPoolErrors.invalidSender("invalid signature: s-value greater than secp256k1n/2");
}

function checkInitCodeSize(to: Uint8Array, data: Uint8Array): void {
  if (to.length === 0 && data.length > MAX_INITCODE_SIZE) {
    throw txPoolErrors.maxInitCodeSizeExceeded(data.length, MAX_INITCODE_SIZE);
  }
}

function construct(raw: Uint8Array, build: () => TypedTransaction): TypedTransaction {
  try {
    const tx = build();
    rememberEncoding(tx, raw);
    return tx;
  } catch (error) {
    throw txPoolErrors.invalidTransaction(error instanceof Error ? error.message : String(error), error);
  }
}
