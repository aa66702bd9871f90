/**
 * ConcordStateManager's batched flush against ethereumjs' MerkleStateManager: the same block of
 * changes (new accounts, balance changes, new / changed / zeroed slots, a reverted inner checkpoint,
 * a deployment, cleared storage, accounts deleted with dirty storage) on the same pre-state gives the
 * same state root, block after block, the same accounts, slots and code read back (also through a
 * fresh state manager over only the nodes it wrote), the same storage roots, and a subset of the
 * original's node writes; SSTOREs stay in the cache until the flush.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, ValueEncoding, bytesToHex, createAddressFromString, setLengthLeft } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { StateNodeDb, type StateNodeSource } from "../../../../chain/execution/stateNodeDb.ts";
import { ConcordStateManager } from "../../../../chain/execution/patches/stateManager.ts";
import { ConcordCaches } from "../../../../chain/execution/patches/stateCaches.ts";
import { openExecutionState, openStateReader } from "../../../../chain/execution/executionState.ts";
import { cacheTrieNodes } from "../../../../chain/execution/patches/trieNodeCache.ts";
import { Nodes, seeded, type Random } from "../seededRandom.ts";

const common = await createConcordCommon();



type StateManagerClass = typeof MerkleStateManager | typeof ConcordStateManager;

/**
 * A state manager as Concord opens one (executionState.ts): caches (Concord's own with its state
 * manager, ethereumjs' with the original), decoded-node cache, overlay db.
 */
function open(Manager: StateManagerClass, nodes: StateNodeSource, root?: Uint8Array) {
  const db = new StateNodeDb(nodes);
  const trie = cacheTrieNodes(new MerklePatriciaTrie({ db, useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes, root }));
  const caches = Manager === ConcordStateManager ? new ConcordCaches() : new Caches();
  return { state: new Manager({ common, trie, caches }), db };
}

const slot = (n: number) => setLengthLeft(Uint8Array.of(n >> 8, n & 255), 32);
const address = (n: number) => new Address(setLengthLeft(Uint8Array.of(0xaa, n >> 8, n & 255), 20));

/** A change to both state managers, recorded once so both get exactly the same calls. */
type Change = (state: MerkleStateManager) => Promise<void>;

/** The pre-state: funded accounts and contracts with code and storage. */
function preState(random: Random): Change[] {
  const changes: Change[] = [];
  for (let n = 0; n < 150; n++) {
    const balance = BigInt(1 + random.int(1_000_000));
    changes.push((s) => s.putAccount(address(n), new Account(0n, balance)));
  }
  for (let n = 1000; n < 1006; n++) {
    const code = random.bytes(40 + random.int(200));
    const slots = Array.from({ length: 80 }, (_, i) => [slot(i), random.bytes(1 + random.int(32))] as const);
    changes.push(async (s) => {
      await s.putAccount(address(n), new Account(1n, 0n));
      await s.putCode(address(n), code);
      for (const [key, value] of slots) await s.putStorage(address(n), key, value);
    });
  }
  return changes;
}

/** One block's changes: what transactions do to the state, in ethereumjs' calls. */
function blockChanges(random: Random, block: number): Change[] {
  const changes: Change[] = [];
  const newAccount = (n: number) => 2000 + block * 100 + n;
  for (let i = 0; i < 40; i++) {
    const n = random.int(150);
    const balance = BigInt(random.int(1_000_000));
    changes.push((s) => s.modifyAccountFields(address(n), { balance, nonce: BigInt(block + 1) }));
  }
  for (let i = 0; i < 10; i++) changes.push((s) => s.putAccount(address(newAccount(i)), new Account(0n, 5n)));
  for (let i = 0; i < 60; i++) {
    const contract = 1000 + random.int(6);
    const key = slot(random.int(120)); // changes existing slots and adds new ones
    const roll = random.next();
    const value = roll < 0.3 ? new Uint8Array(32) : roll < 0.4 ? new Uint8Array(0) : random.bytes(1 + random.int(32));
    // Contracts deleted in an earlier block are gone (putStorage refuses a missing account).
    changes.push(async (s) => {
      if ((await s.getAccount(address(contract))) !== undefined) await s.putStorage(address(contract), key, value);
    });
  }
  // A transaction that reverted: its changes are dropped before the block's flush.
  const reverted = random.bytes(32);
  changes.push(async (s) => {
    await s.checkpoint();
    if ((await s.getAccount(address(1000))) !== undefined) await s.putStorage(address(1000), slot(5), reverted);
    await s.putAccount(address(newAccount(50)), new Account(0n, 9n));
    await s.revert();
  });
  // A deployment with storage.
  const deployed = address(newAccount(60));
  const code = random.bytes(300);
  changes.push(async (s) => {
    await s.putAccount(deployed, new Account(1n, 0n));
    await s.putCode(deployed, code);
    for (let i = 0; i < 12; i++) await s.putStorage(deployed, slot(i), Uint8Array.of(i + 1));
  });
  // A contract written to and then deleted in the same block: its dirty slots have no account left.
  const doomed = address(1000 + (block % 6));
  changes.push(async (s) => {
    if ((await s.getAccount(doomed)) !== undefined) await s.putStorage(doomed, slot(7), Uint8Array.of(0x42));
    await s.deleteAccount(doomed);
  });
  // Cleared storage (a CREATE2 over an address that had some), then new slots on it.
  const recreated = address(1000 + ((block + 3) % 6));
  changes.push(async (s) => {
    if ((await s.getAccount(recreated)) === undefined) await s.putAccount(recreated, new Account(1n, 0n));
    await s.clearStorage(recreated);
    await s.putStorage(recreated, slot(1), Uint8Array.of(1));
  });
  // An account created and deleted within the block, and a funded account deleted.
  const funded = address(random.int(150));
  changes.push(async (s) => {
    await s.putAccount(address(newAccount(70)), new Account(0n, 1n));
    await s.deleteAccount(address(newAccount(70)));
    await s.deleteAccount(funded);
  });
  return changes;
}

