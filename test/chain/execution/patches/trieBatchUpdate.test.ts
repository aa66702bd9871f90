/**
 * `applyTrieUpdates` against ethereumjs' own put/del: seeded random batches of inserts, overwrites,
 * deletes (of present and missing keys, by empty value too) and delete-all, on empty and pre-filled
 * tries, with hashed keys and with unhashed keys sharing long prefixes (extensions, embedded nodes).
 * After every batch the roots are equal, a fresh trie over only the old nodes plus the batch's writes
 * reads every key back (every final node was written), and every node written is reachable from the
 * new root (no intermediate node was). Seeds are fixed: a failure names its seed and round.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BranchMPTNode, ExtensionMPTNode, MerklePatriciaTrie, ROOT_DB_KEY, decodeMPTNode, decodeRawMPTNode, isRawMPTNode, type MPTNode } from "@ethereumjs/mpt";
import { MapDB, ValueEncoding, bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { StateNodeDb, type StateNodeSource } from "../../../../chain/execution/stateNodeDb.ts";
import { TrieNodeCache, cacheTrieNodes } from "../../../../chain/execution/patches/trieNodeCache.ts";
import { TrieUpdateError, TrieUpdateErrorCode, applyTrieUpdates, type TrieUpdate } from "../../../../chain/execution/patches/trieBatchUpdate.ts";
import { Nodes, seeded, type Random } from "../seededRandom.ts";

const common = await createConcordCommon();
const keccak = common.customCrypto.keccak256!;
const EMPTY_ROOT = new MerklePatriciaTrie().EMPTY_TRIE_ROOT;



function openTrie(nodes: StateNodeSource, root: Uint8Array | undefined, useKeyHashing: boolean) {
  const db = new StateNodeDb(nodes);
  return { trie: new MerklePatriciaTrie({ db, useKeyHashing, common, valueEncoding: ValueEncoding.Bytes, root }), db };
}

/** Key shapes: hashed (any bytes, the trie hashes them) or raw 32-byte keys with long shared prefixes. */
interface KeySpace {
  useKeyHashing: boolean;
  newKey(random: Random): Uint8Array;
  newValue(random: Random): Uint8Array;
}

const hashedKeys: KeySpace = {
  useKeyHashing: true,
  newKey: (random) => random.bytes(20),
  newValue: (random) => random.bytes(1 + random.int(70)),
};

/** Three 28-byte stems and a tail of 4 bytes from a tiny alphabet: deep extensions, short leaves. */
const stems = [new Uint8Array(28), new Uint8Array(28).fill(0x11), Uint8Array.from({ length: 28 }, (_, i) => (i < 27 ? 0 : 0x10))];
const tailAlphabet = [0x00, 0x01, 0x10, 0x11, 0xf0];
const prefixKeys: KeySpace = {
  useKeyHashing: false,
  newKey: (random) => {
    const key = new Uint8Array(32);
    key.set(random.pick(stems));
    for (let i = 28; i < 32; i++) key[i] = random.pick(tailAlphabet);
    return key;
  },
  // Mostly tiny values, so leaves and whole branches are embedded in their parents.
  newValue: (random) => random.bytes(random.next() < 0.8 ? 1 + random.int(3) : 1 + random.int(40)),
};

/** One random batch over `model` (the expected contents), updated in place. */
function randomBatch(random: Random, space: KeySpace, model: Map<string, Uint8Array>, size: number): TrieUpdate[] {
  const updates: TrieUpdate[] = [];
  const present = [...model.keys()];
  for (let i = 0; i < size; i++) {
    const roll = random.next();
    let key: Uint8Array;
    let value: Uint8Array | undefined;
    if (roll < 0.35 || present.length === 0) {
      key = space.newKey(random); // insert (or a rare collision: overwrite)
      value = space.newValue(random);
    } else if (roll < 0.6) {
      key = hexToBytes(random.pick(present) as `0x${string}`); // overwrite
      value = space.newValue(random);
    } else if (roll < 0.8) {
      key = hexToBytes(random.pick(present) as `0x${string}`); // delete
      value = random.next() < 0.5 ? undefined : new Uint8Array(0);
    } else if (roll < 0.9) {
      key = space.newKey(random); // delete of a (most likely) missing key
      value = undefined;
    } else {
      // The same key again later in the batch: the last update wins.
      const earlier = updates.length > 0 ? random.pick(updates).key : space.newKey(random);
      key = earlier;
      value = random.next() < 0.5 ? undefined : space.newValue(random);
    }
    updates.push({ key, value });
    if (value === undefined || value.length === 0) model.delete(bytesToHex(key));
    else model.set(bytesToHex(key), value);
  }
  return updates;
}

