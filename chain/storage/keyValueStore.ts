/**
 * The byte-level store under the chain: LevelDB on disk (classic-level), or a Map for tests.
 *
 * `write` applies a whole batch atomically: LevelDB appends the batch to its write-ahead log as one
 * record, and on reopen a torn record is discarded, so after a crash either all of a batch is
 * visible or none of it. That is the only atomicity the chain store relies on. Without fsync (a
 * devnet) a batch first goes to the store's own journal (batchJournal.ts), as one checksummed record
 * with the same all-or-nothing rule, and reaches LevelDB behind the caller; reads see it at once.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { ConcordError } from "../concordError.ts";
import { BatchJournal } from "./batchJournal.ts";
import { checkOperation, type KeyValueOperation } from "./keyValueOperation.ts";

export type { KeyValueOperation } from "./keyValueOperation.ts";

export interface KeyValueStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Applies all operations or none. */
  write(operations: readonly KeyValueOperation[]): Promise<void>;
  close(): Promise<void>;
}

export class StoreClosedError extends ConcordError<"STORE_CLOSED"> {
  override readonly name = "StoreClosedError";
  constructor() {
    super("STORE_CLOSED", "the store is closed");
  }
}

export interface LevelStoreOptions {
  /**
   * fsync each batch before `write` resolves (default true). Without it a batch survives the process
   * being killed (it is in the OS page cache) but not a power loss, and `write` resolves once the
   * batch is in the store's journal (batchJournal.ts), before LevelDB has it.
   */
  sync?: boolean;
}

/** A journaled batch LevelDB does not hold yet failed to reach it: the store takes no more writes. */
export class StoreWriteFailedError extends ConcordError<"STORE_WRITE_FAILED"> {
  override readonly name = "StoreWriteFailedError";
  constructor(cause: unknown) {
    super("STORE_WRITE_FAILED", `the store could not write to LevelDB (${cause instanceof Error ? cause.message : String(cause)}); nothing is lost: restart the node to replay its journal`, { cause });
  }
}

/** The journal's file, inside the LevelDB directory (LevelDB leaves names it does not know alone). */
export const JOURNAL_FILE = "concord-batches.journal";
/** Where LevelDB keeps the sequence of the last journaled batch it applied (a key no chain data uses). */
const APPLIED_SEQUENCE_KEY = Uint8Array.of(0x6a); // "j"
/** Batches (or bytes of them) journaled ahead of LevelDB before `write` waits for it to catch up: a memory bound. */
const MAX_UNAPPLIED_BATCHES = 64;
const MAX_UNAPPLIED_BYTES = 32 * 1024 * 1024;
/** The journal is emptied when LevelDB holds all of it and it has grown past this. */
const JOURNAL_RESET_BYTES = 4 * 1024 * 1024;

/** A key's value in a batch journaled but not yet in LevelDB (undefined: deleted), and that batch. */
interface Unapplied {
  value: Uint8Array | undefined;
  sequence: bigint;
}

