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
import { Address, bytesToBigInt, concatBytes, hexToBytes, SECP256K1_ORDER } from "@ethereumjs/util";
import { keccak256 } from "../execution/crypto.ts";
import type { Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export class ImpersonatedSignatureError extends ConcordError<"NO_PUBLIC_KEY"> {
  override readonly name = "ImpersonatedSignatureError";
  constructor(readonly sender: Hex) {
    super("NO_PUBLIC_KEY", `the transaction of impersonated account ${sender} has no signature to recover a public key from`);
  }
}

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

/**
 * Makes `tx` report `sender` as its sender without signature recovery (an impersonated transaction
 * read back from storage, before a trace replays it). `tx` must not be frozen.
 */
export function bindSender(tx: TypedTransaction, sender: Hex): TypedTransaction {
  const address = new Address(hexToBytes(sender));
  Object.defineProperties(tx, {
    getSenderAddress: { value: () => address },
    verifySignature: { value: () => true },
    getSenderPublicKey: {
      value: () => {
        throw new ImpersonatedSignatureError(sender);
      },
    },
  });
  Object.freeze(tx);
  return tx;
}

/** A copy of a stored transaction that is not frozen, so a sender can be bound to it. */
export function unfrozenCopy(tx: TypedTransaction): TypedTransaction {
  return createTx({ ...tx.toJSON(), type: tx.type } as Parameters<typeof createTx>[0], { common: tx.common, freeze: false });
}
