/**
 * The byte-level stores: a batch is applied whole (puts and deletes), a batch with a bad operation is
 * refused with nothing of it written, and a closed store says so. LevelDB and the in-memory store
 * keep the same contract.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LevelKeyValueStore, MemoryKeyValueStore, StoreClosedError, type KeyValueOperation, type KeyValueStore } from "../../../chain/storage/keyValueStore.ts";

const key = (n: number) => Uint8Array.of(0x6b, n);
const value = (n: number) => new Uint8Array(40).fill(n);
/** What a store returned, as plain bytes (LevelDB hands out Buffers). */
const bytes = (found: Uint8Array | undefined) => (found === undefined ? undefined : new Uint8Array(found));

const stores: [string, () => Promise<{ store: KeyValueStore; cleanup: () => void }>][] = [
  ...[true, false].map((sync): [string, () => Promise<{ store: KeyValueStore; cleanup: () => void }>] => [
    sync ? "LevelDB (fsync)" : "LevelDB (journal)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "concord-kv-"));
      return { store: await LevelKeyValueStore.open(dir, { sync }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ]),
  ["memory", async () => ({ store: new MemoryKeyValueStore(), cleanup: () => {} })],
];

/** What each store throws for a batch operation without a key (LevelDB's own error, or a TypeError before anything is written). */
const BAD_KEY_ERROR: Record<string, { name: string; message: string; code?: string }> = {
  "LevelDB (fsync)": { name: "Error", code: "LEVEL_INVALID_KEY", message: "Key cannot be null or undefined" },
  "LevelDB (journal)": { name: "TypeError", message: "a batch operation's key must be a Uint8Array" },
  memory: { name: "TypeError", message: "a batch operation's key must be a Uint8Array" },
};

function isStoreClosed(error: unknown): true {
  assert.ok(error instanceof StoreClosedError, String(error));
  assert.equal(error.code, "STORE_CLOSED");
  assert.equal(error.message, "the store is closed");
  return true;
}

for (const [name, open] of stores) {
  describe(`${name} key-value store`, () => {
    it("applies a batch of puts and deletes, later operations over earlier ones", async () => {
      const { store, cleanup } = await open();
      try {
        await store.write(Array.from({ length: 120 }, (_, n): KeyValueOperation => ({ type: "put", key: key(n), value: value(n) })));
        await store.write([
          { type: "del", key: key(3) },
          { type: "put", key: key(4), value: value(44) },
          { type: "put", key: key(4), value: value(45) },
        ]);
        assert.deepEqual(bytes(await store.get(key(119))), value(119));
        assert.equal(await store.get(key(3)), undefined);
        assert.deepEqual(bytes(await store.get(key(4))), value(45));
        await store.write([]);
        assert.deepEqual(bytes(await store.get(key(0))), value(0));
      } finally {
        await store.close();
        cleanup();
      }
    });

    it("refuses a batch with a missing key and writes none of it; a closed store says so", async () => {
      const { store, cleanup } = await open();
      try {
        const bad = [
          { type: "put", key: key(1), value: value(1) },
          { type: "put", key: undefined, value: value(2) },
        ] as unknown as KeyValueOperation[];
        await assert.rejects(store.write(bad), BAD_KEY_ERROR[name]!);
        assert.equal(await store.get(key(1)), undefined, "nothing of a refused batch is written");
        await store.close();
        await assert.rejects(store.write([{ type: "put", key: key(9), value: value(9) }]), isStoreClosed);
        await assert.rejects(store.get(key(9)), isStoreClosed);
      } finally {
        cleanup();
      }
    });
  });
}
