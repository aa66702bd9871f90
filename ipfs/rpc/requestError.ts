/**
 * Errors found while parsing an RPC request, before any command runs. Kubo (go-ipfs-cmds) answers
 * these with a plain-text body, not the JSON error object commands produce.
 */
export type RequestErrorCode =
  /** No command at that path: 404 "404 page not found". */
  | "RPC_COMMAND_NOT_FOUND"
  /** Any method but POST (and OPTIONS): 405. */
  | "RPC_METHOD_NOT_ALLOWED"
  /** A browser origin the API does not trust: 403. */
  | "RPC_FORBIDDEN"
  /** Missing argument, option of the wrong type: 400. */
  | "RPC_BAD_REQUEST";

const STATUS: Record<RequestErrorCode, number> = {
  RPC_COMMAND_NOT_FOUND: 404,
  RPC_METHOD_NOT_ALLOWED: 405,
  RPC_FORBIDDEN: 403,
  RPC_BAD_REQUEST: 400,
};

export class RequestError extends Error {
  readonly code: RequestErrorCode;
  readonly status: number;

  constructor(code: RequestErrorCode, message: string) {
    super(message);
    this.name = "RequestError";
    this.code = code;
    this.status = STATUS[code];
  }
}
