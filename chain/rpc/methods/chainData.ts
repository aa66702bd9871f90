/** Blocks, transactions and receipts by number, hash and index. */
import type { Block } from "@ethereumjs/block";
import { blockBySelector, blockByTag } from "../blockResolution.ts";
import { formatBlock } from "../format/block.ts";
import { formatReceipt } from "../format/receipt.ts";
import { formatTransaction } from "../format/transaction.ts";
import { encodeTransaction } from "../../execution/patches/transactionEncoding.ts";
import { bytesToHex, quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { blockSelector, blockTag, bool, hash, optional, uint64 } from "../validation.ts";
import type { Hex } from "../../types.ts";

function transactionAt(block: Block | undefined, index: bigint) {
  if (block === undefined || index >= BigInt(block.transactions.length)) return null;
  const tx = block.transactions[Number(index)]!;
  return formatTransaction(tx, tx.getSenderAddress().toString() as Hex, {
    blockHash: bytesToHex(block.hash()),
    blockNumber: block.header.number,
    transactionIndex: Number(index),
    baseFeePerGas: block.header.baseFeePerGas,
  });
}

const transactionCount = (block: Block | undefined) => (block === undefined ? null : quantity(block.transactions.length));

export const chainDataMethods: MethodTable = {
  eth_chainId: defineMethod([], ({ backend }) => quantity(backend.chainId)),
  eth_blockNumber: defineMethod([], ({ backend }) => quantity(backend.latestBlockNumber())),
  // A BFT node serves only what it has committed; catching up happens before it answers.
  eth_syncing: defineMethod([], () => false),

  eth_getBlockByNumber: defineMethod([blockTag, optional(bool)], async ({ backend }, [tag, full]) => {
    const block = await blockByTag(backend, tag);
    return block === undefined ? null : formatBlock(block, full ?? false);
  }),
  eth_getBlockByHash: defineMethod([hash, optional(bool)], async ({ backend }, [blockHash, full]) => {
    const block = await backend.getBlockByHash(blockHash);
    return block === undefined ? null : formatBlock(block, full ?? false);
  }),
  eth_getBlockTransactionCountByNumber: defineMethod([blockTag], async ({ backend }, [tag]) =>
    transactionCount(await blockByTag(backend, tag)),
  ),
  eth_getBlockTransactionCountByHash: defineMethod([hash], async ({ backend }, [blockHash]) =>
    transactionCount(await backend.getBlockByHash(blockHash)),
  ),
  eth_getUncleCountByBlockNumber: defineMethod([blockTag], async ({ backend }, [tag]) =>
    (await blockByTag(backend, tag)) === undefined ? null : "0x0",
  ),
  eth_getUncleCountByBlockHash: defineMethod([hash], async ({ backend }, [blockHash]) =>
    (await backend.getBlockByHash(blockHash)) === undefined ? null : "0x0",
  ),
  eth_getUncleByBlockNumberAndIndex: defineMethod([blockTag, uint64], () => null),
  eth_getUncleByBlockHashAndIndex: defineMethod([hash, uint64], () => null),
  eth_getTransactionByBlockNumberAndIndex: defineMethod([blockTag, uint64], async ({ backend }, [tag, index]) =>
    transactionAt(await blockByTag(backend, tag), index),
  ),
  eth_getTransactionByBlockHashAndIndex: defineMethod([hash, uint64], async ({ backend }, [blockHash, index]) =>
    transactionAt(await backend.getBlockByHash(blockHash), index),
  ),

  eth_getTransactionByHash: defineMethod([hash], async ({ backend }, [txHash]) => {
    const located = await backend.getTransaction(txHash);
    if (located === undefined) return null;
    if (located.blockHash === null || located.blockNumber === null || located.transactionIndex === null) {
      return formatTransaction(located.tx, located.sender);
    }
    const block = await backend.getBlockByHash(located.blockHash);
    return formatTransaction(located.tx, located.sender, {
      blockHash: located.blockHash,
      blockNumber: located.blockNumber,
      transactionIndex: located.transactionIndex,
      baseFeePerGas: block?.header.baseFeePerGas,
    });
  }),
  eth_getRawTransactionByHash: defineMethod([hash], async ({ backend }, [txHash]) => {
    const located = await backend.getTransaction(txHash);
    return located === undefined ? null : bytesToHex(encodeTransaction(located.tx));
  }),
  eth_getTransactionReceipt: defineMethod([hash], async ({ backend }, [txHash]) => {
    const receipt = await backend.getReceipt(txHash);
    return receipt === undefined ? null : formatReceipt(receipt);
  }),
  eth_getBlockReceipts: defineMethod([blockSelector], async ({ backend }, [selector]) => {
    const block = await blockBySelector(backend, selector);
    if (block === undefined) return null;
    const receipts = await backend.getBlockReceipts(bytesToHex(block.hash()));
    return receipts === undefined ? null : receipts.map(formatReceipt);
  }),
};
