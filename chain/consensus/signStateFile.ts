/**
 * Where the sign guard keeps the last message a validator signed, durable before the signature is
 * handed out (signGuard.ts decides what may be signed; this file only stores it).
 *
 * The file holds two fixed-size slots, each one line of JSON padded with spaces: a record with its
 * sequence number and a checksum. A new record overwrites the slot NOT holding the latest one, in
 * place, then fdatasync: the file never changes size, so no rename, directory sync or journal
 * commit is needed, and a signature costs one small data flush (~0.2 ms here, against ~1.8 ms for
 * the write-temporary-fsync-rename-fsync-directory dance it replaces; three are on every height's
 * critical path). A crash in the middle of a write tears only the slot being written, whose
 * signature was never handed out; the other slot still holds the record before it, which is what
 * the guard must remember. Reading takes the valid slot with the highest sequence number.
 *
 * `sync: false` skips the fdatasync: a record then survives the process being killed (it is in the
 * OS page cache once written) but not an OS crash or power loss. A devnet runs so unless started with
 * --fsync, as its blocks (devnet/options.ts); a validator of a real network always syncs.
 *
 * The first version of the file (one JSON object, "concord/sign-state/v1", written by replacing the
 * whole file) is still read; the first signature after an upgrade rewrites it in the slotted layout,
 * by the old atomic replace, once.
 */
import { createHash } from "node:crypto";
import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { open, readFile, rename } from "node:fs/promises";
import path from "node:path";
import type { Hex, Round } from "../types.ts";
import type { SignedStep } from "./messages.ts";

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

const FORMAT_V1 = "concord/sign-state/v1";
const FORMAT = "concord/sign-state/v2";
/** Bytes per slot: a record is under 500 bytes of JSON; the rest is padding up to the newline. */
export const SLOT_BYTES = 1024;
const SLOTS = 2;

export interface SignStateFileOptions {
  /** fdatasync each record before `write` resolves (default true; see above for false). */
  sync?: boolean;
}

/** Why the file cannot be trusted (the guard turns this into SIGN_STATE_UNREADABLE). */
export class UnreadableSignState extends Error {}

interface Slot {
  sequence: number;
  record: LastSigned;
}

export class SignStateFile {
  /** Sequence number of the latest record (0: none yet). */
  private sequence: number;
  /** Whether the file is in the slotted layout already (else the next write creates it). */
  private slotted: boolean;
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    latest: Slot | undefined,
    slotted: boolean,
    private readonly sync: boolean,
  ) {
    this.sequence = latest?.sequence ?? 0;
    this.slotted = slotted;
  }

  /** Reads `file` (missing: nothing signed yet). Throws UnreadableSignState for anything it cannot trust. */
  static async open(file: string, options: SignStateFileOptions = {}): Promise<{ store: SignStateFile; last: LastSigned | undefined }> {
    const sync = options.sync ?? true;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { store: new SignStateFile(file, undefined, false, sync), last: undefined };
      throw error;
    }
    if (bytes.length === SLOT_BYTES * SLOTS) {
      const latest = readSlots(bytes);
      return { store: new SignStateFile(file, latest, true, sync), last: latest.record };
    }
    const record = readVersion1(bytes.toString("utf8"), bytes.length);
    return { store: new SignStateFile(file, { sequence: 0, record }, false, sync), last: record };
  }

  /** Records `record` durably (on disk, or with `sync: false` in the OS) before it resolves. Callers write one at a time. */
  async write(record: LastSigned): Promise<void> {
    const sequence = this.sequence + 1;
    const slot = encodeSlot(sequence, record);
    const index = sequence % SLOTS;
    if (!this.slotted) {
      const slots = Array.from({ length: SLOTS }, (_, i) => (i === index ? slot : emptySlot()));
      await replaceFile(this.file, Buffer.concat(slots));
      this.slotted = true;
    } else {
      // Kept open between signatures: opening and closing cost as much as the write itself. Written
      // with synchronous calls, as the WAL (wal.ts says why): a signature waits for this anyway.
      this.fd ??= openSync(this.file, "r+");
      for (let written = 0; written < SLOT_BYTES; ) written += writeSync(this.fd, slot, written, SLOT_BYTES - written, index * SLOT_BYTES + written);
      if (this.sync) fdatasyncSync(this.fd);
    }
    this.sequence = sequence;
  }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

