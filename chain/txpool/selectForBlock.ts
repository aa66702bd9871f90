/**
 * The block producer's view of the pool: geth's TransactionsByPriceAndNonce. Each sender offers its
 * pending transactions in nonce order; a heap over the senders' next transactions always takes the
 * best effective tip (first arrival on ties). O(senders + selected * log senders).
 */
import { BinaryHeap } from "./binaryHeap.ts";
import { effectiveTip } from "./fees.ts";
import type { PoolEntry, SenderTransactions } from "./senderTransactions.ts";

/** A transfer's gas: below this nothing else fits. */
const MIN_TX_GAS = 21000n;

interface SenderCursor {
  sender: SenderTransactions;
  entry: PoolEntry;
  tip: bigint;
  /** Balance left after the sender's transactions already taken, at their worst-case charge. */
  balance: bigint;
}

export function selectForBlock(senders: Iterable<SenderTransactions>, baseFee: bigint, gasLimit: bigint): PoolEntry[] {
  const cursors: SenderCursor[] = [];
  for (const sender of senders) {
    if (sender.pendingEnd === sender.stateNonce) continue;
    const entry = sender.byNonce.get(sender.stateNonce)!;
    cursors.push({ sender, entry, tip: effectiveTip(entry, baseFee), balance: sender.balance });
  }
  const heap = new BinaryHeap<SenderCursor>(
    (a, b) => a.tip > b.tip || (a.tip === b.tip && a.entry.seq < b.entry.seq),
    cursors,
  );
  const selected: PoolEntry[] = [];
  let gasLeft = gasLimit;
  while (gasLeft >= MIN_TX_GAS) {
    const cursor = heap.peek();
    if (cursor === undefined) break;
    const { entry } = cursor;
    // A skipped transaction ends its sender's sequence: the later nonces depend on it.
    if (entry.feeCap < baseFee || entry.tx.gasLimit > gasLeft || entry.cost > cursor.balance) {
      heap.pop();
      continue;
    }
    selected.push(entry);
    gasLeft -= entry.tx.gasLimit;
    // The most this one can take: all its gas at the price it pays here, plus its value.
    cursor.balance -= entry.tx.gasLimit * (baseFee + cursor.tip) + entry.tx.value;
    const next = entry.nonce + 1n < cursor.sender.pendingEnd ? cursor.sender.byNonce.get(entry.nonce + 1n) : undefined;
    if (next === undefined) {
      heap.pop();
      continue;
    }
    cursor.entry = next;
    cursor.tip = effectiveTip(next, baseFee);
    heap.topChanged();
  }
  return selected;
}
