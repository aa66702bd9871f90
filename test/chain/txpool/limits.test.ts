import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TxPool, TxPoolError, TxPoolErrorCode } from "../../../chain/txpool/index.ts";
import { BLOCK_GAS_LIMIT, GWEI, concordCommon, createPool, hardhatAccounts, hashOf, transfer } from "./fixture.ts";
import { toRpcError } from "../../../chain/rpc/errors.ts";

const [alice, bob, carol, dave] = hardhatAccounts();

function isError(code: TxPoolErrorCode, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof TxPoolError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    assert.equal(toRpcError(error).code, -32000);
    return true;
  };
}

const tip = (gwei: bigint) => ({ maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: gwei * GWEI });

describe("txpool per-sender limit", () => {
  it("refuses a sender's transaction beyond its limit when it would be its highest nonce", async () => {
    const { pool, common } = await createPool({ maxPerSender: 3 });
    for (const nonce of [0n, 1n, 2n]) await pool.add(transfer(common, alice!, { nonce }));
    await assert.rejects(
      pool.add(transfer(common, alice!, { nonce: 3n })),
      isError(TxPoolErrorCode.AccountLimitExceeded, "account limit exceeded: 3 transactions pooled, limit 3"),
    );
    assert.equal(pool.size, 3);
  });

  it("makes room for a lower nonce by dropping the sender's highest one", async () => {
    const { pool, common } = await createPool({ maxPerSender: 3 });
    const txs = [0n, 2n, 3n].map((nonce) => transfer(common, alice!, { nonce }));
    for (const tx of txs) await pool.add(tx);
    const gapFiller = transfer(common, alice!, { nonce: 1n });
    await pool.add(gapFiller);
    assert.equal(pool.get(hashOf(txs[2]!)), undefined);
    assert.deepEqual(pool.content().pending.get(alice!.address)?.map((tx) => tx.nonce), [0n, 1n, 2n]);
    assert.equal(pool.size, 3);
  });

  it("evicts a sender's only (queued) transaction for its executable one", async () => {
    const { pool, common } = await createPool({ maxPerSender: 1 });
    const queued = transfer(common, alice!, { nonce: 2n });
    await pool.add(queued);
    const executable = transfer(common, alice!, { nonce: 0n });
    await pool.add(executable);
    assert.equal(pool.get(hashOf(queued)), undefined);
    assert.deepEqual(pool.content().pending.get(alice!.address), [executable]);
    assert.equal(await pool.pendingNonce(alice!.address), 1n);
  });

  it("still allows a same-nonce replacement at the limit", async () => {
    const { pool, common } = await createPool({ maxPerSender: 2 });
    for (const nonce of [0n, 1n]) await pool.add(transfer(common, alice!, { nonce }));
    await pool.add(transfer(common, alice!, { nonce: 1n, maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 2n * GWEI }));
    assert.equal(pool.size, 2);
  });

  it("does not limit other senders", async () => {
    const { pool, common } = await createPool({ maxPerSender: 1 });
    await pool.add(transfer(common, alice!, { nonce: 0n }));
    await pool.add(transfer(common, bob!, { nonce: 0n }));
    assert.equal(pool.size, 2);
  });
});