/** Runs a block as the executor does: one checkpoint, the changes, commit (flush), root. */
async function runBlock(state: MerkleStateManager, changes: Change[]): Promise<Uint8Array> {
  await state.checkpoint();
  for (const change of changes) await change(state);
  await state.commit();
  return state.getStateRoot();
}

/** What a reader sees at the touched addresses, and in the first `slots` slots of the contracts. */
async function observe(state: MerkleStateManager, addresses: Address[], contracts: Address[], slots: number): Promise<string[]> {
  const seen: string[] = [];
  for (const at of addresses) {
    const account = await state.getAccount(at);
    seen.push(`${at} ${account === undefined ? "none" : bytesToHex(account.serialize())} code ${bytesToHex(await state.getCode(at))}`);
  }
  for (const at of contracts) {
    for (let i = 0; i < slots; i++) seen.push(`${at}[${i}] ${bytesToHex(await state.getStorage(at, slot(i)))}`);
  }
  return seen;
}

describe("ConcordStateManager", () => {
  it("flushes blocks of account, storage and code changes to the same state roots as MerkleStateManager", async () => {
    for (const seed of [1, 2, 3]) {
      const random = seeded(seed);
      const pre = preState(random);
      const nodes = new Nodes();
      const genesis = open(MerkleStateManager, nodes);
      const preRoot = await runBlock(genesis.state, pre);
      nodes.absorb(genesis.db.writes());

      // Both keep their state from block to block (as the executor's warm state does).
      const original = open(MerkleStateManager, nodes, preRoot);
      const concordNodes = new Nodes();
      concordNodes.absorb(nodes.map);
      const concord = open(ConcordStateManager, concordNodes, preRoot);
      const contracts = Array.from({ length: 6 }, (_, n) => address(1000 + n));
      const touched = [...Array.from({ length: 150 }, (_, n) => address(n)), ...contracts];
      for (let block = 0; block < 4; block++) {
        const where = `seed ${seed}, block ${block}`;
        const changes = blockChanges(random, block);
        for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 60, 70]) touched.push(address(2000 + block * 100 + n));
        contracts.push(address(2000 + block * 100 + 60));
        original.db.beginBlock();
        concord.db.beginBlock();
        const expected = await runBlock(original.state, changes);
        const actual = await runBlock(concord.state, changes);
        assert.equal(bytesToHex(actual), bytesToHex(expected), where);

        // Every node written is one the original wrote too (it also writes the replaced ones).
        const originalWrites = original.db.writes();
        for (const [key, value] of concord.db.writes()) assert.deepEqual(originalWrites.get(key), value, `${where}: ${key}`);
        assert.ok(concord.db.writes().size < originalWrites.size, `${where}: fewer writes`);
        nodes.absorb(originalWrites);
        concordNodes.absorb(concord.db.writes());

        // The same storage roots afterwards for every contract still there. (Which trie objects each
        // keeps differs: the original also files one for a contract written and then deleted in the
        // block, from writing each SSTORE through to its trie; nothing reads it.)
        for (const at of contracts) {
          assert.equal(
            bytesToHex((await concord.state.getAccount(at))?.storageRoot ?? new Uint8Array()),
            bytesToHex((await original.state.getAccount(at))?.storageRoot ?? new Uint8Array()),
            `${where}: storage root of ${at}`,
          );
        }
        assert.deepEqual(await observe(concord.state, touched, contracts, 130), await observe(original.state, touched, contracts, 130), where);
      }
      // A fresh state manager over only the nodes the batched flushes wrote reads the same state.
      const root = await concord.state.getStateRoot();
      const fresh = open(MerkleStateManager, concordNodes, root).state;
      assert.deepEqual(await observe(fresh, touched, contracts, 130), await observe(original.state, touched, contracts, 130), `seed ${seed}`);
      for (const at of contracts) {
        if ((await fresh.getAccount(at)) !== undefined) assert.deepEqual(await fresh.dumpStorage(at), await original.state.dumpStorage(at));
      }
    }
  });

  it("builds the same genesis-like state from scratch (no caches warmed, empty tries)", async () => {
    const random = seeded(9);
    const pre = preState(random);
    const original = open(MerkleStateManager, new Nodes());
    const concord = open(ConcordStateManager, new Nodes());
    assert.equal(bytesToHex(await runBlock(concord.state, pre)), bytesToHex(await runBlock(original.state, pre)));
  });

  it("gives the same roots when flushed without a checkpoint, as genesis does", async () => {
    const original = open(MerkleStateManager, new Nodes());
    const concord = open(ConcordStateManager, new Nodes());
    for (const { state } of [original, concord]) {
      const at = createAddressFromString("0x00000000000000000000000000000000000000aa");
      await state.putAccount(at, new Account(0n, 10n));
      await state.putStorage(at, slot(1), Uint8Array.of(7));
      await state.putStorage(at, slot(2), Uint8Array.of(0));
    }
    assert.equal(bytesToHex(await concord.state.getStateRoot()), bytesToHex(await original.state.getStateRoot()));
  });

  it("keeps SSTOREs in the cache until the flush (nothing written to the trie before), with the original's errors", async () => {
    const nodes = new Nodes();
    const pre = open(ConcordStateManager, nodes);
    const at = address(7);
    await pre.state.putAccount(at, new Account(1n, 0n));
    await pre.state.putStorage(at, slot(1), Uint8Array.of(1));
    const preRoot = await pre.state.getStateRoot();
    nodes.absorb(pre.db.writes());

    const { state, db } = open(ConcordStateManager, nodes, preRoot);
    const original = open(MerkleStateManager, nodes, preRoot);
    for (const s of [state, original.state]) {
      await s.checkpoint();
      for (let i = 1; i <= 20; i++) await s.putStorage(at, slot(i), Uint8Array.of(0, i)); // leading zero stripped, as there
      await s.putStorage(at, slot(3), new Uint8Array()); // a zeroed slot
    }
    assert.equal(db.writes().size, 0, "no trie node written before the flush");
    assert.equal(bytesToHex(await state.getStorage(at, slot(2))), "0x02");
    assert.equal(bytesToHex(await state.getStorage(at, slot(3))), "0x");
    await state.commit();
    await original.state.commit();
    assert.ok(db.writes().size > 0);
    assert.equal(bytesToHex(await state.getStateRoot()), bytesToHex(await original.state.getStateRoot()));

    await assert.rejects(state.putStorage(at, new Uint8Array(31), Uint8Array.of(1)), /Storage key must be 32 bytes long/);
    await assert.rejects(state.putStorage(at, slot(1), new Uint8Array(33)), /Storage value cannot be longer than 32 bytes/);
    await assert.rejects(state.putStorage(address(8), slot(1), Uint8Array.of(1)), /putStorage\(\) called on non-existing account/);
  });

  it("makes shallow copies that flush in batches too, over the same trie", async () => {
    const { state } = open(ConcordStateManager, new Nodes());
    await state.putAccount(address(1), new Account(0n, 1n));
    const root = await state.getStateRoot();
    const copy = state.shallowCopy();
    assert.ok(copy instanceof ConcordStateManager);
    assert.equal(bytesToHex(await copy.getStateRoot()), bytesToHex(root));
    assert.equal((await copy.getAccount(address(1)))?.balance, 1n);
  });

  it("is the state manager every execution state and state reader runs on", async () => {
    const nodes = new Nodes();
    const blockHashes = { blockHash: async () => undefined };
    const execution = await openExecutionState(common, nodes, blockHashes, new MerklePatriciaTrie().EMPTY_TRIE_ROOT);
    assert.ok(execution.stateManager instanceof ConcordStateManager);
    assert.ok(openStateReader(common, nodes, new MerklePatriciaTrie().EMPTY_TRIE_ROOT) instanceof ConcordStateManager);
  });
});
