/**
 * Blocks and headers as geth returns them (eth_getBlockBy*, `newHeads`).
 *
 * Fork fields (baseFeePerGas, withdrawalsRoot, blobGasUsed, excessBlobGas, parentBeaconBlockRoot,
 * requestsHash) appear exactly when the header has them; viem and ethers read them to pick fee modes.
 */
import type { Block, BlockHeader } from "@ethereumjs/block";
import { bytesToHex, quantity } from "../hex.ts";
import { formatTransaction, type RpcTransaction } from "./transaction.ts";
import { encodedBlockSize } from "../../execution/blockCodec.ts";
import type { Hex } from "../../types.ts";

export function formatHeader(header: BlockHeader, hash: Hex = bytesToHex(header.hash())): Record<string, unknown> {
  const result: Record<string, unknown> = {
    number: quantity(header.number),
    hash,
    parentHash: bytesToHex(header.parentHash),
    nonce: bytesToHex(header.nonce),
    mixHash: bytesToHex(header.mixHash),
    sha3Uncles: bytesToHex(header.uncleHash),
    logsBloom: bytesToHex(header.logsBloom),
    stateRoot: bytesToHex(header.stateRoot),
    miner: header.coinbase.toString(),
    difficulty: quantity(header.difficulty),
    extraData: bytesToHex(header.extraData),
    gasLimit: quantity(header.gasLimit),
    gasUsed: quantity(header.gasUsed),
    timestamp: quantity(header.timestamp),
    transactionsRoot: bytesToHex(header.transactionsTrie),
    receiptsRoot: bytesToHex(header.receiptTrie),
  };
  if (header.baseFeePerGas !== undefined) result.baseFeePerGas = quantity(header.baseFeePerGas);
  if (header.withdrawalsRoot !== undefined) result.withdrawalsRoot = bytesToHex(header.withdrawalsRoot);
  if (header.blobGasUsed !== undefined) result.blobGasUsed = quantity(header.blobGasUsed);
  if (header.excessBlobGas !== undefined) result.excessBlobGas = quantity(header.excessBlobGas);
  if (header.parentBeaconBlockRoot !== undefined) result.parentBeaconBlockRoot = bytesToHex(header.parentBeaconBlockRoot);
  if (header.requestsHash !== undefined) result.requestsHash = bytesToHex(header.requestsHash);
  return result;
}

/** Recovers each sender once per call; the node's transactions cache the recovered key. */
export function blockTransactions(block: Block, hash: Hex): RpcTransaction[] {
  return block.transactions.map((tx, transactionIndex) =>
    formatTransaction(tx, tx.getSenderAddress().toString() as Hex, {
      blockHash: hash,
      blockNumber: block.header.number,
      transactionIndex,
      baseFeePerGas: block.header.baseFeePerGas,
    }),
  );
}

export function formatBlock(block: Block, fullTransactions: boolean): Record<string, unknown> {
  const hash = bytesToHex(block.hash());
  const result = formatHeader(block.header, hash);
  result.size = quantity(encodedBlockSize(block));
  result.uncles = block.uncleHeaders.map((uncle) => bytesToHex(uncle.hash()));
  result.transactions = fullTransactions
    ? blockTransactions(block, hash)
    : block.transactions.map((tx) => bytesToHex(tx.hash()));
  if (block.header.withdrawalsRoot !== undefined) result.withdrawals = (block.withdrawals ?? []).map((w) => w.toJSON());
  return result;
}
