/**
 * Typed errors of the IPFS service. Callers branch on `code`, never on the message; the RPC layer
 * and the gateway translate codes into Kubo-shaped HTTP responses in one place each.
 */
export type IpfsErrorCode =
  /** A TCP port needed by the service is already in use. */
  | "IPFS_PORT_IN_USE"
  /** Another live process holds the data directory. */
  | "IPFS_DATA_DIR_LOCKED"
  /** A content path or CID could not be parsed. */
  | "IPFS_INVALID_PATH"
  /** A path segment does not exist under its parent. */
  | "IPFS_PATH_NOT_FOUND"
  /** A block is missing locally and no connected peer delivered it. */
  | "IPFS_BLOCK_NOT_FOUND"
  /** The block fetch took longer than allowed. */
  | "IPFS_TIMEOUT"
  /** An upload crossed the configured size limit. */
  | "IPFS_UPLOAD_TOO_LARGE"
  /** A command argument has a value the command cannot use. */
  | "IPFS_INVALID_ARGUMENT"
  /** A file operation was asked of a directory. */
  | "IPFS_IS_DIRECTORY"
  /** The content is neither a UnixFS file nor a directory. */
  | "IPFS_NOT_UNIXFS"
  /** Unpinning something that holds no pin of that kind. */
  | "IPFS_NOT_PINNED"
  /** Options given to startIpfsNode are invalid. */
  | "IPFS_INVALID_OPTIONS"
  /** The IPFS RPC API could not be reached (client side). */
  | "IPFS_API_UNREACHABLE"
  /** The IPFS RPC API answered with an error (client side). */
  | "IPFS_API_ERROR";

export class IpfsError extends Error {
  readonly code: IpfsErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: IpfsErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IpfsError";
    this.code = code;
    this.details = details;
  }
}

export function isIpfsError(error: unknown, code?: IpfsErrorCode): error is IpfsError {
  return error instanceof IpfsError && (code === undefined || error.code === code);
}
