/**
 * The prepared transaction Common (`transactionCommon`): transactions decoded with it carry the same
 * parameters as transactions built the ordinary way (gas costs follow from them), while a real
 * parameter change on one copy stays on that copy.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTx, paramsTx, type TypedTransaction } from "@ethereumjs/tx";
import { decodeRawTransaction, transactionCommon } from "../../../chain/txpool/index.ts";
import { GWEI, RECIPIENT, concordCommon, hardhatAccounts } from "./fixture.ts";

const DECODE = { maxTxBytes: 128 * 1024, allowUnprotected: true };

describe("decodeRawTransaction with the prepared Common", () => {
  it("decodes transactions whose gas figures equal those of ordinarily built ones", async () => {
    const common = await concordCommon();
    const prepared = transactionCommon(common);
    const [alice] = hardhatAccounts();
    const built: TypedTransaction[] = [
      createTx(
        {
          type: 2, nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100_000n, to: RECIPIENT,
          data: new Uint8Array([0, 1, 2, 0, 0, 3]),
          accessList: [{ address: RECIPIENT, storageKeys: [`0x${"11".repeat(32)}`] }],
        },
        { common },
      ).sign(alice!.privateKey),
      createTx({ type: 2, nonce: 1n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100_000n, data: new Uint8Array(100) }, { common }).sign(
        alice!.privateKey,
      ),
    ];
    for (const tx of built) {
      const decoded = decodeRawTransaction(tx.serialize(), { ...DECODE, common: prepared });
      assert.equal(decoded.getIntrinsicGas(), tx.getIntrinsicGas());
      assert.equal(decoded.getDataGas(), tx.getDataGas());
      assert.equal(decoded.common.param("txGas"), tx.common.param("txGas"));
      assert.equal(decoded.common.param("accessListStorageKeyGas"), 1900n);
    }
  });

  it("still applies a non-empty parameter update, to that copy only", async () => {
    const prepared = transactionCommon(await concordCommon());
    const copy = prepared.copy();
    copy.updateParams({ ...paramsTx, 1: { ...paramsTx[1], txGas: 12345 } });
    assert.equal(copy.param("txGas"), 12345n);
    assert.equal(prepared.param("txGas"), 21000n);
  });
});
