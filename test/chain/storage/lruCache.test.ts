/**
 * The chain store's LRU cache: bounded by count, a read makes an entry the most recent, the least
 * recently used goes first, and it keeps working at a steady size over many generations of entries
 * (where the Map-based version it replaced slowed down by two orders of magnitude).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LruCache } from "../../../chain/storage/lruCache.ts";

test("evicts the least recently used entry; a read or a write makes an entry the most recent", () => {
  const cache = new LruCache<string, number>(3);
  cache.set("a", 1);
  cache.set("b", 2);
  cache.set("c", 3);
  assert.equal(cache.get("a"), 1); // a is now the most recent: b goes next
  cache.set("d", 4);
  assert.equal(cache.get("b"), undefined);
  assert.deepEqual(["a", "c", "d"].map((key) => cache.get(key)), [1, 3, 4]);
  cache.set("c", 30); // an update refreshes too: a is now the oldest
  cache.set("e", 5);
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.get("c"), 30);
  assert.equal(cache.size, 3);
  cache.delete("c");
  assert.equal(cache.get("c"), undefined);
  assert.equal(cache.size, 2);
});

test("holds exactly its capacity at a steady size, over many times its capacity in inserts", () => {
  const capacity = 1000;
  const cache = new LruCache<number, number>(capacity);
  for (let key = 0; key < 50 * capacity; key++) {
    cache.set(key, key);
    if (key % 7 === 0) cache.get(key - 500); // reads in between, as a node's do
    assert.ok(cache.size <= capacity);
  }
  assert.equal(cache.size, capacity);
  const newest = 50 * capacity - 1;
  assert.equal(cache.get(newest), newest);
  assert.equal(cache.get(newest - 2 * capacity), undefined);
});

test("refuses a capacity that is not a positive integer", () => {
  for (const capacity of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new LruCache(capacity), { name: "RangeError", message: `invalid LRU capacity ${capacity}` });
  }
});