/**
 * The nodes the batch wrote are exactly the new trie's new nodes: each is stored under its hash and
 * reached from the new root through written nodes, and every other node they refer to was already
 * stored (`old`). Together with the same check on every earlier batch, every node of the new trie is
 * in the database and none was written for nothing.
 */
async function assertWritesAreExactlyTheNewNodes(root: Uint8Array, writes: ReadonlyMap<string, Uint8Array>, old: Nodes): Promise<void> {
  for (const [key, encoded] of writes) assert.equal(bytesToHex(keccak(encoded)).slice(2), key, "nodes are stored under their hash");
  const reached = new Set<string>();
  const visit = (node: MPTNode) => {
    const refs: (Uint8Array | Uint8Array[])[] = [];
    if (node instanceof BranchMPTNode) {
      for (let i = 0; i < 16; i++) {
        const ref = node.getBranch(i);
        if (ref !== null) refs.push(ref as Uint8Array | Uint8Array[]);
      }
    } else if (node instanceof ExtensionMPTNode) {
      refs.push(node._value as Uint8Array | Uint8Array[]);
    }
    for (const ref of refs) {
      if (isRawMPTNode(ref)) visit(decodeRawMPTNode(ref));
      else walk(ref);
    }
  };
  const walk = (hash: Uint8Array) => {
    const key = bytesToHex(hash).slice(2);
    if (reached.has(key)) return;
    const encoded = writes.get(key);
    if (encoded === undefined) {
      assert.ok(old.map.has(key), `node ${key} is neither written nor stored`);
      return; // an untouched subtrie
    }
    reached.add(key);
    visit(decodeMPTNode(encoded));
  };
  if (!equalsBytes(root, EMPTY_ROOT)) walk(root);
  assert.deepEqual([...writes.keys()].filter((key) => !reached.has(key)), [], "no node written that the new trie does not use");
}

/**
 * Runs `rounds` batches on a reference trie (ethereumjs, one key at a time) and on a trie updated by
 * `applyTrieUpdates` (through the decoded node cache, as Concord runs it), from `prefill` keys.
 */
