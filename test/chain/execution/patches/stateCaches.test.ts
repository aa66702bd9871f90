/**
 * ConcordCaches: cached accounts held decoded, element maps on hash maps. What callers see must be
 * ethereumjs' behaviour: a fresh Account per read (mutating it changes nothing cached), the account as
 * it was when put (later mutation of the caller's object changes nothing), checkpoint / revert /
 * commit / flush as the original's, and the original's RLP where anything asks for it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { Caches, CacheType } from "@ethereumjs/statemanager";
import { Account, Address, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { AccountElement, ConcordCaches } from "../../../../chain/execution/patches/stateCaches.ts";
import { ConcordStateManager } from "../../../../chain/execution/patches/stateManager.ts";
import { seeded } from "../seededRandom.ts";

const common = await createConcordCommon();
const address = (n: number) => new Address(setLengthLeft(Uint8Array.of(0xbb, n), 20));
const slot = (n: number) => setLengthLeft(Uint8Array.of(n), 32);

describe("ConcordCaches", () => {
  it("hands out a fresh copy per read and keeps a snapshot of what was put", async () => {
    const caches = new ConcordCaches();
    const state = new ConcordStateManager({ common, trie: new MerklePatriciaTrie({ useKeyHashing: true, common }), caches });
    const put = new Account(1n, 100n);
    await state.putAccount(address(1), put);
    put.balance = 5n; // the caller's object, after the put
    const first = await state.getAccount(address(1));
    assert.equal(first?.balance, 100n);
    first!.balance = 7n;
    first!.nonce = 9n;
    const second = await state.getAccount(address(1));
    assert.notEqual(second, first);
    assert.equal(second?.balance, 100n);
    assert.equal(second?.nonce, 1n);
    assert.ok(caches.account?.get(address(1)) instanceof AccountElement);
  });

  it("serialises a cached account exactly as ethereumjs does, only when asked", () => {
    const account = new Account(3n, 10n ** 20n);
    const element = new AccountElement(account);
    assert.equal(bytesToHex(element.accountRLP), bytesToHex(account.serialize()));
    assert.equal(element.accountRLP, element.accountRLP, "made once");
  });

  it("reverts and commits checkpoints as ethereumjs' caches, with the same state roots", async () => {
    const random = seeded(4);
    // The same state manager on both, so that only the caches differ.
    const states = [
      new ConcordStateManager({ common, trie: new MerklePatriciaTrie({ useKeyHashing: true, common }), caches: new Caches() }),
      new ConcordStateManager({ common, trie: new MerklePatriciaTrie({ useKeyHashing: true, common }), caches: new ConcordCaches() }),
    ];
    // The same random mix of puts, field changes, deletions, nested checkpoints, reverts and commits.
    const script = Array.from({ length: 400 }, () => ({ op: random.int(7), n: random.int(12), value: BigInt(random.int(1000)) }));
    const seen: string[][] = [[], []];
    for (const [i, state] of states.entries()) {
      let depth = 0;
      for (const { op, n, value } of script) {
        if (op === 0) await state.putAccount(address(n), new Account(value, value * 3n));
        else if (op === 1) await state.modifyAccountFields(address(n), { balance: value });
        else if (op === 2) await state.deleteAccount(address(n));
        else if (op === 3 && (await state.getAccount(address(n))) !== undefined) await state.putStorage(address(n), slot(Number(value % 5n)), Uint8Array.of(Number(value % 200n) + 1));
        else if (op === 4) (await state.checkpoint(), depth++);
        else if (op === 5 && depth > 0) (await state.revert(), depth--);
        else if (op === 6 && depth > 0) (await state.commit(), depth--);
        const account = await state.getAccount(address(n));
        seen[i]!.push(account === undefined ? "none" : bytesToHex(account.serialize()));
      }
      while (depth-- > 0) await state.commit();
      seen[i]!.push(bytesToHex(await state.getStateRoot()));
    }
    assert.deepEqual(seen[1], seen[0]);
  });

  it("stays of its class through shallow copies, and leaves LRU caches as ethereumjs' own", () => {
    const caches = new ConcordCaches();
    assert.deepEqual(caches.settings, new Caches().settings);
    caches.account!.put(address(1), new Account(0n, 1n));
    assert.ok(caches.account!.get(address(1)) instanceof AccountElement);
    assert.equal(new ConcordCaches({ account: { size: 0 } }).account, undefined, "no account cache when asked for none");
    assert.ok(caches.shallowCopy(true) instanceof ConcordCaches);
    assert.ok(caches.shallowCopy(false) instanceof ConcordCaches);
    const lru = new ConcordCaches({ account: { type: CacheType.LRU, size: 10 } });
    lru.account!.put(address(2), new Account(0n, 1n));
    assert.ok(!(lru.account!.get(address(2)) instanceof AccountElement));
    assert.equal(lru.account!.size(), 1);
  });
});
