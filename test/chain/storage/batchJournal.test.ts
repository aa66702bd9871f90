/**
 * The batch journal ahead of LevelDB (a store without fsync): records read back as written, a torn or
 * corrupted tail ends the journal and is cut off, a reopened store replays exactly the batches
 * LevelDB lacks (never an old one over newer data), a batch is readable before LevelDB has it, and a
 * batch that cannot reach LevelDB stops further writes without losing anything. What a SIGKILL in the
 * middle of a chain's writes leaves is checked by crash.test.ts (its "nofsync" rounds).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, closeSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchJournal } from "../../../chain/storage/batchJournal.ts";
import { JOURNAL_FILE, LevelKeyValueStore, StoreWriteFailedError, type KeyValueOperation } from "../../../chain/storage/keyValueStore.ts";

const key = (n: number) => Uint8Array.of(0x6b, n);
const value = (n: number, length = 40) => new Uint8Array(length).fill(n);
const put = (n: number, v = n): KeyValueOperation => ({ type: "put", key: key(n), value: value(v) });
const bytes = (found: Uint8Array | undefined) => (found === undefined ? undefined : new Uint8Array(found));
/** Operations as plain arrays, comparable whatever views they are. */
const plain = (operations: KeyValueOperation[]) =>
  operations.map((op) => (op.type === "put" ? { type: op.type, key: [...op.key], value: [...op.value] } : { type: op.type, key: [...op.key] }));

function withDir(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "concord-journal-"));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe("batch journal file", () => {
  it("reads back every record as written, puts and deletes, empty batches too", withDir(async (dir) => {
    const path = join(dir, "j");
    const { journal, records } = BatchJournal.open(path);
    assert.deepEqual(records, []);
    const batches: KeyValueOperation[][] = [[put(1), put(2, 7)], [], [{ type: "del", key: key(1) }, { type: "put", key: key(3), value: value(3, 70_000) }]];
    batches.forEach((operations, index) => journal.append(BigInt(index + 1), operations));
    journal.close();
    const reopened = BatchJournal.open(path);
    reopened.journal.close();
    assert.deepEqual(reopened.records.map((record) => record.sequence), [1n, 2n, 3n]);
    assert.deepEqual(reopened.records.map((record) => plain(record.operations)), batches.map(plain));
  }));

  it("returns copies the caller cannot change, and refuses a malformed operation before writing anything", withDir(async (dir) => {
    const path = join(dir, "j");
    const { journal } = BatchJournal.open(path);
    const original = value(5);
    const [journaled] = journal.append(1n, [{ type: "put", key: key(5), value: original }]);
    original.fill(9);
    assert.deepEqual([...(journaled as { value: Uint8Array }).value], [...value(5)]);
    const sizeBefore = journal.size;
    assert.throws(() => journal.append(2n, [put(6), { type: "put", key: key(7), value: "text" } as unknown as KeyValueOperation]), {
      name: "TypeError",
      message: "a put's value must be a Uint8Array",
    });
    assert.equal(journal.size, sizeBefore);
    journal.close();
    assert.equal(statSync(path).size, sizeBefore);
  }));

  it("a journal whose failed append cannot be cut off again refuses every later append", withDir(async (dir) => {
    const { journal } = BatchJournal.open(join(dir, "j"));
    journal.append(1n, [put(1)]);
    closeSync((journal as unknown as { fd: number }).fd); // the file is gone from under it: writes and truncation fail
    assert.throws(() => journal.append(2n, [put(2)]), { code: "EBADF" });
    assert.throws(() => journal.append(3n, [put(3)]), /the journal cannot be written: .*EBADF.*restart the node/);
  }));

  for (const [damage, spoil] of [
    ["a record cut short (killed mid-append)", (path: string, size: number) => truncateSync(path, size - 3)],
    ["a corrupted byte (CRC mismatch)", (path: string, size: number) => {
      const contents = readFileSync(path);
      contents[size - 2] ^= 0xff;
      writeFileSync(path, contents);
    }],
    ["garbage after the last record", (path: string) => appendFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]))],
  ] as const) {
    it(`ends at ${damage}, cuts it off, and appends after the last good record`, withDir(async (dir) => {
      const path = join(dir, "j");
      const { journal } = BatchJournal.open(path);
      journal.append(1n, [put(1)]);
      const goodSize = journal.size;
      journal.append(2n, [put(2)]);
      const fullSize = journal.size;
      journal.close();
      spoil(path, fullSize);
      const reopened = BatchJournal.open(path);
      const survivors = damage.startsWith("garbage") ? [1n, 2n] : [1n];
      assert.deepEqual(reopened.records.map((record) => record.sequence), survivors);
      assert.equal(statSync(path).size, damage.startsWith("garbage") ? fullSize : goodSize, "the damaged tail is cut off");
      reopened.journal.append(3n, [put(3)]);
      reopened.journal.close();
      assert.deepEqual(BatchJournal.open(path).records.map((record) => record.sequence), [...survivors, 3n]);
    }));
  }
});

