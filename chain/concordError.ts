/**
 * The base of the node's typed errors: a `code` programs branch on (never the message), a short
 * message for people, optional `data` (the typed facts: expected and actual values, limits, the
 * offending index), and the `cause` when another error led to it. As viem's BaseError and
 * Lodestar's LodestarError, one shape for every layer, so a caller, a log line or the RPC layer
 * (chain/rpc/errors.ts, the only place that turns these into JSON-RPC codes) reads them alike.
 */

export interface ConcordErrorOptions<Data> {
  data?: Data;
  cause?: unknown;
}

export class ConcordError<Code extends string | number = string, Data = unknown> extends Error {
  override readonly name: string = "ConcordError";
  readonly code: Code;
  readonly data?: Data;

  constructor(code: Code, message: string, options: ConcordErrorOptions<Data> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.data !== undefined) this.data = options.data;
  }
}
