/**
 * Transactions as geth's `RPCTransaction` (eth_getTransactionByHash, full blocks, txpool_content).
 *
 * Field rules clients rely on: `input` (not `data`), `gas` (not `gasLimit`); typed transactions carry
 * `chainId`, `accessList`, `yParity` and `v` (= yParity); a legacy one carries `chainId` only when it is
 * EIP-155 protected; an EIP-1559 transaction's `gasPrice` is what it paid in its block, or its fee cap
 * while pending.
 */
import { TransactionType, type TypedTransaction } from "@ethereumjs/tx";
import { keccak256 } from "ethers";
import { bytesToHex, quantity } from "../hex.ts";
import type { Hex } from "../../types.ts";

/** Where a transaction sits; absent for a pending one. */
export interface TransactionLocation {
  blockHash: Hex;
  blockNumber: bigint;
  transactionIndex: number;
  /** Base fee of the containing block, for the effective gas price. */
  baseFeePerGas: bigint | undefined;
}

export type RpcTransaction = Record<string, unknown> & { hash: Hex; from: Hex };

export function effectiveGasPrice(tx: TypedTransaction, baseFeePerGas: bigint | undefined): bigint {
  if (!("maxFeePerGas" in tx)) return tx.gasPrice;
  if (baseFeePerGas === undefined) return tx.maxFeePerGas;
  const tip = tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFeePerGas ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFeePerGas;
  return baseFeePerGas + tip;
}

export function formatTransaction(tx: TypedTransaction, sender: Hex, location?: TransactionLocation): RpcTransaction {
  const json = tx.toJSON();
  const isTyped = tx.type !== TransactionType.Legacy;
  const result: RpcTransaction = {
    blockHash: location?.blockHash ?? null,
    blockNumber: location === undefined ? null : quantity(location.blockNumber),
    from: sender,
    gas: quantity(tx.gasLimit),
    gasPrice: quantity(effectiveGasPrice(tx, location?.baseFeePerGas)),
    // An unsigned transaction (eth_fillTransaction) is named by the hash of its unsigned encoding.
    hash: tx.isSigned() ? bytesToHex(tx.hash()) : (keccak256(tx.serialize()) as Hex),
    input: bytesToHex(tx.data),
    nonce: quantity(tx.nonce),
    to: tx.to === undefined ? null : (tx.to.toString() as Hex),
    transactionIndex: location === undefined ? null : quantity(location.transactionIndex),
    value: quantity(tx.value),
    type: quantity(tx.type),
  };
  if ("maxFeePerGas" in tx) {
    result.maxFeePerGas = quantity(tx.maxFeePerGas);
    result.maxPriorityFeePerGas = quantity(tx.maxPriorityFeePerGas);
  }
  if (json.maxFeePerBlobGas !== undefined) result.maxFeePerBlobGas = json.maxFeePerBlobGas;
  if (isTyped) {
    result.accessList = json.accessList ?? [];
    result.chainId = json.chainId;
  } else if (tx.v !== undefined && tx.v >= 35n) {
    result.chainId = quantity((tx.v - 35n) / 2n);
  }
  if (json.blobVersionedHashes !== undefined) result.blobVersionedHashes = json.blobVersionedHashes;
  if (json.authorizationList !== undefined) result.authorizationList = json.authorizationList;
  result.v = json.v ?? "0x0";
  result.r = json.r ?? "0x0";
  result.s = json.s ?? "0x0";
  if (isTyped) result.yParity = json.v ?? "0x0";
  return result;
}
