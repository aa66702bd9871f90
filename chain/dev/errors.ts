/**
 * Typed errors of the dev-mode controls. Each carries the JSON-RPC code clients expect from Hardhat's
 * and Anvil's nodes (the RPC layer recognises `rpcCode` by shape, see chain/rpc/errors.ts).
 */

export const DevErrorCode = {
  /** A parameter that is well-formed but not acceptable now (a timestamp in the past...). */
  InvalidArgument: "INVALID_ARGUMENT",
  /** hardhat_setNonce below the account's nonce, or while transactions wait in the pool. */
  NonceNotSettable: "NONCE_NOT_SETTABLE",
  /** hardhat_dropTransaction of a transaction that is already in a block. */
  AlreadyMined: "ALREADY_MINED",
  /** A dev control used before the node started (or after it stopped). */
  NotAttached: "NOT_ATTACHED",
} as const;
export type DevErrorCode = (typeof DevErrorCode)[keyof typeof DevErrorCode];

const RPC_CODES: Record<DevErrorCode, number> = {
  INVALID_ARGUMENT: -32602,
  NONCE_NOT_SETTABLE: -32000,
  ALREADY_MINED: -32602,
  NOT_ATTACHED: -32603,
};

export class DevModeError extends Error {
  override readonly name = "DevModeError";
  readonly rpcCode: number;
  constructor(
    readonly code: DevErrorCode,
    message: string,
  ) {
    super(message);
    this.rpcCode = RPC_CODES[code];
  }
}

/** -32602 in the dispatcher's words ("invalid argument N: ..."), for checks that need chain state. */
export function invalidArgument(index: number, reason: string): DevModeError {
  return new DevModeError(DevErrorCode.InvalidArgument, `invalid argument ${index}: ${reason}`);
}
