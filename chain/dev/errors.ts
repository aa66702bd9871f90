/**
 * Typed errors of the dev-mode controls. chain/rpc/errors.ts answers each with the JSON-RPC code
 * clients expect from Hardhat's and Anvil's nodes.
 */
import { ConcordError } from "../concordError.ts";

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

export class DevModeError extends ConcordError<DevErrorCode> {
  override readonly name = "DevModeError";
}

/** -32602 in the dispatcher's words ("invalid argument N: ..."), for checks that need chain state. */
export function invalidArgument(index: number, reason: string): DevModeError {
  return new DevModeError(DevErrorCode.InvalidArgument, `invalid argument ${index}: ${reason}`);
}
