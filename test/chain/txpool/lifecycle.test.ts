import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BLOCK_GAS_LIMIT, ETHER, GWEI, createPool, hardhatAccounts, hashOf, recordPending, transfer } from "./fixture.ts";
import type { Hex } from "../../../chain/types.ts";

const [alice, bob] = hardhatAccounts();

describe("txpool pending and queued", () => {
  it("announces an executable transaction with a pending event, a queued one without", async () => {
    const { pool, common } = await createPool();
    const events = recordPending(pool);
    const executable = transfer(common, alice!, { nonce: 0n });
    await pool.add(executable);
    await pool.add(transfer(common, alice!, { nonce: 2n }));
    assert.deepEqual(events, [hashOf(executable)]);
    assert.deepEqual(pool.status(), { pending: 1, queued: 1 });
  });

  it("promotes queued transactions in nonce order when the gap fills", async () => {
    const { pool, common } = await createPool();
    const [first, second, third] = [0n, 1n, 2n].map((nonce) => transfer(common, alice!, { nonce }));
    await pool.add(third!);
    await pool.add(second!);
    const events = recordPending(pool);
    assert.deepEqual(pool.status(), { pending: 0, queued: 2 });
    await pool.add(first!);
    assert.deepEqual(events, [hashOf(first!), hashOf(second!), hashOf(third!)]);
    assert.deepEqual(pool.status(), { pending: 3, queued: 0 });
  });

  it("emits pending only after the pool is consistent, so a listener can already select the transaction", async () => {
    const { pool, common } = await createPool();
    const selectedInListener: Hex[][] = [];
    pool.on("pending", () => selectedInListener.push(pool.selectForBlock(GWEI, BLOCK_GAS_LIMIT).map((p) => p.hash)));
    const tx = transfer(common, alice!, { nonce: 0n });
    await pool.add(tx);
    assert.deepEqual(selectedInListener, [[hashOf(tx)]]);
  });

  it("lists pending and queued transactions per sender in nonce order", async () => {
    const { pool, common } = await createPool();
    const a0 = transfer(common, alice!, { nonce: 0n });
    const a1 = transfer(common, alice!, { nonce: 1n });
    const a5 = transfer(common, alice!, { nonce: 5n });
    const a3 = transfer(common, alice!, { nonce: 3n });
    const b2 = transfer(common, bob!, { nonce: 2n });
    for (const tx of [a5, a1, a3, b2, a0]) await pool.add(tx);
    const { pending, queued } = pool.content();
    assert.deepEqual([...pending.keys()], [alice!.address]);
    assert.deepEqual(pending.get(alice!.address), [a0, a1]);
    assert.deepEqual(queued.get(alice!.address), [a3, a5]);
    assert.deepEqual(queued.get(bob!.address), [b2]);
  });
});

describe("txpool pendingNonce", () => {
  it("is the account nonce for a sender with nothing pooled", async () => {
    const { pool, state } = await createPool();
    state.set(bob!.address, { nonce: 7n });
    assert.equal(await pool.pendingNonce(bob!.address), 7n);
  });

  it("counts executable pooled transactions, not queued ones", async () => {
    const { pool, common } = await createPool();
    for (const nonce of [0n, 1n, 3n]) await pool.add(transfer(common, alice!, { nonce }));
    assert.equal(await pool.pendingNonce(alice!.address), 2n);
  });

  it("accepts a checksummed address", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 0n }));
    assert.equal(await pool.pendingNonce("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), 1n);
  });
});

