/**
 * Transactions from impersonated accounts (hardhat_impersonateAccount): eth_sendTransaction from an
 * address the node has no key for. The transaction is an ordinary one of its type with a placeholder
 * signature, bound to its sender: execution asks the object for its sender (`getSenderAddress`)
 * instead of recovering one, which is what Hardhat's and Anvil's nodes do too.
 *
 * The placeholder signature is (r = a hash of the sender and the unsigned transaction, s = 1,
 * y-parity 0): two senders sending the same fields get different transaction hashes, and the values
 * pass every client's signature-shape checks (r < n, low s). It recovers to no meaningful address, so
 * such a transaction is only ever valid on the dev chain that accepted it; it never enters the
 * transaction pool (which recovers senders) and nothing but this module creates it.
 */
import { createTx, TransactionType, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToBigInt, concatBytes, hexToBytes, SECP256K1_ORDER } from "@ethereumjs/util";
import { bindSender } from "../execution/boundSender.ts";
import { keccak256 } from "../execution/crypto.ts";
import type { Hex } from "../types.ts";

export { bindSender, unfrozenCopy } from "../execution/boundSender.ts";

/** `unsigned` with a placeholder signature, executed as `sender`. */
export function impersonatedTransaction(unsigned: TypedTransaction, sender: Hex): TypedTransaction {
  const r = (bytesToBigInt(keccak256(concatBytes(hexToBytes(sender), unsigned.getHashedMessageToSign()))) % (SECP256K1_ORDER - 1n)) + 1n;
  const v = unsigned.type === TransactionType.Legacy ? unsigned.common.chainId() * 2n + 35n : 0n;
  const signed = createTx({ ...unsigned.toJSON(), type: unsigned.type, v, r, s: 1n } as Parameters<typeof createTx>[0], {
    common: unsigned.common,
    freeze: false,
  });
  return bindSender(signed, sender);
}
