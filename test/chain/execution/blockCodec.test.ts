import { test } from "node:test";
import assert from "node:assert/strict";
import { createBlockFromRLP } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { decodeBlock } from "../../../chain/execution/blockCodec.ts";
import { executionFixture } from "./fixture.ts";

test("decodeBlock gives the block ethereumjs' own decoding gives, and it re-executes to the same hash", async () => {
  const f = await executionFixture();
  const [alice, bob] = f.accounts;
  const txs = [0n, 1n, 2n].map((nonce) => f.sign(alice!, { nonce, to: bob!.address, value: nonce + 1n }));
  const built = await f.executor.buildBlock(f.genesis, txs, { coinbase: f.validators[0]!.address, timestamp: f.genesis.header.timestamp + 1n });
  const rlp = built.block.serialize();
  const stock = createBlockFromRLP(rlp, { common: f.common });
  const decoded = decodeBlock(rlp, f.common);
  assert.equal(bytesToHex(decoded.hash()), bytesToHex(stock.hash()));
  assert.deepEqual(decoded.serialize(), rlp);
  assert.deepEqual(
    decoded.transactions.map((tx) => [bytesToHex(tx.hash()), tx.getSenderAddress().toString(), tx.common.param("txGas")]),
    stock.transactions.map((tx) => [bytesToHex(tx.hash()), tx.getSenderAddress().toString(), tx.common.param("txGas")]),
  );
  assert.equal(decoded.header.common.param("gasLimitBoundDivisor"), stock.header.common.param("gasLimitBoundDivisor"));
  const executed = await f.executor.verifyBlock(f.genesis, decodeBlock(rlp, f.common));
  assert.equal(bytesToHex(executed.block.hash()), bytesToHex(built.block.hash()));
  assert.throws(() => decodeBlock(rlp.subarray(0, rlp.length - 3), f.common));
});
