import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { CallExecutor } from "../../../chain/execution/calls.ts";
import { CallError, CallErrorCode } from "../../../chain/execution/errors.ts";
import { STAKING_ADDRESS, encodeCall, stakingInterface } from "../../../chain/execution/staking.ts";
import { childHeaderFields, contextHeader } from "../../../chain/execution/header.ts";
import { CALLER, NOPE_REVERT_DATA, PARENT_HASH, RETURNS_42, REVERTS_NOPE, TEST_CONTRACTS } from "./contracts.ts";
import { ETHER, executionFixture } from "./fixture.ts";
import { toRpcError } from "../../../chain/rpc/errors.ts";

async function setup() {
  const f = await executionFixture({ staking: true, alloc: TEST_CONTRACTS });
  const calls = new CallExecutor(f.executor);
  const latest = { header: f.genesis.header, stateRoot: f.genesis.header.stateRoot };
  return { f, calls, latest };
}

test("eth_call returns the callee's return data and the gas a transaction would use", async () => {
  const { f, calls, latest } = await setup();
  const result = await calls.call(latest, { from: f.accounts[0].address, to: RETURNS_42 });
  assert.equal(result.error, undefined);
  assert.equal(bytesToHex(result.returnData), `0x${"2a".padStart(64, "0")}`);
  assert.equal(result.gasUsed, 21_000n + 18n);
});

test("eth_call of a reverting function returns the revert data (custom error) and kind revert", async () => {
  const { f, calls, latest } = await setup();
  const from = f.accounts[5].address;
  const result = await calls.call(latest, { from, to: STAKING_ADDRESS, data: encodeCall("advanceEpoch") });
  assert.equal(result.error?.kind, "revert");
  assert.equal(bytesToHex(result.returnData), stakingInterface().encodeErrorResult("ValidatorRegistryNotSystemCaller", [from]));
});

test("eth_call without fee fields needs no balance for gas; value beyond the balance is refused", async () => {
  const { calls, latest } = await setup();
  const pauper = "0x00000000000000000000000000000000000000aa" as const;
  assert.equal((await calls.call(latest, { from: pauper, to: RETURNS_42, gas: 1_000_000n })).error, undefined);
  await assert.rejects(calls.call(latest, { from: pauper, to: RETURNS_42, value: 1n }), (error: unknown) => {
    return error instanceof CallError && error.code === CallErrorCode.InvalidRequest && toRpcError(error).code === -32000;
  });
});

test("eth_call from a contract address runs as a message call (EIP-3607 only binds transactions)", async () => {
  const { calls, latest } = await setup();
  const result = await calls.call(latest, { from: CALLER, to: RETURNS_42 });
  assert.equal(result.error, undefined);
  assert.equal(bytesToHex(result.returnData), `0x${"2a".padStart(64, "0")}`);
});

test("eth_call with gas below the intrinsic gas is an INVALID_REQUEST", async () => {
  const { calls, latest } = await setup();
  await assert.rejects(calls.call(latest, { to: RETURNS_42, gas: 20_000n }), (error: unknown) => error instanceof CallError && error.code === CallErrorCode.InvalidRequest);
});

test("eth_call in the next block's context sees BLOCKHASH of the head", async () => {
  const { f, calls } = await setup();
  const header = contextHeader(childHeaderFields(f.genesis.header, { coinbase: f.validators[0].address, timestamp: 5n }, f.common), f.common);
  const result = await calls.call({ header, stateRoot: f.genesis.header.stateRoot }, { to: PARENT_HASH });
  assert.equal(bytesToHex(result.returnData), bytesToHex(f.genesis.hash()));
});

test("estimateGas: 21000 for a transfer; for a call, the smallest gas that succeeds", async () => {
  const { f, calls, latest } = await setup();
  assert.equal(await calls.estimateGas(latest, { from: f.accounts[0].address, to: f.accounts[1].address, value: ETHER }), 21_000n);
  const request = { from: f.accounts[0].address, to: CALLER };
  const estimate = await calls.estimateGas(latest, request);
  assert.equal((await calls.call(latest, { ...request, gas: estimate })).error, undefined);
  assert.equal((await calls.call(latest, { ...request, gas: estimate - 1n })).error?.kind, "outOfGas");
});

test("estimateGas of a call that always reverts throws REVERTED with the revert data (rpc code 3)", async () => {
  const { f, calls, latest } = await setup();
  await assert.rejects(calls.estimateGas(latest, { from: f.accounts[0].address, to: REVERTS_NOPE }), (error: unknown) => {
    assert.ok(error instanceof CallError);
    assert.equal(error.code, CallErrorCode.Reverted);
    assert.equal(toRpcError(error).code, 3);
    assert.equal(error.data, NOPE_REVERT_DATA);
    assert.deepEqual(error.returnData, hexToBytes(NOPE_REVERT_DATA));
    return true;
  });
});

test("estimateGas with a fee cap stops at the gas the sender can pay for", async () => {
  const { calls, latest } = await setup();
  // 10 wei per gas and a balance of 0: not even the intrinsic gas is affordable.
  await assert.rejects(
    calls.estimateGas(latest, { from: "0x00000000000000000000000000000000000000aa", to: RETURNS_42, gasPrice: 10n }),
    (error: unknown) => error instanceof CallError && error.code === CallErrorCode.InvalidRequest,
  );
});
