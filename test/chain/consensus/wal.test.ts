import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileWal, type FileWalOptions } from "../../../chain/consensus/tendermint/wal.ts";
import { decodeWalRecord, encodeWalRecord } from "../../../chain/consensus/tendermint/tendermintEngine.ts";
import { countFdatasync } from "./helpers/countFdatasync.ts";

async function all(wal: FileWal): Promise<string[]> {
  const records: string[] = [];
  for await (const record of wal.replay()) records.push(Buffer.from(record).toString());
  return records;
}

describe("the consensus write-ahead log", () => {
  let dir: string;
  let n = 0;
  before(async () => (dir = await mkdtemp(path.join(tmpdir(), "concord-wal-"))));
  after(() => rm(dir, { recursive: true, force: true }));
  const fresh = (options?: FileWalOptions) => new FileWal(path.join(dir, `wal-${++n}`), options);

  it("replays what was appended, in order, after a reopen; an absent file is an empty log", async () => {
    const wal = fresh();
    assert.deepEqual(await all(wal), []);
    for (const text of ["one", "two", "three"]) await wal.append(Buffer.from(text));
    await wal.close();
    assert.deepEqual(await all(new FileWal(wal.file)), ["one", "two", "three"]);
  });

  it("keeps order between records that need not be durable (written later, together) and durable ones (written at once, after them)", async () => {
    const wal = fresh({ truncateAtBytes: 0 });
    await wal.append(Buffer.from("theirs-1"), { durable: false });
    await wal.append(Buffer.from("theirs-2"), { durable: false });
    await wal.append(Buffer.from("own vote"));
    assert.deepEqual(await all(new FileWal(wal.file)), ["theirs-1", "theirs-2", "own vote"], "a durable record carries what came before it");
    await wal.append(Buffer.from("theirs-3"), { durable: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(await all(new FileWal(wal.file)), ["theirs-1", "theirs-2", "own vote", "theirs-3"], "and the rest follows on its own");
    await wal.append(Buffer.from("old height"), { durable: false });
    await wal.clear();
    await wal.append(Buffer.from("new height"), { durable: false });
    await wal.close();
    assert.deepEqual(await all(new FileWal(wal.file)), ["new height"], "clear drops what was waiting, close writes what is left");
  });

  it("flushes each durable record to the disk; with sync off (a devnet without --fsync) it only writes it, at once", async () => {
    const synced = fresh();
    assert.equal(await countFdatasync(async () => {
      await synced.append(Buffer.from("vote"));
      await synced.append(Buffer.from("theirs"), { durable: false });
      await synced.append(Buffer.from("precommit"));
    }), 2, "one flush per durable record");
    await synced.close();
    const unsynced = fresh({ sync: false });
    assert.equal(await countFdatasync(async () => {
      await unsynced.append(Buffer.from("theirs"), { durable: false });
      await unsynced.append(Buffer.from("vote"));
    }), 0);
    // Written when append resolved (what a killed process cannot lose), not at close.
    assert.deepEqual(await all(new FileWal(unsynced.file)), ["theirs", "vote"]);
    await unsynced.close();
  });

  it("drops a torn last frame (cut short, or its checksum wrong) and truncates the file there", async () => {
    const wal = fresh();
    await wal.append(Buffer.from("kept"));
    await wal.close();
    const intact = (await stat(wal.file)).size;
    await appendFile(wal.file, Buffer.from([0, 0, 0, 9, 1, 2])); // a header cut short by a crash
    assert.deepEqual(await all(new FileWal(wal.file)), ["kept"]);
    assert.equal((await stat(wal.file)).size, intact);
    await appendFile(wal.file, Buffer.from([0, 0, 0, 2, 0, 0, 0, 0, 0x61, 0x62])); // a whole frame, wrong checksum
    assert.deepEqual(await all(new FileWal(wal.file)), ["kept"]);
    const reopened = new FileWal(wal.file);
    await reopened.append(Buffer.from("after"));
    await reopened.close();
    assert.deepEqual(await all(new FileWal(wal.file)), ["kept", "after"]);
  });

  it("refuses corruption before the end instead of running on a log it cannot trust", async () => {
    const wal = fresh();
    await wal.append(Buffer.from("first"));
    await wal.append(Buffer.from("second"));
    await wal.close();
    const bytes = await readFile(wal.file);
    bytes[9] ^= 0xff; // inside the first record's payload
    await writeFile(wal.file, bytes);
    await assert.rejects(all(new FileWal(wal.file)), { code: "WAL_CORRUPT", message: /corrupt at byte 0/ });
  });

  it("is cut back to empty by clear() after a commit once it has grown past its threshold, not at every height", async () => {
    const wal = fresh({ truncateAtBytes: 40 }); // each record here is 8 + 8 bytes
    await wal.append(Buffer.from("height-1"));
    await wal.clear();
    await wal.append(Buffer.from("height-2"));
    await wal.clear();
    assert.deepEqual(await all(new FileWal(wal.file)), ["height-1", "height-2"], "16, then 32 bytes: kept (replay skips committed heights)");
    await wal.append(Buffer.from("height-3"));
    await wal.clear(); // 48 bytes: cut
    await wal.append(Buffer.from("height-4"));
    await wal.close();
    assert.deepEqual(await all(new FileWal(wal.file)), ["height-4"]);
    // Reopened, it knows how much the file holds.
    const reopened = new FileWal(wal.file, { truncateAtBytes: 20 });
    await reopened.append(Buffer.from("height-5"));
    await reopened.clear();
    await reopened.close();
    assert.deepEqual(await all(new FileWal(wal.file)), []);
  });

  it("records events with their bigints and bytes intact", () => {
    const event = { type: "blockBuilt" as const, height: 2n ** 70n, round: 3, blockHash: `0x${"ab".repeat(32)}` as const, block: Uint8Array.of(1, 2, 3) };
    assert.deepEqual(decodeWalRecord(encodeWalRecord(event)), event);
    assert.equal(decodeWalRecord(Buffer.from("not json")), undefined);
    // Bytes that came off a socket are Node Buffers, which JSON.stringify turns into { type, data } first.
    const fromSocket = { ...event, block: Buffer.from([4, 5, 6]) };
    assert.deepEqual(decodeWalRecord(encodeWalRecord(fromSocket)), { ...event, block: Uint8Array.of(4, 5, 6) });
  });
});
