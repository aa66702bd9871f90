/**
 * The guard between a validator's key and the consensus engine: it signs a message only if that can
 * never make the validator equivocate, also across crashes and restarts (CometBFT's FilePV does the
 * same job).
 *
 * It keeps the last (height, round, step) it signed, with that message's block hash and signature,
 * in one small file, and makes the record durable (write to a temporary file, fsync, rename over the
 * old one, fsync the directory) BEFORE it hands out the signature: a signature that exists anywhere
 * is on disk first. A request is then:
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
import { createHash } from "node:crypto";
import { open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { ConcordError } from "../concordError.ts";
import type { Hex, Round } from "../types.ts";
import { signMessage, type ConsensusMessage, type SignedMessage, type SignedStep } from "./messages.ts";

const STEP_ORDER: Record<SignedStep, number> = { proposal: 1, prevote: 2, precommit: 3 };
const FORMAT = "concord/sign-state/v1";

export type SignGuardErrorCode = "DOUBLE_SIGN_REFUSED" | "SIGN_STATE_UNREADABLE";

export class SignGuardError extends ConcordError<SignGuardErrorCode> {
  override readonly name = "SignGuardError";
}

/** The last message signed, as recorded. */
export interface LastSigned {
  height: bigint;
  round: Round;
  step: SignedStep;
  blockHash: Hex | null;
  /** A proposal's valid round (-1 for votes). */
  polRound: number;
  signature: Hex;
}

export class SignGuard {
  private last: LastSigned | undefined;
  /** One signing at a time: the check and the durable record must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly privateKey: Uint8Array,
    private readonly chainId: bigint,
    last: LastSigned | undefined,
  ) {
    this.last = last;
  }

  /** Opens the guard over `file` (created on the first signature); refuses an unreadable record. */
  static async open(file: string, privateKey: Uint8Array, chainId: bigint): Promise<SignGuard> {
    return new SignGuard(file, privateKey, chainId, await readRecord(file));
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
    await writeRecord(this.file, record);
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

async function readRecord(file: string): Promise<LastSigned | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SignGuardError("SIGN_STATE_UNREADABLE", `cannot read the validator's sign state ${file}: ${(error as Error).message}`, { cause: error });
  }
  const unreadable = (why: string) =>
    new SignGuardError(
      "SIGN_STATE_UNREADABLE",
      `the validator's sign state ${file} is ${why}. Starting without it could make this validator sign twice: ` +
        `restore it from a backup, or, only if this key never signed on this chain, delete it.`,
    );
  let parsed: { format?: unknown; record?: Record<string, unknown>; checksum?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable("not valid JSON (corrupt or truncated)");
  }
  if (parsed.format !== FORMAT || typeof parsed.record !== "object" || parsed.record === null) throw unreadable(`not in the ${FORMAT} format`);
  if (parsed.checksum !== checksum(parsed.record)) throw unreadable("corrupt (its checksum does not match)");
  const r = parsed.record;
  if (
    typeof r.height !== "string" || !/^\d+$/.test(r.height) || typeof r.round !== "number" || typeof r.polRound !== "number" ||
    !(r.step === "proposal" || r.step === "prevote" || r.step === "precommit") ||
    !(r.blockHash === null || (typeof r.blockHash === "string" && /^0x[0-9a-f]{64}$/.test(r.blockHash))) ||
    typeof r.signature !== "string" || !/^0x[0-9a-f]{130}$/.test(r.signature)
  ) {
    throw unreadable("missing fields");
  }
  return { height: BigInt(r.height), round: r.round, step: r.step, blockHash: r.blockHash as Hex | null, polRound: r.polRound, signature: r.signature as Hex };
}

async function writeRecord(file: string, record: LastSigned): Promise<void> {
  const body = { height: record.height.toString(), round: record.round, step: record.step, blockHash: record.blockHash?.toLowerCase() ?? null, polRound: record.polRound, signature: record.signature.toLowerCase() };
  const text = `${JSON.stringify({ format: FORMAT, record: body, checksum: checksum(body) }, null, 2)}\n`;
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const directory = await open(path.dirname(file), "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function checksum(record: object): string {
  return createHash("sha256").update(JSON.stringify(record)).digest("hex");
}
