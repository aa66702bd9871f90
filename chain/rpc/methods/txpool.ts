/** txpool_*: what waits in this node's pool, in geth's shapes. */
import type { TypedTransaction } from "@ethereumjs/tx";
import { getAddress } from "ethers";
import { formatTransaction } from "../format/transaction.ts";
import { quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import type { Hex } from "../../types.ts";

type Grouped = Map<Hex, TypedTransaction[]>;

/** { checksummedSender: { nonceInDecimal: value } }, as geth keys txpool_content and txpool_inspect. */
function bySenderAndNonce<T>(grouped: Grouped, describe: (tx: TypedTransaction, sender: Hex) => T) {
  const result: Record<string, Record<string, T>> = {};
  for (const [sender, txs] of grouped) {
    const entries: Record<string, T> = {};
    for (const tx of txs) entries[tx.nonce.toString(10)] = describe(tx, sender);
    result[getAddress(sender)] = entries;
  }
  return result;
}

function countOf(grouped: Grouped): number {
  let count = 0;
  for (const txs of grouped.values()) count += txs.length;
  return count;
}

function summary(tx: TypedTransaction): string {
  const to = tx.to === undefined ? "contract creation" : tx.to.toString();
  const price = "maxFeePerGas" in tx ? tx.maxFeePerGas : tx.gasPrice;
  return `${to}: ${tx.value} wei + ${tx.gasLimit} gas × ${price} wei`;
}

export const txpoolMethods: MethodTable = {
  txpool_content: defineMethod([], ({ backend }) => {
    const { pending, queued } = backend.txpoolContent();
    return { pending: bySenderAndNonce(pending, formatTransaction), queued: bySenderAndNonce(queued, formatTransaction) };
  }),
  txpool_status: defineMethod([], ({ backend }) => {
    const { pending, queued } = backend.txpoolContent();
    return { pending: quantity(countOf(pending)), queued: quantity(countOf(queued)) };
  }),
  txpool_inspect: defineMethod([], ({ backend }) => {
    const { pending, queued } = backend.txpoolContent();
    return { pending: bySenderAndNonce(pending, summary), queued: bySenderAndNonce(queued, summary) };
  }),
};
