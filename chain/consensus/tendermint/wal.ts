/**
 * The consensus write-ahead log in a file: every record is framed as
 *   length (u32 BE) ‖ crc32 of the payload (u32 BE) ‖ payload
 * and, unless the caller says it need not be, made durable (fdatasync) before `append` resolves, so a
 * validator never sends a vote it could forget in a crash. Others' messages and local results need
 * not be durable (they can be had again after a crash): such a record resolves at once and waits in
 * memory, in order, to be written with the next durable record or on the next turn of the event loop,
 * so a height's dozen records cost a couple of writes and no wait on the consensus path (CometBFT's
 * buffered Write vs WriteSync). After a crash the last frame may be torn (cut short or its checksum wrong): replay
 * drops it and truncates the file there. A bad frame anywhere else is corruption, not a crash, and
 * replay refuses it (WalCorruptError) rather than run consensus on a log it cannot trust.
 * `clear()` is called once a height is committed (its records are no longer needed): the log is cut
 * back to empty once it has grown past `truncateAtBytes` (1 MiB), not at every height, and without
 * fdatasync. Replay skips the records of heights already committed, so records left behind, or a cut
 * that a crash undoes, change nothing; cutting and syncing at every height cost a validator two
 * journal-bound file-system calls per block (~1 ms of its event loop here).
 *
 * `sync: false` makes durable records durable against the process being killed only (written to the
 * OS, not flushed to the disk): a devnet's validators run so unless started with --fsync, as their
 * blocks; on this machine four validators under load wait ~1 ms per fdatasync, four or more times
 * per height each.
 *
 * Writes and fdatasync are synchronous calls, as CometBFT's WAL blocks its goroutine: a small write
 * to the page cache costs ~3 us of CPU that way and ~40 us through node:fs/promises (a thread-pool
 * round trip and two context switches each), and fdatasync ~50 us against ~140 us. A validator waits
 * for its record to be durable before it sends anyway; on a machine running several validators
 * (a devnet) the CPU is what limits them. Only replay, once at start, reads asynchronously.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { readFile, truncate } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { ConcordError } from "../../concordError.ts";
import type { ConsensusWal } from "../engine.ts";

const HEADER_BYTES = 8;
/** A proposal carries a block: a record is at most a few MB. */
export const MAX_WAL_RECORD_BYTES = 16 * 1024 * 1024;

export class WalCorruptError extends ConcordError<"WAL_CORRUPT", { offset: number }> {
  override readonly name = "WalCorruptError";
}

export interface FileWalOptions {
  /** `clear()` cuts the log back to empty once it holds at least this many bytes (default 1 MiB; 0: always). */
  truncateAtBytes?: number;
  /** fdatasync durable records before `append` resolves (default true; see above for false). */
  sync?: boolean;
}

export class FileWal implements ConsensusWal {
  private fd: number | undefined;
  /** Bytes in the file (known once it is open). */
  private size = 0;
  private readonly truncateAtBytes: number;
  private readonly sync: boolean;
  /** Frames appended but not yet written, in order. */
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  /** A background write that failed: the next append reports it. */
  private failure: unknown;

  constructor(
    readonly file: string,
    options: FileWalOptions = {},
  ) {
    this.truncateAtBytes = options.truncateAtBytes ?? 1024 * 1024;
    this.sync = options.sync ?? true;
  }

  async append(record: Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
    if (record.length > MAX_WAL_RECORD_BYTES) throw new RangeError(`a WAL record of ${record.length} bytes is above ${MAX_WAL_RECORD_BYTES}`);
    if (this.failure !== undefined) throw this.failure;
    const frame = new Uint8Array(HEADER_BYTES + record.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, record.length);
    view.setUint32(4, crc32(record));
    frame.set(record, HEADER_BYTES);
    this.pending.push(frame);
    if (options.durable === false) {
      this.scheduleFlush();
      return;
    }
    this.writePending();
    if (this.sync) fdatasyncSync(this.fd!);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      try {
        this.writePending();
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Writes every pending frame, in one write. */
  private writePending(): void {
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    const bytes = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    const fd = this.open();
    // writeSync may write less than asked (a full disk, a signal): go on until all of it is written.
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
    this.size += bytes.length;
  }

  async *replay(): AsyncIterable<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const records: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const torn = () => offset + HEADER_BYTES > bytes.length || offset + HEADER_BYTES + view.getUint32(offset) > bytes.length;
      if (torn()) break; // the last frame was cut short by a crash
      const length = view.getUint32(offset);
      const payload = bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
      if (crc32(payload) !== view.getUint32(offset + 4)) {
        if (offset + HEADER_BYTES + length === bytes.length) break; // a torn last frame
        throw new WalCorruptError("WAL_CORRUPT", `the consensus WAL ${this.file} is corrupt at byte ${offset} (checksum mismatch before its end); move it aside to start the validator without it`, { data: { offset } });
      }
      records.push(payload.slice());
      offset += HEADER_BYTES + length;
    }
    if (offset < bytes.length) await truncate(this.file, offset);
    yield* records;
  }

  /** Empties the log (after a commit). */
  async clear(): Promise<void> {
    this.pending = []; // records of the height just committed: no longer needed
    const fd = this.open();
    if (this.size < this.truncateAtBytes) return;
    ftruncateSync(fd, 0);
    this.size = 0;
  }

  async close(): Promise<void> {
    try {
      this.writePending();
    } finally {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** The log, opened for appending on first use (and kept open). */
  private open(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.file, "a");
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }
}