describe("LevelDB store with a journal (no fsync)", () => {
  it("answers reads from a batch LevelDB does not hold yet, and holds it after flush", withDir(async (dir) => {
    const store = await LevelKeyValueStore.open(dir, { sync: false });
    try {
      for (let round = 0; round < 200; round++) {
        await store.write([put(round % 50, round), { type: "del", key: key((round + 1) % 50) }]);
        assert.deepEqual(bytes(await store.get(key(round % 50))), value(round));
        assert.equal(await store.get(key((round + 1) % 50)), undefined);
      }
      const read = await store.get(key(49));
      read!.fill(0);
      assert.deepEqual(bytes(await store.get(key(49))), value(199), "a read is a copy");
      await store.flush();
      assert.deepEqual(bytes(await store.get(key(49))), value(199));
    } finally {
      await store.close();
    }
    assert.equal(statSync(join(dir, JOURNAL_FILE)).size, 0, "a clean close leaves an empty journal");
  }));

  it("replays on open what LevelDB lacks, skipping what it holds and stopping at a gap", withDir(async (dir) => {
    const store = await LevelKeyValueStore.open(dir, { sync: false });
    for (let n = 1; n <= 5; n++) await store.write([put(n)]); // sequences 1-5, all in LevelDB after close
    await store.close();
    // What a kill, or an OS crash that undid a truncation, can leave: an old batch, two LevelDB lacks, one after a gap.
    const { journal } = BatchJournal.open(join(dir, JOURNAL_FILE));
    journal.append(3n, [put(1, 99)]);
    journal.append(6n, [put(6)]);
    journal.append(7n, [put(7), { type: "del", key: key(2) }]);
    journal.append(9n, [put(9)]);
    journal.close();
    const reopened = await LevelKeyValueStore.open(dir, { sync: false });
    try {
      assert.deepEqual(bytes(await reopened.get(key(1))), value(1), "an old record is not applied over newer data");
      assert.deepEqual(bytes(await reopened.get(key(6))), value(6));
      assert.deepEqual(bytes(await reopened.get(key(7))), value(7));
      assert.equal(await reopened.get(key(2)), undefined);
      assert.equal(await reopened.get(key(9)), undefined, "nothing after a gap");
      assert.equal(statSync(join(dir, JOURNAL_FILE)).size, 0, "replayed, then emptied");
      await reopened.write([put(10)]); // sequence 8 follows the last applied
      assert.deepEqual(bytes(await reopened.get(key(10))), value(10));
    } finally {
      await reopened.close();
    }
    const again = await LevelKeyValueStore.open(dir, { sync: true });
    try {
      assert.deepEqual(bytes(await again.get(key(10))), value(10));
    } finally {
      await again.close();
    }
  }));

  it("a store opened with fsync replays a journal left without it, then removes the file", withDir(async (dir) => {
    const store = await LevelKeyValueStore.open(dir, { sync: true });
    await store.close();
    const { journal } = BatchJournal.open(join(dir, JOURNAL_FILE));
    journal.append(1n, [put(4)]);
    journal.close();
    const reopened = await LevelKeyValueStore.open(dir, { sync: true });
    try {
      assert.deepEqual(bytes(await reopened.get(key(4))), value(4));
      assert.equal(existsSync(join(dir, JOURNAL_FILE)), false);
    } finally {
      await reopened.close();
    }
  }));

  it("a batch that cannot reach LevelDB stops further writes, loses nothing, and is replayed on the next open", withDir(async (dir) => {
    const store = await LevelKeyValueStore.open(dir, { sync: false });
    const db = (store as unknown as { db: { batch: () => unknown } }).db;
    const realBatch = db.batch.bind(db);
    db.batch = () => ({ put() {}, del() {}, close: async () => {}, write: async () => Promise.reject(new Error("IO error: No space left on device")) });
    await store.write([put(1)]); // journaled: durable, answered
    const isWriteFailed = (error: unknown) => {
      assert.ok(error instanceof StoreWriteFailedError, String(error));
      assert.equal(error.code, "STORE_WRITE_FAILED");
      assert.match(error.message, /No space left on device.*restart the node to replay its journal/);
      return true;
    };
    await assert.rejects(store.flush(), isWriteFailed);
    await assert.rejects(store.write([put(2)]), isWriteFailed);
    assert.deepEqual(bytes(await store.get(key(1))), value(1), "still readable");
    assert.equal(await store.get(key(2)), undefined, "a refused write is not visible");
    db.batch = realBatch;
    await store.close();
    assert.ok(statSync(join(dir, JOURNAL_FILE)).size > 0, "the journal is kept for the next open");
    const reopened = await LevelKeyValueStore.open(dir, { sync: false });
    try {
      assert.deepEqual(bytes(await reopened.get(key(1))), value(1));
    } finally {
      await reopened.close();
    }
  }));
});