export class LevelKeyValueStore implements KeyValueStore {
  /** Keys written by journaled batches LevelDB does not hold yet: reads look here first. */
  private readonly unapplied = new Map<string, Unapplied>();
  /** Tail of the batches on their way to LevelDB, in journal order. */
  private applying: Promise<void> = Promise.resolve();
  private unappliedBatches = 0;
  private unappliedBytes = 0;
  private failure: StoreWriteFailedError | undefined;

  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
    /** Present without `sync`. */
    private readonly journal: BatchJournal | undefined,
    private sequence: bigint,
  ) {}

  /**
   * Opens the store, first replaying into LevelDB what a killed process left in the journal: every
   * complete batch after the last one LevelDB applied, in order.
   */
  static async open(directory: string, options: LevelStoreOptions = {}): Promise<LevelKeyValueStore> {
    mkdirSync(directory, { recursive: true });
    const sync = options.sync ?? true;
    const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const journalPath = join(directory, JOURNAL_FILE);
    let journal: BatchJournal | undefined;
    try {
      const opened = sync && !existsSync(journalPath) ? undefined : BatchJournal.open(journalPath);
      journal = opened?.journal;
      let sequence = decodeSequence(await db.get(APPLIED_SEQUENCE_KEY));
      for (const record of opened?.records ?? []) {
        if (record.sequence <= sequence) continue;
        if (record.sequence !== sequence + 1n) break; // older than a truncation: never applied over newer batches
        await applyBatch(db, record.sequence, record.operations, false);
        sequence = record.sequence;
      }
      if (opened !== undefined && opened.records.length > 0) await db.put(APPLIED_SEQUENCE_KEY, encodeSequence(sequence), { sync: true });
      journal?.reset();
      if (sync && journal !== undefined) {
        // A devnet run without fsync left it; this store fsyncs every batch and needs none.
        journal.close();
        journal = undefined;
        rmSync(journalPath);
      }
      return new LevelKeyValueStore(db, sync, journal, sequence);
    } catch (error) {
      journal?.close();
      await db.close();
      throw error;
    }
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.db.status !== "open") throw new StoreClosedError();
    if (this.unapplied.size > 0) {
      const pending = this.unapplied.get(mapKey(key));
      // A copy in a Buffer, as LevelDB hands out: the journaled bytes must stay as they were written.
      if (pending !== undefined) return pending.value === undefined ? undefined : Buffer.from(pending.value);
    }
    return this.db.get(key);
  }

  /**
   * With `sync`: one fsynced LevelDB batch. Without: appended to the journal (durable against a kill
   * when this resolves), visible to `get` at once, and handed to LevelDB in order behind the caller.
   */
  async write(operations: readonly KeyValueOperation[]): Promise<void> {
    if (this.db.status !== "open") throw new StoreClosedError();
    if (this.journal === undefined) return applyBatch(this.db, undefined, operations, this.sync);
    if (this.failure !== undefined) throw this.failure;
    const sequence = this.sequence + 1n;
    const sizeBefore = this.journal.size;
    const journaled = this.journal.append(sequence, operations);
    const bytes = this.journal.size - sizeBefore;
    this.sequence = sequence;
    const keys = journaled.map((op) => mapKey(op.key));
    journaled.forEach((op, index) => this.unapplied.set(keys[index]!, { value: op.type === "put" ? op.value : undefined, sequence }));
    this.unappliedBatches++;
    this.unappliedBytes += bytes;
    this.applying = this.applying.then(async () => {
      // Next turn of the event loop: the caller's answer goes out before this batch is handed to LevelDB.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.failure !== undefined) return;
      try {
        await applyBatch(this.db, sequence, journaled, false);
      } catch (error) {
        this.failure = new StoreWriteFailedError(error);
        return;
      }
      for (const key of keys) if (this.unapplied.get(key)?.sequence === sequence) this.unapplied.delete(key);
      this.unappliedBatches--;
      this.unappliedBytes -= bytes;
      if (this.unappliedBatches === 0 && this.journal!.size > JOURNAL_RESET_BYTES) this.journal!.reset();
    });
    if (this.unappliedBatches >= MAX_UNAPPLIED_BATCHES || this.unappliedBytes >= MAX_UNAPPLIED_BYTES) await this.applying;
  }

  /** Resolves once LevelDB holds every batch written so far (rejects if one could not reach it). */
  async flush(): Promise<void> {
    await this.applying;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.db.status !== "open") return;
    await this.applying;
    if (this.journal !== undefined) {
      // Emptied only when LevelDB holds it all; otherwise the next open replays it.
      if (this.failure === undefined) this.journal.reset();
      this.journal.close();
    }
    await this.db.close();
  }
}

/**
 * One LevelDB batch, through a chained batch (one WriteBatch, written atomically as the array form
 * is): for a block's ~100 operations it costs the main thread ~35% less than `batch(array)`, which
 * copies each operation into a new object with the options spread in before handing the array to
 * the binding. A journaled batch also records its sequence, in the same atomic write.
 */
async function applyBatch(db: ClassicLevel<Uint8Array, Uint8Array>, sequence: bigint | undefined, operations: readonly KeyValueOperation[], sync: boolean): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of operations) {
      if (op.type === "put") batch.put(op.key, op.value);
      else batch.del(op.key);
    }
    if (sequence !== undefined) batch.put(APPLIED_SEQUENCE_KEY, encodeSequence(sequence));
  } catch (error) {
    await batch.close();
    throw error;
  }
  await batch.write({ sync });
}

function encodeSequence(sequence: bigint): Uint8Array {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(sequence);
  return bytes;
}

function decodeSequence(bytes: Uint8Array | undefined): bigint {
  return bytes === undefined ? 0n : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE();
}

/** Same contract in memory: a batch is applied synchronously, so it is trivially atomic. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Uint8Array>();
  private closed = false;

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.closed) throw new StoreClosedError();
    return this.entries.get(mapKey(key));
  }

  async write(operations: readonly KeyValueOperation[]): Promise<void> {
    if (this.closed) throw new StoreClosedError();
    // Every operation is checked and prepared before the first is applied: all or none, as LevelDB.
    const prepared = operations.map((op) => {
      checkOperation(op);
      return { key: mapKey(op.key), value: op.type === "put" ? op.value.slice() : undefined };
    });
    for (const { key, value } of prepared) {
      if (value !== undefined) this.entries.set(key, value);
      else this.entries.delete(key);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  get size(): number {
    return this.entries.size;
  }
}

function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}