async function differential(seed: number, space: KeySpace, options: { prefill: number; rounds: number; batch: number }): Promise<void> {
  const random = seeded(seed);
  const model = new Map<string, Uint8Array>();
  const referenceNodes = new Nodes();
  let root: Uint8Array | undefined;
  if (options.prefill > 0) {
    const { trie, db } = openTrie(referenceNodes, undefined, space.useKeyHashing);
    for (const { key, value } of randomBatch(random, space, model, options.prefill)) await trie.put(key, value ?? null);
    referenceNodes.absorb(db.writes());
    root = trie.root();
  }
  const batchNodes = referenceNodes.copy();
  const cache = new TrieNodeCache(10_000);
  // Nodes enter this one only when read from the fresh tries' database, so a hit proves a write.
  const readBackCache = new TrieNodeCache(100_000);
  for (let round = 0; round < options.rounds; round++) {
    const where = `seed ${seed}, round ${round}`;
    const deleteAll = round === options.rounds - 1 && seed % 2 === 0;
    const updates = deleteAll
      ? [...model.keys()].map((key) => ({ key: hexToBytes(key as `0x${string}`), value: undefined }))
      : randomBatch(random, space, model, 1 + random.int(options.batch));
    if (deleteAll) model.clear();

    const reference = openTrie(referenceNodes, root, space.useKeyHashing);
    for (const { key, value } of updates) {
      if (value === undefined) await reference.trie.del(key);
      else await reference.trie.put(key, value);
    }
    const batched = openTrie(batchNodes, root, space.useKeyHashing);
    cacheTrieNodes(batched.trie, cache);
    await applyTrieUpdates(batched.trie, updates);

    assert.equal(bytesToHex(batched.trie.root()), bytesToHex(reference.trie.root()), where);
    if (deleteAll) assert.ok(equalsBytes(batched.trie.root(), batched.trie.EMPTY_TRIE_ROOT), `${where}: all deleted`);
    await assertWritesAreExactlyTheNewNodes(batched.trie.root(), batched.db.writes(), batchNodes);

    referenceNodes.absorb(reference.db.writes());
    batchNodes.absorb(batched.db.writes());
    root = batched.trie.root();
    // A fresh trie over the old nodes and the batch's writes only: the batch's keys read back, and
    // after the last batch every key does.
    const fresh = cacheTrieNodes(openTrie(batchNodes, root, space.useKeyHashing).trie, readBackCache);
    for (const { key } of updates) assert.deepEqual(await fresh.get(key), model.get(bytesToHex(key)) ?? null, `${where}: ${bytesToHex(key)}`);
    if (round === options.rounds - 1) {
      for (const [key, value] of model) assert.deepEqual(await fresh.get(hexToBytes(key as `0x${string}`)), value, `${where}: ${key}`);
    }
  }
}

