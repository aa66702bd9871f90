import { test } from "node:test";
import assert from "node:assert/strict";
import { createBlockFromRLP } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import { decodeBlock, encodedBlockSize } from "../../../chain/execution/blockCodec.ts";
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

test("encodedBlockSize is the length of the block's serialization, for empty, small and large blocks of every transaction kind", async () => {
  const f = await executionFixture();
  const [alice, bob] = f.accounts;
  const empty = await f.executor.buildBlock(f.genesis, [], { coinbase: f.validators[0]!.address, timestamp: f.genesis.header.timestamp + 1n });
  assert.equal(encodedBlockSize(empty.block), empty.block.serialize().length);
  // Legacy (type 0, its own RLP list in the block), access-list (1) and fee-market (2) transactions,
  // with call data long enough that item and list lengths take several length bytes.
  const kinds = [
    { type: 0, gasPrice: 10n ** 10n, gasLimit: 200_000n },
    { type: 1, gasPrice: 10n ** 10n, gasLimit: 200_000n, accessList: [] },
    { type: 2, gasLimit: 200_000n },
  ];
  const txs = Array.from({ length: 60 }, (_, i) =>
    f.sign(alice!, { ...kinds[i % 3], nonce: BigInt(i), to: bob!.address, value: 1n, data: new Uint8Array(i * 7).fill(1) } as never),
  );
  for (const count of [1, 3, 60]) {
    const built = await f.executor.buildBlock(f.genesis, txs.slice(0, count), { coinbase: f.validators[0]!.address, timestamp: f.genesis.header.timestamp + 1n });
    assert.equal(built.block.transactions.length, count);
    assert.equal(encodedBlockSize(built.block), built.block.serialize().length, `${count} transactions`);
    // Decoded from bytes (encodings remembered from the wire), the same.
    const decoded = decodeBlock(built.block.serialize(), f.common);
    assert.equal(encodedBlockSize(decoded), built.block.serialize().length);
  }
});
