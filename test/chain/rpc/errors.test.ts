import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbiCoder, Interface } from "ethers";
import { ExecutionRevertedError, RpcError, RpcErrorCode, revertReason, toRpcError } from "../../../chain/rpc/errors.ts";
import { CallError, CallErrorCode } from "../../../chain/execution/errors.ts";
import { TxPoolError, TxPoolErrorCode } from "../../../chain/txpool/errors.ts";

const errorString = (reason: string) => new Interface(["error Error(string)"]).encodeErrorResult("Error", [reason]);
const panic = (code: number) => new Interface(["error Panic(uint256)"]).encodeErrorResult("Panic", [code]);

describe("revert reasons", () => {
  it("decodes Error(string)", () => {
    assert.equal(revertReason(errorString("not the owner")), "not the owner");
  });
  it("names Solidity panics as geth does", () => {
    assert.equal(revertReason(panic(0x11)), "arithmetic underflow or overflow");
    assert.equal(revertReason(panic(0x01)), "assert(false)");
    assert.equal(revertReason(panic(0x99)), "unknown panic code: 0x99");
  });
  it("leaves custom errors, empty and truncated data undecoded", () => {
    const custom = new Interface(["error Unauthorized(address)"]).encodeErrorResult("Unauthorized", [`0x${"11".repeat(20)}`]);
    assert.equal(revertReason(custom), undefined);
    assert.equal(revertReason("0x"), undefined);
    assert.equal(revertReason(errorString("x").slice(0, 80)), undefined);
    // A declared length longer than the data that follows.
    const lying = `0x08c379a0${AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [32, 1000]).slice(2)}`;
    assert.equal(revertReason(lying), undefined);
  });
});

describe("ExecutionRevertedError", () => {
  it("is code 3 with the revert data, and the reason in the message when there is one", () => {
    const data = errorString("too late") as `0x${string}`;
    const error = new ExecutionRevertedError(data);
    assert.equal(error.code, 3);
    assert.equal(error.message, "execution reverted: too late");
    assert.equal(error.data, data);
    assert.equal(new ExecutionRevertedError("0x").message, "execution reverted");
  });
});

describe("toRpcError", () => {
  it("passes RpcErrors through", () => {
    const error = new RpcError(RpcErrorCode.ResourceNotFound, "gone");
    assert.equal(toRpcError(error), error);
  });
  it("maps the pool's typed errors by their rpcCode and message", () => {
    const poolError = new TxPoolError(TxPoolErrorCode.NonceTooLow, "nonce too low: next nonce 5, tx nonce 3", { next: 5n });
    const mapped = toRpcError(poolError);
    assert.equal(mapped.code, -32000);
    assert.equal(mapped.message, "nonce too low: next nonce 5, tx nonce 3");
    assert.equal(mapped.data, undefined);
  });
  it("maps execution's typed errors with their data (revert data for code 3)", () => {
    const mapped = toRpcError(new CallError(CallErrorCode.Reverted, "execution reverted", Uint8Array.from([0xde, 0xad])));
    assert.equal(mapped.code, 3);
    assert.equal(mapped.message, "execution reverted");
    assert.equal(mapped.data, "0xdead");
  });
  it("turns anything else into -32603 with the cause's words, never its stack", () => {
    const mapped = toRpcError(new TypeError("boom"));
    assert.equal(mapped.code, -32603);
    assert.equal(mapped.message, "internal error: boom");
    assert.equal(toRpcError("a string").message, "internal error");
  });
});
