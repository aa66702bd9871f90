/**
 * The guard between a validator's key and the consensus engine: it signs a message only if that can
 * never make the validator equivocate, also across crashes and restarts (CometBFT's FilePV does the
 * same job).
 *
 * It keeps the last (height, round, step) it signed, with that message's block hash and signature,
 * in one small file (signStateFile.ts), and makes the record durable BEFORE it hands out the
 * signature: a signature that exists anywhere is on disk first. A request is then:
 * - after the last one (higher height, or same height and higher round, or same round and later
 *   step): signed and recorded;
 * - the very same message again (same height, round, step and block hash, and for a proposal the
 *   same valid round): the recorded signature is returned, so a restarted validator can resend
 *   what it already signed;
 * - anything else, a different block at the same (height, round, step) or a step already passed:
 *   refused with a SignGuardError, and nothing is signed.
 * A record that cannot be read (corrupt, or written by something else) stops the validator with a
 * clear error instead of starting from nothing, which could sign twice.
 */
import { ConcordError } from "../concordError.ts";
import type { Hex } from "../types.ts";
import { signMessage, type ConsensusMessage, type SignedMessage, type SignedStep } from "./messages.ts";
import { SignStateFile, UnreadableSignState, type LastSigned, type SignStateFileOptions } from "./signStateFile.ts";

const STEP_ORDER: Record<SignedStep, number> = { proposal: 1, prevote: 2, precommit: 3 };

export type SignGuardErrorCode = "DOUBLE_SIGN_REFUSED" | "SIGN_STATE_UNREADABLE";

export class SignGuardError extends ConcordError<SignGuardErrorCode> {
  override readonly name = "SignGuardError";
}

export type { LastSigned } from "./signStateFile.ts";

export class SignGuard {
  private last: LastSigned | undefined;
  /** One signing at a time: the check and the durable record must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: SignStateFile,
    private readonly privateKey: Uint8Array,
    private readonly chainId: bigint,
    last: LastSigned | undefined,
  ) {
    this.last = last;
  }

  /** Opens the guard over `file` (created on the first signature); refuses an unreadable record. */
  static async open(file: string, privateKey: Uint8Array, chainId: bigint, options: SignStateFileOptions = {}): Promise<SignGuard> {
    let opened: Awaited<ReturnType<typeof SignStateFile.open>>;
    try {
      opened = await SignStateFile.open(file, options);
    } catch (error) {
      const why = error instanceof UnreadableSignState ? error.message : `unreadable (${(error as Error).message})`;
      throw new SignGuardError(
        "SIGN_STATE_UNREADABLE",
        `the validator's sign state ${file} is ${why}. Starting without it could make this validator sign twice: ` +
          `restore it from a backup, or, only if this key never signed on this chain, delete it.`,
        { cause: error },
      );
    }
    return new SignGuard(opened.store, privateKey, chainId, opened.last);
  }

  /** Closes the sign-state file once the signature in progress is recorded. */
  close(): Promise<void> {
    const run = this.queue.then(() => this.store.close());
    this.queue = run.catch(() => {});
    return run;
  }

  lastSigned(): LastSigned | undefined {
    return this.last === undefined ? undefined : { ...this.last };
  }

  /** Signs `message` if it cannot conflict with anything signed before; durable before it returns. */
  sign<M extends ConsensusMessage>(message: M): Promise<SignedMessage<M>> {
    const run = this.queue.then(() => this.signNow(message));
    this.queue = run.catch(() => {});
    return run;
  }

  private async signNow<M extends ConsensusMessage>(message: M): Promise<SignedMessage<M>> {
    const last = this.last;
    const polRound = message.type === "proposal" ? message.polRound : -1;
    const blockHash = (message.blockHash?.toLowerCase() ?? null) as Hex | null;
    if (last !== undefined) {
      const order = compare(message, last);
      if (order === 0) {
        if (last.blockHash === blockHash && last.polRound === polRound) return { message, signature: last.signature };
        throw new SignGuardError(
          "DOUBLE_SIGN_REFUSED",
          `refusing to sign a ${message.type} for ${describeBlock(message.blockHash)} at height ${message.height} round ${message.round}: ` +
            `this validator already signed one for ${describeBlock(last.blockHash)}`,
        );
      }
      if (order < 0) {
        throw new SignGuardError(
          "DOUBLE_SIGN_REFUSED",
          `refusing to sign a ${message.type} at height ${message.height} round ${message.round}: ` +
            `this validator already signed a ${last.step} at height ${last.height} round ${last.round}`,
        );
      }
    }
    const signed = signMessage(this.privateKey, this.chainId, message);
    const record: LastSigned = { height: message.height, round: message.round, step: message.type, blockHash, polRound, signature: signed.signature };
    await this.store.write(record);
    this.last = record;
    return signed;
  }
}

/** Negative: before the last signed; 0: the same (height, round, step); positive: after. */
function compare(message: ConsensusMessage, last: LastSigned): number {
  if (message.height !== last.height) return message.height < last.height ? -1 : 1;
  if (message.round !== last.round) return message.round - last.round;
  return STEP_ORDER[message.type] - STEP_ORDER[last.step];
}

function describeBlock(hash: Hex | null): string {
  return hash === null ? "nil" : `block ${hash}`;
}