function body(sequence: number, record: LastSigned) {
  return {
    sequence,
    height: record.height.toString(),
    round: record.round,
    step: record.step,
    blockHash: record.blockHash?.toLowerCase() ?? null,
    polRound: record.polRound,
    signature: record.signature.toLowerCase(),
  };
}

function checksum(value: object): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function encodeSlot(sequence: number, record: LastSigned): Buffer {
  const content = body(sequence, record);
  const line = JSON.stringify({ format: FORMAT, record: content, checksum: checksum(content) });
  if (line.length > SLOT_BYTES - 1) throw new RangeError(`a sign-state record of ${line.length} bytes does not fit a ${SLOT_BYTES}-byte slot`);
  return Buffer.from(`${line.padEnd(SLOT_BYTES - 1, " ")}\n`, "utf8");
}

function emptySlot(): Buffer {
  return Buffer.from(`${" ".repeat(SLOT_BYTES - 1)}\n`, "utf8");
}

/** The valid slot with the highest sequence; throws if no slot holds a valid record. */
function readSlots(bytes: Buffer): Slot {
  const reasons: string[] = [];
  let latest: Slot | undefined;
  for (let i = 0; i < SLOTS; i++) {
    const text = bytes.subarray(i * SLOT_BYTES, (i + 1) * SLOT_BYTES).toString("utf8").trim();
    if (text === "") continue;
    try {
      const slot = parseSlot(text);
      if (latest === undefined || slot.sequence > latest.sequence) latest = slot;
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  if (latest === undefined) throw new UnreadableSignState(reasons[0] ?? "empty (it holds no record)");
  return latest;
}

function parseSlot(text: string): Slot {
  let parsed: { format?: unknown; record?: Record<string, unknown>; checksum?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnreadableSignState("not valid JSON (corrupt or truncated)");
  }
  if (parsed.format !== FORMAT || typeof parsed.record !== "object" || parsed.record === null) throw new UnreadableSignState(`not in the ${FORMAT} format`);
  if (parsed.checksum !== checksum(parsed.record)) throw new UnreadableSignState("corrupt (its checksum does not match)");
  const sequence = parsed.record.sequence;
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1) throw new UnreadableSignState("missing fields");
  return { sequence, record: toRecord(parsed.record) };
}

function readVersion1(text: string, length: number): LastSigned {
  let parsed: { format?: unknown; record?: Record<string, unknown>; checksum?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnreadableSignState("not valid JSON (corrupt or truncated)");
  }
  if (parsed.format === FORMAT) throw new UnreadableSignState(`truncated or extended (${length} bytes, where the ${FORMAT} layout has ${SLOT_BYTES * SLOTS})`);
  if (parsed.format !== FORMAT_V1 || typeof parsed.record !== "object" || parsed.record === null) throw new UnreadableSignState(`not in the ${FORMAT} format`);
  if (parsed.checksum !== checksum(parsed.record)) throw new UnreadableSignState("corrupt (its checksum does not match)");
  return toRecord(parsed.record);
}

function toRecord(r: Record<string, unknown>): LastSigned {
  if (
    typeof r.height !== "string" || !/^\d+$/.test(r.height) || typeof r.round !== "number" || typeof r.polRound !== "number" ||
    !(r.step === "proposal" || r.step === "prevote" || r.step === "precommit") ||
    !(r.blockHash === null || (typeof r.blockHash === "string" && /^0x[0-9a-f]{64}$/.test(r.blockHash))) ||
    typeof r.signature !== "string" || !/^0x[0-9a-f]{130}$/.test(r.signature)
  ) {
    throw new UnreadableSignState("missing fields");
  }
  return { height: BigInt(r.height), round: r.round, step: r.step, blockHash: r.blockHash as Hex | null, polRound: r.polRound, signature: r.signature as Hex };
}

/** Replaces `file` whole and durably: temporary file, fsync, rename over, fsync the directory. */
async function replaceFile(file: string, content: Buffer): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(content);
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
