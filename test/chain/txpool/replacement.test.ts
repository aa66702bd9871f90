import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TxPoolError, TxPoolErrorCode } from "../../../chain/txpool/index.ts";
import { GWEI, createPool, hardhatAccounts, hashOf, legacyTransfer, recordPending, transfer } from "./fixture.ts";
import { toRpcError } from "../../../chain/rpc/errors.ts";

const [alice] = hardhatAccounts();

function isReplacementUnderpriced(error: unknown): boolean {
  assert.ok(error instanceof TxPoolError);
  assert.equal(error.code, TxPoolErrorCode.ReplacementUnderpriced);
  assert.equal(error.message, "replacement transaction underpriced");
  assert.equal(toRpcError(error).code, -32000);
  return true;
}

// The original pays 10 gwei max fee and 1 gwei tip; 10% more is 11 gwei and 1.1 gwei.
const ORIGINAL = { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI };

describe("txpool same-nonce replacement", () => {
  it("refuses a 9% bump on both fee caps and keeps the original", async () => {
    const { pool, common } = await createPool();
    const original = transfer(common, alice!, { nonce: 0n, ...ORIGINAL });
    await pool.add(original);
    const bumped = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10_900_000_000n, maxPriorityFeePerGas: 1_090_000_000n });
    await assert.rejects(pool.add(bumped), isReplacementUnderpriced);
    assert.ok(pool.get(hashOf(original)));
    assert.equal(pool.size, 1);
  });

  it("accepts a 10% bump on both fee caps: the original leaves, the replacement is pending", async () => {
    const { pool, common } = await createPool();
    const original = transfer(common, alice!, { nonce: 0n, ...ORIGINAL });
    await pool.add(original);
    const events = recordPending(pool);
    const bumped = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 1_100_000_000n });
    assert.equal(await pool.add(bumped), hashOf(bumped));
    assert.equal(pool.get(hashOf(original)), undefined);
    assert.equal(pool.size, 1);
    assert.deepEqual(events, [hashOf(bumped)]);
    assert.deepEqual(pool.content().pending.get(alice!.address), [bumped]);
  });

  it("refuses a bump of the max fee alone", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 0n, ...ORIGINAL }));
    const feeOnly = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI });
    await assert.rejects(pool.add(feeOnly), isReplacementUnderpriced);
  });

  it("refuses a bump of the priority fee alone", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 0n, ...ORIGINAL }));
    const tipOnly = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    await assert.rejects(pool.add(tipOnly), isReplacementUnderpriced);
  });

  it("applies the same rule to a legacy gas price (9% refused, 10% accepted)", async () => {
    const { pool, common } = await createPool();
    await pool.add(legacyTransfer(common, alice!, { nonce: 0n, gasPrice: 10n * GWEI }));
    await assert.rejects(pool.add(legacyTransfer(common, alice!, { nonce: 0n, gasPrice: 10_900_000_000n })), isReplacementUnderpriced);
    const bumped = legacyTransfer(common, alice!, { nonce: 0n, gasPrice: 11n * GWEI });
    assert.equal(await pool.add(bumped), hashOf(bumped));
  });

  it("requires a strictly higher tip when the original tip is zero", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 0n }));
    await assert.rejects(
      pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 0n })),
      isReplacementUnderpriced,
    );
    await pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 1n }));
    assert.equal(pool.size, 1);
  });

  it("tells the caller the fee caps a replacement needs", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 0n, ...ORIGINAL }));
    await assert.rejects(pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 10n * GWEI + 1n, maxPriorityFeePerGas: GWEI + 1n })), (error) => {
      assert.ok(error instanceof TxPoolError);
      assert.deepEqual(error.data, { maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 1_100_000_000n });
      return true;
    });
  });

  it("honours a configured price bump", async () => {
    const { pool, common } = await createPool({ priceBumpPercent: 25 });
    await pool.add(transfer(common, alice!, { nonce: 0n, ...ORIGINAL }));
    await assert.rejects(
      pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 12n * GWEI, maxPriorityFeePerGas: 1_200_000_000n })),
      isReplacementUnderpriced,
    );
    await pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 12_500_000_000n, maxPriorityFeePerGas: 1_250_000_000n }));
  });

  it("keeps a replaced queued transaction queued, without a pending event", async () => {
    const { pool, common } = await createPool();
    await pool.add(transfer(common, alice!, { nonce: 3n, ...ORIGINAL }));
    const events = recordPending(pool);
    const bumped = transfer(common, alice!, { nonce: 3n, maxFeePerGas: 11n * GWEI, maxPriorityFeePerGas: 1_100_000_000n });
    await pool.add(bumped);
    assert.deepEqual(pool.content().queued.get(alice!.address), [bumped]);
    assert.deepEqual(events, []);
  });

  it("checks the replacement's cost against the balance", async () => {
    const { pool, state, common } = await createPool();
    state.set(alice!.address, { balance: 21000n * 20n * GWEI });
    await pool.add(transfer(common, alice!, { nonce: 0n, ...ORIGINAL, value: 0n }));
    await assert.rejects(
      pool.add(transfer(common, alice!, { nonce: 0n, maxFeePerGas: 30n * GWEI, maxPriorityFeePerGas: 2n * GWEI, value: 0n })),
      (error) => error instanceof TxPoolError && error.code === TxPoolErrorCode.InsufficientFunds,
    );
  });
});
