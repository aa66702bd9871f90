/** The node's own errors: bad options, and calls that need a started (or stopped) node. */

export class NodeOptionsError extends Error {
  override readonly name = "NodeOptionsError";
  readonly code = "INVALID_NODE_OPTIONS";
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`invalid node option ${option}: ${reason}`);
  }
}

export class NodeStateError extends Error {
  override readonly name = "NodeStateError";
  constructor(
    readonly code: "NOT_STARTED" | "ALREADY_STARTED" | "GENESIS_MISMATCH",
    message: string,
  ) {
    super(message);
  }
}
