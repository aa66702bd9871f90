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
import { RLP } from "@ethereumjs/rlp";
import { NO_MORE_PARAMS, preparedCommon } from "./patches/preparedCommon.ts";
import { encodeTransaction } from "./patches/transactionEncoding.ts";

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

/**
 * `block.serialize().length` without serializing the block: the header's encoding plus each
 * transaction's remembered encoding (transactionEncoding.ts), put together by RLP's length rules.
 * eth_getBlockBy* and newHeads report a block's size; serializing it again for that was ~5% of the
 * node's main thread under one-transaction blocks.
 */
export function encodedBlockSize(block: Block): number {
  let transactions = 0;
  for (const tx of block.transactions) {
    const encoding = encodeTransaction(tx);
    // A typed transaction is a byte string in the block (its envelope); a legacy one is its own RLP list.
    transactions += tx.type === 0 ? encoding.length : byteStringLength(encoding);
  }
  let payload = block.header.serialize().length + listLength(transactions) + RLP.encode(block.uncleHeaders.map((uncle) => uncle.raw())).length;
  if (block.withdrawals !== undefined) payload += RLP.encode(block.withdrawals.map((withdrawal) => withdrawal.raw())).length;
  return listLength(payload);
}

/** Bytes of an RLP list whose items take `payload` bytes. */
function listLength(payload: number): number {
  return payload < 56 ? 1 + payload : 1 + lengthOfLength(payload) + payload;
}

/** Bytes of `bytes` encoded as an RLP byte string. */
function byteStringLength(bytes: Uint8Array): number {
  if (bytes.length === 1 && bytes[0] < 0x80) return 1;
  return bytes.length < 56 ? 1 + bytes.length : 1 + lengthOfLength(bytes.length) + bytes.length;
}

function lengthOfLength(length: number): number {
  let bytes = 0;
  for (; length > 0; length = Math.floor(length / 256)) bytes++;
  return bytes;
}
