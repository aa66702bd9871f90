/**
 * A transaction executed as a sender it names rather than one recovered from its signature: dev
 * mode's impersonated transactions (chain/dev/impersonation.ts), and stored transactions replayed
 * with the senders recorded for them (traces, dev-chain replays).
 *
 * Such a transaction is exempt from EIP-3607 (no sender with code) in block execution, as on
 * Hardhat's and Anvil's nodes: impersonating a Timelock, a Governor or a Safe and sending from it is
 * how DAO actions are tested. Transactions decoded from the wire are never bound, so a real chain's
 * blocks cannot use the exemption.
 */
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { Address, hexToBytes } from "@ethereumjs/util";
import { ConcordError } from "../concordError.ts";
import type { Hex } from "../types.ts";

const bound = new WeakSet<TypedTransaction>();

export class ImpersonatedSignatureError extends ConcordError<"NO_PUBLIC_KEY"> {
  override readonly name = "ImpersonatedSignatureError";
  constructor(readonly sender: Hex) {
    super("NO_PUBLIC_KEY", `the transaction of impersonated account ${sender} has no signature to recover a public key from`);
  }
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
  bound.add(tx);
  return tx;
}

/** A copy of a stored transaction that is not frozen, so a sender can be bound to it. */
export function unfrozenCopy(tx: TypedTransaction): TypedTransaction {
  return createTx({ ...tx.toJSON(), type: tx.type } as Parameters<typeof createTx>[0], { common: tx.common, freeze: false });
}

/** Whether `tx` runs as a bound sender (see above). */
export function hasBoundSender(tx: TypedTransaction): boolean {
  return bound.has(tx);
}
