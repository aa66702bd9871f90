/**
 * Transaction gossip among the validators: a transaction admitted to one node's pool (sent to its
 * JSON-RPC) is sent to every other validator, which admits it to its own pool, so whoever proposes
 * next includes it, whichever node the client talked to.
 *
 * Validators are fully connected (every validator dials every other), so one hop reaches all and a
 * received transaction is not sent on: no relay storms, nothing to deduplicate beyond the pool's own
 * "already known". A peer that sends bytes that are not a transaction at all (malformed RLP, a bad
 * signature, another chain's transaction) is reported; a transaction that is merely late (already
 * known, nonce already used, pool full) is not the sender's fault.
 */
import type { ConsensusNetwork } from "../consensus/engine.ts";
import type { TransactionPort } from "../node/transactionPort.ts";
import { TxPoolError, TxPoolErrorCode } from "../txpool/errors.ts";

export const TRANSACTIONS_TOPIC = "concord/transactions/1";

/** Malformed, not merely late: what a correct peer never sends. */
const PEER_FAULTS: ReadonlySet<string> = new Set([
  TxPoolErrorCode.MalformedRlp,
  TxPoolErrorCode.InvalidTransaction,
  TxPoolErrorCode.InvalidChainId,
  TxPoolErrorCode.InvalidSender,
  TxPoolErrorCode.UnprotectedTx,
  TxPoolErrorCode.TxTypeNotSupported,
]);

/** Decorates `port`: what it admits from clients is gossiped; what peers gossip is admitted. */
export function gossipTransactions(port: TransactionPort, network: ConsensusNetwork): { port: TransactionPort; stop(): void } {
  const stop = network.onMessage((topic, payload, from) => {
    if (topic !== TRANSACTIONS_TOPIC) return;
    port.submit(payload).catch((error: unknown) => {
      if (error instanceof TxPoolError && PEER_FAULTS.has(error.code)) network.reportInvalid?.(from, `gossiped transaction refused: ${error.message}`);
    });
  });
  return {
    port: {
      ...port,
      async submit(raw, onAdmitted) {
        const hash = await port.submit(raw, onAdmitted);
        network.broadcast(TRANSACTIONS_TOPIC, raw).catch(() => {
          // Best effort: a validator that misses it gets it when this node proposes.
        });
        return hash;
      },
    },
    stop,
  };
}
