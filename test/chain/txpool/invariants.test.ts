/**
 * Random admissions, replacements, evictions and commits (seeded, so a failure replays), checking
 * after every step what must always hold, through the public API only.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { createTx, type TypedTransaction, type TypedTxData } from "@ethereumjs/tx";
import { TxPoolError } from "../../../chain/txpool/index.ts";
import { BLOCK_GAS_LIMIT, ETHER, GWEI, RECIPIENT, createPool, hardhatAccounts, hashOf, signNative, type PoolFixture } from "./fixture.ts";
import type { Hex } from "../../../chain/types.ts";

/** mulberry32: small, seeded, good enough to pick operations. */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

const cost = (tx: TypedTransaction) => tx.gasLimit * ("maxFeePerGas" in tx ? tx.maxFeePerGas : tx.gasPrice) + tx.value;

async function checkInvariants(fixture: PoolFixture, limits: { maxTotal: number; maxPerSender: number }): Promise<void> {
  const { pool, state } = fixture;
  const { pending, queued } = pool.content();
  let counted = 0;
  for (const [sender, txs] of pending) {
    const account = await state.getAccount(sender);
    txs.forEach((tx, i) => {
      assert.equal(tx.nonce, account.nonce + BigInt(i), "pending nonces run from the account nonce without a gap");
      assert.ok(cost(tx) <= account.balance, "every pending transaction is affordable");
    });
    counted += txs.length;
  }
  for (const [sender, txs] of queued) {
    const account = await state.getAccount(sender);
    const pendingEnd = account.nonce + BigInt(pending.get(sender)?.length ?? 0);
    for (const tx of txs) assert.ok(tx.nonce >= pendingEnd, "queued transactions sit above the pending run");
    const first = txs[0]!;
    if (first.nonce === pendingEnd) assert.ok(cost(first) > account.balance, "a queued tx at the next nonce is one the balance cannot pay");
    counted += txs.length;
    assert.ok(txs.length + (pending.get(sender)?.length ?? 0) <= limits.maxPerSender, "per-sender limit");
  }
  assert.equal(pool.size, counted);
  assert.ok(pool.size <= limits.maxTotal, "total limit");
  const status = pool.status();
  assert.equal(status.pending + status.queued, counted);
  assert.equal(await pool.pendingNonce(hardhatAccounts()[0]!.address), (await state.getAccount(hardhatAccounts()[0]!.address)).nonce + BigInt(pending.get(hardhatAccounts()[0]!.address)?.length ?? 0));

  const next = new Map<Hex, bigint>();
  for (const pooled of pool.selectForBlock(fixture.baseFee.value, BLOCK_GAS_LIMIT)) {
    const expected = next.get(pooled.sender) ?? (await state.getAccount(pooled.sender)).nonce;
    assert.equal(pooled.tx.nonce, expected, "selection keeps each sender's nonce order");
    next.set(pooled.sender, expected + 1n);
    assert.ok(pending.get(pooled.sender)!.some((tx) => hashOf(tx) === pooled.hash), "only pending transactions are selected");
  }
}

it("keeps its invariants through 400 random admissions and commits", async (t) => {
  const limits = { maxTotal: 12, maxPerSender: 5 };
  const fixture = await createPool({ ...limits, maxNonceGap: 4 });
  const { pool, state, common } = fixture;
  const senders = hardhatAccounts().slice(0, 5);
  for (const sender of senders) state.set(sender.address, { balance: 10n * ETHER });
  const next = random(20261125);
  let pendingEvents = 0;
  pool.on("pending", (hash) => {
    // Announced only once the transaction is in the pending set.
    const pooled = pool.get(hash);
    assert.ok(pooled !== undefined);
    assert.ok(pool.content().pending.get(pooled.sender)?.includes(pooled.tx));
    pendingEvents++;
  });
  const refusals = new Map<string, number>();

  for (let step = 0; step < 400; step++) {
    if (next(10) < 9) {
      const sender = senders[next(senders.length)]!;
      const account = await state.getAccount(sender.address);
      const tipGwei = BigInt(1 + next(20));
      const unsigned = createTx(
        {
          type: 2,
          nonce: account.nonce + BigInt(next(7)),
          maxFeePerGas: (tipGwei + 5n) * GWEI,
          maxPriorityFeePerGas: tipGwei * GWEI,
          gasLimit: 21000n,
          to: RECIPIENT,
          value: next(4) === 0 ? ETHER / 2n : 1n,
        } as TypedTxData,
        { common },
      );
      const tx = signNative(unsigned, sender.privateKey);
      try {
        await pool.add(tx);
      } catch (error) {
        assert.ok(error instanceof TxPoolError, `only typed refusals, got ${String(error)}`);
        refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1);
      }
    } else {
      // A block: some senders' next transactions were included, balances moved.
      const selected = pool.selectForBlock(fixture.baseFee.value, BigInt(next(6)) * 21000n);
      for (const pooled of selected) {
        const account = await state.getAccount(pooled.sender);
        state.set(pooled.sender, { nonce: account.nonce + 1n, balance: account.balance - cost(pooled.tx) });
      }
      if (next(3) === 0) state.set(senders[next(senders.length)]!.address, { balance: BigInt(next(4)) * ETHER });
      await pool.onBlockCommitted(
        selected.map((pooled) => pooled.hash),
        fixture.baseFee.value,
      );
    }
    await checkInvariants(fixture, limits);
  }
  // The run exercised the interesting paths, not just happy admissions.
  for (const code of ["REPLACEMENT_UNDERPRICED", "NONCE_TOO_HIGH", "POOL_FULL", "ACCOUNT_LIMIT_EXCEEDED", "INSUFFICIENT_FUNDS"]) {
    assert.ok((refusals.get(code) ?? 0) > 0, `no ${code} in the run: ${JSON.stringify([...refusals])}`);
  }
  assert.ok(pendingEvents > 0);
  t.diagnostic(`refusals: ${JSON.stringify(Object.fromEntries(refusals))}, pending events: ${pendingEvents}`);
});
