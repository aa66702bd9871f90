import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { TypedTransaction } from "@ethereumjs/tx";
import type { TxPool } from "../../../chain/txpool/index.ts";
import { ETHER, GWEI, createPool, hardhatAccounts, hashOf, transfer } from "./fixture.ts";

const [alice, bob, carol] = hardhatAccounts();

async function addAll(pool: TxPool, txs: TypedTransaction[]): Promise<void> {
  for (const tx of txs) await pool.add(tx);
}

function selectedHashes(pool: TxPool, baseFee: bigint, gasLimit = 30_000_000n): string[] {
  return pool.selectForBlock(baseFee, gasLimit).map((pooled) => pooled.hash);
}

describe("txpool selectForBlock", () => {
  it("keeps nonce order within a sender even when a later nonce pays more", async () => {
    const { pool, common } = await createPool();
    const second = transfer(common, alice!, { nonce: 1n, maxPriorityFeePerGas: 5n * GWEI });
    const first = transfer(common, alice!, { nonce: 0n, maxPriorityFeePerGas: GWEI });
    await addAll(pool, [second, first]);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(first), hashOf(second)]);
  });

  it("orders senders by effective tip, best first", async () => {
    const { pool, common } = await createPool();
    const fromAlice = transfer(common, alice!, { nonce: 0n, maxPriorityFeePerGas: 1n * GWEI });
    const fromBob = transfer(common, bob!, { nonce: 0n, maxPriorityFeePerGas: 3n * GWEI });
    const fromCarol = transfer(common, carol!, { nonce: 0n, maxPriorityFeePerGas: 2n * GWEI });
    await addAll(pool, [fromAlice, fromBob, fromCarol]);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(fromBob), hashOf(fromCarol), hashOf(fromAlice)]);
  });

  it("merges per-sender sequences by the tip of each sender's next transaction", async () => {
    const { pool, common } = await createPool();
    const a0 = transfer(common, alice!, { nonce: 0n, maxPriorityFeePerGas: 5n * GWEI });
    const a1 = transfer(common, alice!, { nonce: 1n, maxPriorityFeePerGas: 1n * GWEI });
    const b0 = transfer(common, bob!, { nonce: 0n, maxPriorityFeePerGas: 3n * GWEI });
    await addAll(pool, [a0, a1, b0]);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(a0), hashOf(b0), hashOf(a1)]);
  });

  it("ranks by the tip actually paid at the given base fee (fee cap minus base fee caps the tip)", async () => {
    const { pool, common } = await createPool({}, 0n);
    const capped = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: (5n * GWEI) / 2n });
    const plain = transfer(common, bob!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    await addAll(pool, [capped, plain]);
    assert.deepEqual(selectedHashes(pool, 0n), [hashOf(capped), hashOf(plain)]);
    assert.deepEqual(selectedHashes(pool, 2n * GWEI), [hashOf(plain), hashOf(capped)]);
  });

  it("breaks equal tips by arrival order", async () => {
    const { pool, common } = await createPool();
    const early = transfer(common, bob!, { nonce: 0n });
    const late = transfer(common, alice!, { nonce: 0n });
    await addAll(pool, [early, late]);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(early), hashOf(late)]);
  });

  it("skips a transaction whose fee cap is below the base fee, and its sender's later nonces", async () => {
    const { pool, common } = await createPool();
    const cheap = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 2n * GWEI });
    const afterCheap = transfer(common, alice!, { nonce: 1n, maxFeePerGas: 10n * GWEI });
    const fromBob = transfer(common, bob!, { nonce: 0n, maxFeePerGas: 10n * GWEI });
    await addAll(pool, [cheap, afterCheap, fromBob]);
    assert.deepEqual(selectedHashes(pool, 3n * GWEI), [hashOf(fromBob)]);
  });

  it("stops at the block gas limit", async () => {
    const { pool, common } = await createPool();
    const txs = [0n, 1n, 2n].map((nonce) => transfer(common, alice!, { nonce }));
    await addAll(pool, txs);
    assert.deepEqual(selectedHashes(pool, GWEI, 50_000n), [hashOf(txs[0]!), hashOf(txs[1]!)]);
  });

  it("passes over a sender whose next transaction does not fit the gas left, taking others that do", async () => {
    const { pool, common } = await createPool();
    const big = transfer(common, alice!, { nonce: 0n, gasLimit: 100_000n, maxPriorityFeePerGas: 5n * GWEI });
    const small = transfer(common, bob!, { nonce: 0n });
    await addAll(pool, [big, small]);
    assert.deepEqual(selectedHashes(pool, GWEI, 60_000n), [hashOf(small)]);
  });

  it("stops a sender's sequence at the first transaction its remaining balance cannot pay", async () => {
    const { pool, state, common } = await createPool();
    state.set(alice!.address, { balance: (5n * ETHER) / 2n });
    const payments = [0n, 1n, 2n].map((nonce) => transfer(common, alice!, { nonce, value: ETHER }));
    const fromBob = transfer(common, bob!, { nonce: 0n });
    await addAll(pool, [...payments, fromBob]);
    // Each alone is affordable (all pending), but 2.5 ETH pays only two 1 ETH transfers plus gas.
    assert.equal(pool.status().pending, 4);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(payments[0]!), hashOf(payments[1]!), hashOf(fromBob)]);
  });

  it("never selects queued transactions (behind a nonce gap)", async () => {
    const { pool, common } = await createPool();
    const pending = transfer(common, alice!, { nonce: 0n });
    await addAll(pool, [pending, transfer(common, alice!, { nonce: 2n })]);
    assert.deepEqual(selectedHashes(pool, GWEI), [hashOf(pending)]);
  });

  it("leaves the selected transactions in the pool until a block commits them", async () => {
    const { pool, common } = await createPool();
    await addAll(pool, [transfer(common, alice!, { nonce: 0n })]);
    assert.equal(pool.selectForBlock(GWEI, 30_000_000n).length, 1);
    assert.equal(pool.size, 1);
  });

  it("returns the pooled entries with their recovered sender and raw bytes", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n });
    await pool.add(tx);
    const [selected] = pool.selectForBlock(GWEI, 30_000_000n);
    assert.equal(selected!.sender, alice!.address);
    assert.deepEqual(selected!.raw, tx.serialize());
    assert.equal(selected!.tx, tx);
  });
});