describe("txpool onBlockCommitted", () => {
  it("removes the included transactions and keeps the sender's next ones pending", async () => {
    const { pool, state, common } = await createPool();
    const [first, second] = [0n, 1n].map((nonce) => transfer(common, alice!, { nonce }));
    await pool.add(first!);
    await pool.add(second!);
    const events = recordPending(pool);
    state.set(alice!.address, { nonce: 1n });
    await pool.onBlockCommitted([hashOf(first!)], GWEI);
    assert.equal(pool.get(hashOf(first!)), undefined);
    assert.deepEqual(pool.content().pending.get(alice!.address), [second]);
    assert.deepEqual(events, []);
    assert.equal(await pool.pendingNonce(alice!.address), 2n);
  });

  it("drops a sender whose every pooled transaction was included without reading its account; re-reads the others", async () => {
    const { pool, state, common } = await createPool();
    const aliceTxs = [0n, 1n].map((nonce) => transfer(common, alice!, { nonce }));
    const bobTxs = [0n, 1n].map((nonce) => transfer(common, bob!, { nonce }));
    for (const tx of [...aliceTxs, ...bobTxs]) await pool.add(tx);
    state.set(alice!.address, { nonce: 2n });
    state.set(bob!.address, { nonce: 1n });
    const reads: Hex[] = [];
    const getAccount = state.getAccount.bind(state);
    state.getAccount = async (address) => {
      reads.push(address);
      return getAccount(address);
    };
    await pool.onBlockCommitted([...aliceTxs, bobTxs[0]!].map(hashOf), GWEI);
    assert.deepEqual(reads, [bob!.address]);
    assert.equal(pool.size, 1);
    assert.deepEqual(pool.content().pending.get(bob!.address), [bobTxs[1]]);
    assert.equal(await pool.pendingNonce(alice!.address), 2n);
  });

  it("drops transactions whose nonce another transaction used (stale)", async () => {
    const { pool, state, common } = await createPool();
    const ours = transfer(common, alice!, { nonce: 0n });
    await pool.add(ours);
    // The block included a different nonce-0 transaction of alice's, sent to another validator.
    const elsewhere = transfer(common, alice!, { nonce: 0n, value: 2n });
    state.set(alice!.address, { nonce: 1n });
    await pool.onBlockCommitted([hashOf(elsewhere)], GWEI);
    assert.equal(pool.get(hashOf(ours)), undefined);
    assert.equal(pool.size, 0);
  });

  it("promotes queued transactions the new account nonce reaches", async () => {
    const { pool, state, common } = await createPool();
    const waiting = transfer(common, alice!, { nonce: 1n });
    await pool.add(waiting);
    const events = recordPending(pool);
    state.set(alice!.address, { nonce: 1n });
    await pool.onBlockCommitted([], GWEI);
    assert.deepEqual(events, [hashOf(waiting)]);
    assert.deepEqual(pool.status(), { pending: 1, queued: 0 });
  });

  it("demotes transactions the sender's balance no longer covers, and promotes them when it does again", async () => {
    const { pool, state, common } = await createPool();
    const cheap = transfer(common, alice!, { nonce: 0n, value: 0n });
    const expensive = transfer(common, alice!, { nonce: 1n, value: 5n * ETHER });
    const after = transfer(common, alice!, { nonce: 2n, value: 0n });
    for (const tx of [cheap, expensive, after]) await pool.add(tx);
    assert.deepEqual(pool.status(), { pending: 3, queued: 0 });

    state.set(alice!.address, { balance: ETHER });
    await pool.onBlockCommitted([], GWEI);
    assert.deepEqual(pool.content().pending.get(alice!.address), [cheap]);
    assert.deepEqual(pool.content().queued.get(alice!.address), [expensive, after]);
    assert.deepEqual(pool.selectForBlock(GWEI, BLOCK_GAS_LIMIT).map((p) => p.hash), [hashOf(cheap)]);
    assert.equal(await pool.pendingNonce(alice!.address), 1n);

    const events = recordPending(pool);
    state.set(alice!.address, { balance: 10n * ETHER });
    await pool.onBlockCommitted([], GWEI);
    assert.deepEqual(events, [hashOf(expensive), hashOf(after)]);
    assert.deepEqual(pool.status(), { pending: 3, queued: 0 });
  });

  it("removes an included transaction even when the state read has not caught up, demoting what follows", async () => {
    const { pool, common } = await createPool();
    const [first, second] = [0n, 1n].map((nonce) => transfer(common, alice!, { nonce }));
    await pool.add(first!);
    await pool.add(second!);
    await pool.onBlockCommitted([hashOf(first!)], GWEI);
    assert.equal(pool.get(hashOf(first!)), undefined);
    assert.deepEqual(pool.content().queued.get(alice!.address), [second]);
  });

  it("does not let a commit interleave with an add whose state read is still in flight", async () => {
    const { pool, state, common } = await createPool();
    const first = transfer(common, alice!, { nonce: 0n });
    await pool.add(first);
    // The next read answers with the state of its moment, but only once released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const read = state.getAccount.bind(state);
    state.getAccount = async (address) => {
      const snapshot = await read(address);
      state.getAccount = read;
      await released;
      return snapshot;
    };
    const second = transfer(common, alice!, { nonce: 1n });
    const adding = pool.add(second);
    await new Promise((resolve) => setImmediate(resolve));
    state.set(alice!.address, { nonce: 1n });
    const committing = pool.onBlockCommitted([hashOf(first)], GWEI);
    release();
    await Promise.all([adding, committing]);
    // Applied in order (add on the old state, then the commit), the second transaction is executable.
    assert.deepEqual(pool.content().pending.get(alice!.address), [second]);
    assert.equal(await pool.pendingNonce(alice!.address), 2n);
  });

  it("forgets a sender once its last transaction is gone", async () => {
    const { pool, state, common } = await createPool();
    const only = transfer(common, alice!, { nonce: 0n });
    await pool.add(only);
    state.set(alice!.address, { nonce: 1n });
    await pool.onBlockCommitted([hashOf(only)], GWEI);
    const { pending, queued } = pool.content();
    assert.equal(pending.size + queued.size, 0);
    assert.deepEqual(pool.status(), { pending: 0, queued: 0 });
  });

  it("re-prices eviction at the committed block's base fee", async () => {
    const { pool, common } = await createPool({ maxTotal: 2 }, GWEI);
    // At 1 gwei base fee the capped one pays its full 5 gwei tip; at 9 gwei only 1 gwei.
    const capped = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 5n * GWEI });
    const steady = transfer(common, bob!, { nonce: 0n, maxFeePerGas: 30n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    await pool.add(capped);
    await pool.add(steady);
    await pool.onBlockCommitted([], 9n * GWEI);
    const [, , carol] = hardhatAccounts();
    await pool.add(transfer(common, carol!, { nonce: 0n, maxFeePerGas: 30n * GWEI, maxPriorityFeePerGas: 3n * GWEI }));
    assert.equal(pool.get(hashOf(capped)), undefined);
    assert.ok(pool.get(hashOf(steady)));
  });
});
