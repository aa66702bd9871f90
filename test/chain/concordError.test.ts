import assert from "node:assert/strict";
import { test } from "node:test";
import { ConcordError } from "../../chain/concordError.ts";
import { BlockVerificationError, BlockVerificationErrorCode, CallError, CallErrorCode } from "../../chain/execution/errors.ts";
import { NodeStateError } from "../../chain/node/errors.ts";
import { RpcError } from "../../chain/rpc/errors.ts";
import { ChainStoreError, ChainStoreErrorCode } from "../../chain/storage/chainStore.ts";
import { TxPoolError, TxPoolErrorCode } from "../../chain/txpool/errors.ts";

test("a ConcordError carries its code, message, data and cause", () => {
  const cause = new RangeError("underlying");
  const error = new ConcordError("SOMETHING_FAILED", "something failed", { data: { attempt: 3n }, cause });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ConcordError");
  assert.equal(error.code, "SOMETHING_FAILED");
  assert.equal(error.message, "something failed");
  assert.deepEqual(error.data, { attempt: 3n });
  assert.equal(error.cause, cause);
  const bare = new ConcordError("BARE", "no data");
  assert.equal(bare.data, undefined);
  assert.equal("cause" in bare, false);
});

test("the node's typed errors share the base and keep their own name, code and data", () => {
  const cases: [ConcordError<string | number>, string, string | number, unknown][] = [
    [new TxPoolError(TxPoolErrorCode.NonceTooLow, "nonce too low: next nonce 2, tx nonce 1", { next: 2n, nonce: 1n }), "TxPoolError", "NONCE_TOO_LOW", { next: 2n, nonce: 1n }],
    [new CallError(CallErrorCode.Reverted, "execution reverted", Uint8Array.of(0xbe, 0xef)), "CallError", "REVERTED", "0xbeef"],
    [new BlockVerificationError(BlockVerificationErrorCode.GasUsedMismatch, "gas used", { expected: "1", actual: "2" }), "BlockVerificationError", "GAS_USED_MISMATCH", { expected: "1", actual: "2" }],
    [new ChainStoreError(ChainStoreErrorCode.NotNextBlock, "not the next block"), "ChainStoreError", "NOT_NEXT_BLOCK", undefined],
    [new NodeStateError("NOT_STARTED", "node not started"), "NodeStateError", "NOT_STARTED", undefined],
    [new RpcError(-32005, "too many", { limit: 10 }), "RpcError", -32005, { limit: 10 }],
  ];
  for (const [error, name, code, data] of cases) {
    assert.ok(error instanceof ConcordError, name);
    assert.deepEqual([error.name, error.code, error.data], [name, code, data], name);
  }
  // A verification error always has its details object, empty when there is nothing to compare.
  assert.deepEqual(new BlockVerificationError(BlockVerificationErrorCode.InvalidParent, "parent").data, {});
});
