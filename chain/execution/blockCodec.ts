/**
 * Decoding whole blocks (a proposal off the wire, a catch-up answer, a block read back from storage)
 * without ethereumjs' per-object parameter merging: every header and transaction constructor copies
 * its Common and merges its default parameter set into the copy, rebuilding the whole parameter cache
 * (~0.1-0.2 ms per transaction, the largest part of decoding a block; preparedCommon.ts). Here the
 * block and transaction sets are merged once into one shared Common, and the constructors are told
 * there is nothing more to merge.
 */
import { createBlockFromBytesArray, createBlockFromRLP, paramsBlock, type Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { paramsTx } from "@ethereumjs/tx";
import { NO_MORE_PARAMS, preparedCommon } from "./patches/preparedCommon.ts";

function decodingOptions(common: Common) {
  return { common: preparedCommon(common, "block+tx", [paramsBlock, paramsTx]), params: NO_MORE_PARAMS };
}

/** A block from its RLP serialization (what `Block.serialize()` gives). */
export function decodeBlock(rlp: Uint8Array, common: Common): Block {
  return createBlockFromRLP(rlp, decodingOptions(common));
}

/** A block from its decoded RLP fields: [header, transactions, uncles, (withdrawals)]. */
export function blockFromFields(fields: unknown[], common: Common): Block {
  return createBlockFromBytesArray(fields as never, decodingOptions(common));
}