describe("applyTrieUpdates", () => {
  it("gives ethereumjs' roots for random batches with hashed keys, from an empty trie", async () => {
    for (const seed of [1, 2, 3, 4]) await differential(seed, hashedKeys, { prefill: 0, rounds: 12, batch: 120 });
  });

  it("gives ethereumjs' roots for random batches with hashed keys on a pre-filled trie", async () => {
    for (const seed of [11, 12]) await differential(seed, hashedKeys, { prefill: 2500, rounds: 6, batch: 400 });
  });

  it("gives ethereumjs' roots with unhashed keys sharing long prefixes (extensions, embedded nodes)", async () => {
    for (const seed of [21, 22, 23, 24, 25, 26]) await differential(seed, prefixKeys, { prefill: 0, rounds: 15, batch: 60 });
    for (const seed of [31, 32]) await differential(seed, prefixKeys, { prefill: 400, rounds: 10, batch: 150 });
  });

  it("fills an empty trie with thousands of keys to ethereumjs' root", async () => {
    const random = seeded(41);
    const updates = Array.from({ length: 2500 }, () => ({ key: random.bytes(32), value: random.bytes(1 + random.int(40)) }));
    const reference = openTrie(new Nodes(), undefined, true).trie;
    for (const { key, value } of updates) await reference.put(key, value);
    const batched = openTrie(new Nodes(), undefined, true);
    await applyTrieUpdates(batched.trie, updates);
    assert.equal(bytesToHex(batched.trie.root()), bytesToHex(reference.root()));
    await assertWritesAreExactlyTheNewNodes(batched.trie.root(), batched.db.writes(), new Nodes());
  });

  it("changes nothing and writes nothing for no updates, deletes of missing keys and unchanged values", async () => {
    const random = seeded(51);
    const nodes = new Nodes();
    const { trie, db } = openTrie(nodes, undefined, true);
    const entries = Array.from({ length: 50 }, () => ({ key: random.bytes(20), value: random.bytes(40) }));
    await applyTrieUpdates(trie, entries);
    nodes.absorb(db.writes());
    const root = trie.root();

    const again = openTrie(nodes, root, true);
    await applyTrieUpdates(again.trie, []);
    await applyTrieUpdates(again.trie, [{ key: random.bytes(20), value: undefined }, { key: random.bytes(20), value: new Uint8Array(0) }]);
    await applyTrieUpdates(again.trie, entries.slice(0, 10));
    assert.equal(bytesToHex(again.trie.root()), bytesToHex(root));
    assert.equal(again.db.writes().size, 0);

    const empty = openTrie(new Nodes(), undefined, true);
    await applyTrieUpdates(empty.trie, [{ key: random.bytes(20), value: undefined }]);
    assert.ok(equalsBytes(empty.trie.root(), empty.trie.EMPTY_TRIE_ROOT));
    assert.equal(empty.db.writes().size, 0);
  });

  it("treats an empty value as a delete and lets the last update of a key win, as put does", async () => {
    const key = new Uint8Array(32).fill(7);
    const other = new Uint8Array(32).fill(8);
    const { trie } = openTrie(new Nodes(), undefined, true);
    await applyTrieUpdates(trie, [
      { key, value: Uint8Array.of(1) },
      { key: other, value: Uint8Array.of(2) },
      { key, value: Uint8Array.of(3) },
      { key: other, value: Uint8Array.of(4) },
      { key: other, value: new Uint8Array(0) },
    ]);
    assert.deepEqual(await trie.get(key), Uint8Array.of(3));
    assert.equal(await trie.get(other), null);
    const reference = openTrie(new Nodes(), undefined, true).trie;
    await reference.put(key, Uint8Array.of(3));
    assert.equal(bytesToHex(trie.root()), bytesToHex(reference.root()));
  });

  it("writes through the trie's checkpoint: a revert restores the old root and contents", async () => {
    const random = seeded(61);
    const { trie, db } = openTrie(new Nodes(), undefined, true);
    const first = Array.from({ length: 30 }, () => ({ key: random.bytes(20), value: random.bytes(40) }));
    await applyTrieUpdates(trie, first);
    const root = trie.root();
    const written = db.writes().size;

    trie.checkpoint();
    await applyTrieUpdates(trie, [{ key: first[0]!.key, value: undefined }, { key: random.bytes(20), value: random.bytes(40) }]);
    assert.equal(db.writes().size, written, "held by the checkpoint, not written to the database");
    assert.equal(await trie.get(first[0]!.key), null);
    await trie.revert();
    assert.equal(bytesToHex(trie.root()), bytesToHex(root));
    assert.deepEqual(await trie.get(first[0]!.key), first[0]!.value);

    trie.checkpoint();
    await applyTrieUpdates(trie, [{ key: first[1]!.key, value: Uint8Array.of(9) }]);
    await trie.commit();
    assert.ok(db.writes().size > written, "a commit writes the checkpoint's nodes");
    const fresh = new MerklePatriciaTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes, root: trie.root() });
    assert.deepEqual(await fresh.get(first[1]!.key), Uint8Array.of(9));
  });

  it("leaves its new nodes in a trie's decoded node cache, so reading them in a later checkpoint writes nothing again", async () => {
    // ethereumjs' CheckpointDB records what a checkpoint reads from the database and writes it all at
    // the commit: a new node missing from the cache would be stored again by the next block.
    const random = seeded(75);
    const cache = new TrieNodeCache(10_000);
    const nodes = new Nodes();
    const entries = Array.from({ length: 200 }, () => ({ key: random.bytes(20), value: random.bytes(40) }));
    const first = openTrie(nodes, undefined, true);
    cacheTrieNodes(first.trie, cache);
    await applyTrieUpdates(first.trie, entries);
    nodes.absorb(first.db.writes());

    const next = openTrie(nodes, first.trie.root(), true);
    cacheTrieNodes(next.trie, cache);
    next.trie.checkpoint();
    for (const { key, value } of entries) assert.deepEqual(await next.trie.get(key), value);
    await next.trie.commit();
    assert.equal(next.db.writes().size, 0);
  });

  it("never mutates the nodes it reads (the decoded node cache hands them to every trie)", async () => {
    const random = seeded(71);
    const nodes = new Nodes();
    const filled = openTrie(nodes, undefined, false);
    const keys = Array.from({ length: 300 }, () => prefixKeys.newKey(random));
    await applyTrieUpdates(filled.trie, keys.map((key) => ({ key, value: prefixKeys.newValue(random) })));
    nodes.absorb(filled.db.writes());
    const { trie } = openTrie(nodes, filled.trie.root(), false);
    const seen: { node: MPTNode; encoded: string }[] = [];
    const lookupNode = trie.lookupNode.bind(trie);
    trie.lookupNode = async (ref) => {
      const node = await lookupNode(ref);
      seen.push({ node, encoded: bytesToHex(node.serialize()) });
      return node;
    };
    await applyTrieUpdates(trie, [
      ...keys.slice(0, 100).map((key) => ({ key, value: undefined })),
      ...keys.slice(100, 150).map((key) => ({ key, value: random.bytes(5) })),
      ...Array.from({ length: 50 }, () => ({ key: prefixKeys.newKey(random), value: random.bytes(2) })),
    ]);
    assert.ok(seen.length > 0);
    for (const { node, encoded } of seen) assert.equal(bytesToHex(node.serialize()), encoded);
  });

  it("fails with TRIE_NODE_UNAVAILABLE on a missing node, leaving root and database untouched", async () => {
    const random = seeded(81);
    const nodes = new Nodes();
    const filled = openTrie(nodes, undefined, true);
    await applyTrieUpdates(filled.trie, Array.from({ length: 40 }, () => ({ key: random.bytes(20), value: random.bytes(40) })));
    nodes.absorb(filled.db.writes());
    const root = filled.trie.root();
    nodes.map.delete(bytesToHex(root).slice(2));

    const { trie, db } = openTrie(nodes, root, true);
    await assert.rejects(applyTrieUpdates(trie, [{ key: random.bytes(20), value: random.bytes(40) }]), (error: unknown) => {
      assert.ok(error instanceof TrieUpdateError);
      assert.equal(error.code, TrieUpdateErrorCode.NodeUnavailable);
      assert.equal(error.subject, bytesToHex(root));
      return true;
    });
    assert.equal(bytesToHex(trie.root()), bytesToHex(root));
    assert.equal(db.writes().size, 0);
    // The trie's lock was released: it still takes updates once the node is back.
    nodes.absorb(filled.db.writes());
    await applyTrieUpdates(trie, [{ key: random.bytes(20), value: random.bytes(40) }]);
    assert.notEqual(bytesToHex(trie.root()), bytesToHex(root));
  });

  it("refuses the root-persistence key with TRIE_RESERVED_KEY, as put does", async () => {
    const trie = new MerklePatriciaTrie({ db: new MapDB(), useKeyHashing: false, useRootPersistence: true, valueEncoding: ValueEncoding.Bytes });
    await assert.rejects(applyTrieUpdates(trie, [{ key: ROOT_DB_KEY, value: Uint8Array.of(1) }]), (error: unknown) => {
      assert.ok(error instanceof TrieUpdateError);
      assert.equal(error.code, TrieUpdateErrorCode.ReservedKey);
      return true;
    });
    assert.ok(equalsBytes(trie.root(), trie.EMPTY_TRIE_ROOT));
  });

  it("leaves tries with node pruning to ethereumjs' own put and del (same root)", async () => {
    const random = seeded(91);
    const updates = Array.from({ length: 60 }, () => ({ key: random.bytes(20), value: random.bytes(40) as Uint8Array | undefined }));
    updates.push(...updates.slice(0, 20).map(({ key }) => ({ key, value: undefined })));
    const pruned = new MerklePatriciaTrie({ db: new MapDB(), useKeyHashing: true, useNodePruning: true, valueEncoding: ValueEncoding.Bytes });
    await applyTrieUpdates(pruned, updates);
    const reference = openTrie(new Nodes(), undefined, true).trie;
    for (const { key, value } of updates) await reference.put(key, value ?? null);
    assert.equal(bytesToHex(pruned.root()), bytesToHex(reference.root()));
    assert.ok(await pruned.verifyPrunedIntegrity());
  });
});
