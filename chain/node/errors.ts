/** The node's own errors: bad options, and calls that need a started (or stopped) node. */
import { ConcordError } from "../concordError.ts";

export class NodeOptionsError extends ConcordError<"INVALID_NODE_OPTIONS"> {
  override readonly name = "NodeOptionsError";
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super("INVALID_NODE_OPTIONS", `invalid node option ${option}: ${reason}`);
  }
}

export type NodeStateErrorCode = "NOT_STARTED" | "ALREADY_STARTED" | "GENESIS_MISMATCH" | "INVALID_STAKING_GENESIS";

export class NodeStateError extends ConcordError<NodeStateErrorCode> {
  override readonly name = "NodeStateError";
}

/**
 * A transaction the pool had accepted that a block build refused (it cannot run on the chain's state:
 * a sender with code, a balance gone...): it was dropped from the pool. Reported through the node's
 * onError so that it is logged; a client waiting for it (automine) gets the reason too.
 */
export class TransactionDroppedError extends ConcordError<"TRANSACTION_DROPPED"> {
  override readonly name = "TransactionDroppedError";
  constructor(
    readonly hash: string,
    readonly sender: string,
    readonly reason: string,
  ) {
    super("TRANSACTION_DROPPED", `transaction ${hash} from ${sender} dropped: a block could not include it (${reason})`);
  }
}
