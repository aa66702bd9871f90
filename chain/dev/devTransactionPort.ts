/**
 * Dev mode's decoration of the node's transaction port (chain/node/transactionPort.ts): impersonated
 * transactions wait beside the pool and go into blocks after the pool's own, count as executable,
 * are found by hash and move the sender's pending nonce; and with automine on, a submission answers
 * once its block is committed (failing with the reason if the transaction failed), as on Hardhat.
 */
import type { TransactionPort } from "../node/transactionPort.ts";
import type { DevChain } from "./devChain.ts";

export function devTransactionPort(inner: TransactionPort, dev: DevChain): TransactionPort {
  return {
    submit: async (raw, onAdmitted) => {
      const hash = await inner.submit(raw, onAdmitted);
      await dev.afterSubmit(hash);
      return hash;
    },
    candidates: (baseFee, gasLimit) => [...inner.candidates(baseFee, gasLimit), ...dev.candidates()],
    executableCount: () => inner.executableCount() + dev.executableCount(),
    waiting: (hash) => inner.waiting(hash) ?? dev.impersonatedTransaction(hash),
    drop: (hash) => inner.drop(hash) || dev.dropRefused(hash),
    pendingNonce: async (sender) => {
      const pooled = await inner.pendingNonce(sender);
      const impersonated = dev.impersonatedPendingNonce(sender);
      return impersonated !== undefined && impersonated > pooled ? impersonated : pooled;
    },
  };
}