describe("txpool total limit and eviction", () => {
  it("evicts the cheapest transaction to admit a better-paying one", async () => {
    const { pool, common } = await createPool({ maxTotal: 3 });
    const cheapest = transfer(common, alice!, { nonce: 0n, ...tip(1n) });
    await pool.add(cheapest);
    await pool.add(transfer(common, bob!, { nonce: 0n, ...tip(2n) }));
    await pool.add(transfer(common, carol!, { nonce: 0n, ...tip(3n) }));
    const better = transfer(common, dave!, { nonce: 0n, ...tip(5n) });
    await pool.add(better);
    assert.equal(pool.get(hashOf(cheapest)), undefined);
    assert.ok(pool.get(hashOf(better)));
    assert.equal(pool.size, 3);
  });

  it("refuses a newcomer that pays no more than the cheapest pooled transaction", async () => {
    const { pool, common } = await createPool({ maxTotal: 2 });
    await pool.add(transfer(common, alice!, { nonce: 0n, ...tip(2n) }));
    await pool.add(transfer(common, bob!, { nonce: 0n, ...tip(3n) }));
    await assert.rejects(pool.add(transfer(common, carol!, { nonce: 0n, ...tip(2n) })), isError(TxPoolErrorCode.PoolFull, "txpool is full"));
    await assert.rejects(pool.add(transfer(common, carol!, { nonce: 0n, ...tip(1n) })), isError(TxPoolErrorCode.PoolFull, "txpool is full"));
    assert.equal(pool.size, 2);
  });

  it("evicts queued transactions before pending ones, whatever they pay, for an executable newcomer", async () => {
    const { pool, common } = await createPool({ maxTotal: 3 });
    await pool.add(transfer(common, alice!, { nonce: 0n, ...tip(1n) }));
    await pool.add(transfer(common, bob!, { nonce: 0n, ...tip(2n) }));
    const queued = transfer(common, carol!, { nonce: 1n, ...tip(9n) });
    await pool.add(queued);
    await pool.add(transfer(common, dave!, { nonce: 0n, ...tip(3n) }));
    assert.equal(pool.get(hashOf(queued)), undefined);
    assert.deepEqual(pool.status(), { pending: 3, queued: 0 });
  });

  it("lets a queued newcomer evict only a queued transaction that pays less", async () => {
    const { pool, common } = await createPool({ maxTotal: 2 });
    await pool.add(transfer(common, alice!, { nonce: 0n, ...tip(1n) }));
    const queued = transfer(common, bob!, { nonce: 1n, ...tip(5n) });
    await pool.add(queued);
    await assert.rejects(pool.add(transfer(common, carol!, { nonce: 1n, ...tip(4n) })), isError(TxPoolErrorCode.PoolFull, "txpool is full"));
    const richer = transfer(common, carol!, { nonce: 1n, ...tip(6n) });
    await pool.add(richer);
    assert.equal(pool.get(hashOf(queued)), undefined);
    assert.deepEqual(pool.status(), { pending: 1, queued: 1 });
  });

  it("lets a sender's executable transaction evict its own queued one from a full pool", async () => {
    const { pool, common } = await createPool({ maxTotal: 1 });
    await pool.add(transfer(common, alice!, { nonce: 1n, ...tip(5n) }));
    const executable = transfer(common, alice!, { nonce: 0n, ...tip(1n) });
    await pool.add(executable);
    assert.deepEqual(pool.content().pending.get(alice!.address), [executable]);
    assert.deepEqual(pool.status(), { pending: 1, queued: 0 });
  });

  it("demotes the later nonces of a sender whose pending transaction was evicted", async () => {
    const { pool, common } = await createPool({ maxTotal: 3 });
    const evicted = transfer(common, alice!, { nonce: 0n, ...tip(1n) });
    const orphan = transfer(common, alice!, { nonce: 1n, ...tip(4n) });
    await pool.add(evicted);
    await pool.add(orphan);
    await pool.add(transfer(common, bob!, { nonce: 0n, ...tip(3n) }));
    await pool.add(transfer(common, carol!, { nonce: 0n, ...tip(2n) }));
    assert.equal(pool.get(hashOf(evicted)), undefined);
    assert.deepEqual(pool.content().queued.get(alice!.address), [orphan]);
    assert.equal(pool.selectForBlock(GWEI, BLOCK_GAS_LIMIT).length, 2);
  });

  it("ranks for eviction by the tip paid at the current base fee", async () => {
    // At base fee 9 gwei a 10 gwei cap with a 5 gwei tip pays only 1 gwei: cheaper than a 2 gwei tip.
    const { pool, common } = await createPool({ maxTotal: 2 }, 9n * GWEI);
    const capped = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 5n * GWEI });
    await pool.add(capped);
    await pool.add(transfer(common, bob!, { nonce: 0n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI }));
    await pool.add(transfer(common, carol!, { nonce: 0n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 3n * GWEI }));
    assert.equal(pool.get(hashOf(capped)), undefined);
  });

  it("refuses invalid limits when constructed", async () => {
    const common = await concordCommon();
    const state = { getAccount: async () => ({ nonce: 0n, balance: 0n }) };
    assert.throws(
      () => new TxPool({ common, blockGasLimit: BLOCK_GAS_LIMIT, baseFee: () => GWEI, maxTotal: 0 }, state),
      { name: "RangeError", message: "txpool option maxTotal must be a positive integer, got 0" },
    );
    assert.throws(
      () => new TxPool({ common, blockGasLimit: BLOCK_GAS_LIMIT, baseFee: () => GWEI, minPriorityFee: -1n }, state),
      { name: "RangeError", message: "txpool option minPriorityFee must be a non-negative bigint, got -1" },
    );
  });
});
