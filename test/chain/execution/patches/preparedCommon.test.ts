import { test } from "node:test";
import assert from "node:assert/strict";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { paramsBlock } from "@ethereumjs/block";
import { paramsTx } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { decodeBlock } from "../../../../chain/execution/blockCodec.ts";
import { preparedCommon } from "../../../../chain/execution/patches/preparedCommon.ts";
import { executionFixture } from "../fixture.ts";

test("preparing a prepared Common's copy finds the same prepared Common, so nothing is rebuilt or nested per block", () => {
  const base = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const prepared = preparedCommon(base, "block+tx", [paramsBlock, paramsTx]);
  assert.equal(preparedCommon(base, "block+tx", [paramsBlock, paramsTx]), prepared, "memoized per base");
  let common = prepared.copy();
  for (let i = 0; i < 50_000; i++) {
    // What a node does at every height: decode the next block with the head block's Common.
    const again = preparedCommon(common, "block+tx", [paramsBlock, paramsTx]);
    assert.equal(again, prepared);
    common = again.copy();
  }
  assert.equal(common.param("gasLimitBoundDivisor"), prepared.param("gasLimitBoundDivisor"));
  assert.equal(common.param("txGas"), 21000n);
});

test("a copy on another hardfork is prepared on its own, with that hardfork's parameters, and stays memoized", () => {
  const base = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const prepared = preparedCommon(base, "block+tx", [paramsBlock, paramsTx]);
  const older = prepared.copy();
  older.setHardfork(Hardfork.London);
  const preparedOlder = preparedCommon(older, "block+tx", [paramsBlock, paramsTx]);
  assert.notEqual(preparedOlder, prepared);
  assert.equal(preparedOlder.hardfork(), Hardfork.London);
  assert.equal(preparedCommon(preparedOlder.copy(), "block+tx", [paramsBlock, paramsTx]), preparedOlder);
  // A non-empty parameter update on a prepared copy still applies, to that copy only.
  const custom = prepared.copy();
  custom.updateParams({ 1: { txGas: 12345 } } as never);
  assert.equal(custom.param("txGas"), 12345n);
  assert.equal(prepared.param("txGas"), 21000n);
});

test("a chain of 20,000 blocks each decoded with the previous decoded block's Common decodes with the same prepared Common throughout", async () => {
  const f = await executionFixture();
  const built = await f.executor.buildBlock(f.genesis, [], { coinbase: f.validators[0]!.address, timestamp: f.genesis.header.timestamp + 1n });
  const rlp = built.block.serialize();
  let common = f.common;
  let hash = "";
  for (let i = 0; i < 20_000; i++) {
    const block = decodeBlock(rlp, common);
    hash = bytesToHex(block.hash());
    common = block.common;
  }
  assert.equal(hash, bytesToHex(built.block.hash()));
  // The last block's Common still has the one prepared Common's parameter update, not a 20,000-deep
  // chain of wrappers (which used to grow by one per block, and overflow the stack on a long catch-up).
  const prepared = preparedCommon(f.common, "block+tx", [paramsBlock, paramsTx]);
  assert.equal(common.updateParams, prepared.updateParams);
});
