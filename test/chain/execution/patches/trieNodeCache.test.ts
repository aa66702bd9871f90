/**
 * The decoded trie node cache changes nothing but speed: tries reading through it compute the same
 * roots and values as plain ones under random inserts, overwrites and deletes, a trie that mutates
 * looked-up nodes while inserting never changes what others read, and copies made with
 * `shallowCopy` (the state manager's storage tries) use it too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BranchMPTNode, MerklePatriciaTrie } from "@ethereumjs/mpt";
import { ValueEncoding, bytesToHex } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { StateNodeDb, type StateNodeSource } from "../../../../chain/execution/stateNodeDb.ts";
import { TrieNodeCache, cacheTrieNodes } from "../../../../chain/execution/patches/trieNodeCache.ts";
import { withSeed, type Random } from "../seededRandom.ts";

const common = await createConcordCommon();

/** A committed-node source the test fills from a trie's writes (as the chain store does at commit). */
class Nodes implements StateNodeSource {
  readonly map = new Map<string, Uint8Array>();
  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key);
  }
  absorb(db: StateNodeDb): void {
    for (const [key, value] of db.writes()) this.map.set(key, value);
  }
}

function trie(nodes: StateNodeSource, root?: Uint8Array, useKeyHashing = true): { trie: MerklePatriciaTrie; db: StateNodeDb } {
  const db = new StateNodeDb(nodes);
  return { trie: new MerklePatriciaTrie({ db, useKeyHashing, common, valueEncoding: ValueEncoding.Bytes, root }), db };
}

/** Runs random puts and deletes on a plain and a cached trie side by side, block after block. */
async function compareUnderRandomOps(random: Random, keys: Uint8Array[], value: () => Uint8Array, useKeyHashing: boolean): Promise<TrieNodeCache> {
  const cache = new TrieNodeCache(10_000);
  const plainNodes = new Nodes();
  const cachedNodes = new Nodes();
  let plainRoot: Uint8Array | undefined;
  let cachedRoot: Uint8Array | undefined;
  for (let block = 0; block < 8; block++) {
    // Each "block" opens fresh tries on the last root, as execution does.
    const plain = trie(plainNodes, plainRoot, useKeyHashing);
    const cached = trie(cachedNodes, cachedRoot, useKeyHashing);
    cacheTrieNodes(cached.trie, cache);
    for (let op = 0; op < 150; op++) {
      const key = random.pick(keys);
      const next = random.next() < 0.25 ? new Uint8Array() : value();
      await plain.trie.put(key, next);
      await cached.trie.put(key, next);
    }
    assert.equal(bytesToHex(cached.trie.root()), bytesToHex(plain.trie.root()), `block ${block}`);
    for (const key of keys) assert.deepEqual(await cached.trie.get(key), await plain.trie.get(key));
    plainNodes.absorb(plain.db);
    cachedNodes.absorb(cached.db);
    plainRoot = plain.trie.root();
    cachedRoot = cached.trie.root();
  }
  return cache;
}

describe("trie node cache", () => {
  it("gives the same roots and values as a plain trie under random inserts, overwrites and deletes", async () => {
    await withSeed(101, async (random) => {
      const keys = Array.from({ length: 300 }, () => random.bytes(20));
      const cache = await compareUnderRandomOps(random, keys, () => random.bytes(1 + random.int(80)), true);
      assert.ok(cache.hits > 0, "the cache served lookups");
    });
  });

  it("also with unhashed keys sharing prefixes and short values (extension and embedded nodes)", async () => {
    const alphabet = [0x00, 0x01, 0x10, 0x11, 0xff];
    await withSeed(102, async (random) => {
      const keys = Array.from({ length: 120 }, () => Uint8Array.from({ length: 1 + random.int(4) }, () => random.pick(alphabet)));
      await compareUnderRandomOps(random, keys, () => random.bytes(1 + random.int(4)), false);
    });
  });

  it("keeps what other tries read unchanged while one trie inserts through the same cached nodes", () =>
    withSeed(103, async ({ bytes: randomBytes }) => {
      const cache = new TrieNodeCache(10_000);
      const nodes = new Nodes();
      const base = trie(nodes);
      const entries = Array.from({ length: 200 }, () => [randomBytes(32), randomBytes(40)] as const);
      for (const [key, value] of entries) await base.trie.put(key, value);
      nodes.absorb(base.db);
      const root = base.trie.root();

      const writer = cacheTrieNodes(trie(nodes, root).trie, cache);
      for (const [key] of entries) await writer.get(key); // every node of the old state is now cached
      for (const [key] of entries.slice(0, 100)) await writer.put(key, randomBytes(40));
      assert.notEqual(bytesToHex(writer.root()), bytesToHex(root));

      const reader = cacheTrieNodes(trie(nodes, root).trie, cache);
      for (const [key, value] of entries) assert.deepEqual(await reader.get(key), value);
      assert.equal(bytesToHex(reader.root()), bytesToHex(root));
    }));

  it("serves the tries made by shallowCopy (storage tries) from the same cache", () =>
    withSeed(104, async ({ bytes: randomBytes }) => {
      const cache = new TrieNodeCache(10_000);
      const nodes = new Nodes();
      const base = trie(nodes);
      const entries = Array.from({ length: 50 }, () => [randomBytes(32), randomBytes(40)] as const);
      for (const [key, value] of entries) await base.trie.put(key, value);
      nodes.absorb(base.db);
      const original = cacheTrieNodes(trie(nodes, base.trie.root()).trie, cache);
      for (const [key] of entries) await original.get(key);
      const hitsBefore = cache.hits;
      const copy = original.shallowCopy(false);
      for (const [key, value] of entries) assert.deepEqual(await copy.get(key), value);
      assert.ok(cache.hits >= hitsBefore + entries.length, "the copy's reads were served by the cache");
    }));

  it("holds at most its capacity, keeping what was used in the last generation", () => {
    const cache = new TrieNodeCache(4); // generations of 2
    const hash = (n: number) => new Uint8Array(32).fill(n);
    for (const n of [1, 2, 3]) cache.set(hash(n), new BranchMPTNode()); // 1, 2 turn old when 3 arrives
    assert.ok(cache.get(hash(1)) instanceof BranchMPTNode); // used: moves back to the young generation
    cache.set(hash(4), new BranchMPTNode()); // young {3, 1} turns old; 2 is dropped
    assert.equal(cache.get(hash(2)), undefined);
    assert.ok(cache.get(hash(1)) instanceof BranchMPTNode);
    assert.ok(cache.size <= 4);
    assert.throws(() => new TrieNodeCache(1), RangeError);
  });
});
