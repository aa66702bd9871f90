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
