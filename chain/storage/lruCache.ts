/**
 * A count-bounded least-recently-used map, on isaacs' lru-cache (a linked list over arrays).
 *
 * Not a `Map` re-inserting on each hit and evicting `keys().next()`: V8 leaves a hole in a Map's table
 * for every deleted entry and only compacts it when the table grows, so at a steady size each eviction
 * walked past every hole left since the last compaction. At the chain store's 200,000 state nodes that
 * reached ~150 us per insert here, ~3 ms per block once a devnet had written 200,000 trie nodes (a
 * few tens of thousands of transactions): one-transaction blocks took 2-3 times as long as on a fresh
 * node. lru-cache stays at ~1 us.
 */
import { LRUCache } from "lru-cache";

export class LruCache<K extends {}, V extends {}> {
  private readonly entries: LRUCache<K, V>;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`invalid LRU capacity ${capacity}`);
    this.entries = new LRUCache<K, V>({ max: capacity });
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Sets the value, most recently used; the least recently used entry goes when over capacity. */
  set(key: K, value: V): void {
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
