import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AbiCoder, Interface } from "ethers";
import { ExecutionRevertedError, RpcError, RpcErrorCode, hasRpcCode, revertReason, toRpcError } from "../../../chain/rpc/errors.ts";
import { DevErrorCode, DevModeError } from "../../../chain/dev/errors.ts";
import { CallError, CallErrorCode } from "../../../chain/execution/errors.ts";
import { NodeStateError } from "../../../chain/node/errors.ts";
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
  it("maps the pool's typed errors by their code: refused is -32000, not a transaction at all is -32602", () => {
    const poolError = new TxPoolError(TxPoolErrorCode.NonceTooLow, "nonce too low: next nonce 5, tx nonce 3", { next: 5n });
    const mapped = toRpcError(poolError);
    assert.equal(mapped.code, -32000);
    assert.equal(mapped.message, "nonce too low: next nonce 5, tx nonce 3");
    assert.equal(mapped.data, undefined);
  });
  it("answers malformed pool input as invalid params", () => {
    assert.equal(toRpcError(new TxPoolError(TxPoolErrorCode.MalformedRlp, "rlp: bad")).code, -32602);
    assert.equal(toRpcError(new TxPoolError(TxPoolErrorCode.InvalidTransaction, "invalid transaction: bad")).code, -32602);
  });
  it("answers dev-mode errors as Hardhat's and Anvil's nodes do", () => {
    const cases: [DevErrorCode, number][] = [
      [DevErrorCode.InvalidArgument, -32602],
      [DevErrorCode.NonceNotSettable, -32000],
      [DevErrorCode.AlreadyMined, -32602],
      [DevErrorCode.NotAttached, -32603],
    ];
    for (const [code, rpcCode] of cases) {
      const mapped = toRpcError(new DevModeError(code, `dev ${code}`));
      assert.deepEqual([mapped.code, mapped.message, mapped.data], [rpcCode, `dev ${code}`, undefined], code);
    }
  });
  it("answers a call that cannot be served with geth's -32000, without data", () => {
    const mapped = toRpcError(new CallError(CallErrorCode.UnknownBlock, "header not found"));
    assert.deepEqual([mapped.code, mapped.message, mapped.data], [-32000, "header not found", undefined]);
  });
  it("answers the node's other typed errors as the server's failure (-32603), and says which have a code", () => {
    const stateError = new NodeStateError("NOT_STARTED", "node not started");
    assert.deepEqual([toRpcError(stateError).code, toRpcError(stateError).message], [-32603, "internal error: node not started"]);
    assert.equal(hasRpcCode(stateError), false);
    assert.equal(hasRpcCode(new TypeError("boom")), false);
    assert.equal(hasRpcCode(new RpcError(RpcErrorCode.LimitExceeded, "too many")), true);
    assert.equal(hasRpcCode(new TxPoolError(TxPoolErrorCode.PoolFull, "txpool is full")), true);
    assert.equal(hasRpcCode(new CallError(CallErrorCode.Reverted, "execution reverted")), true);
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
