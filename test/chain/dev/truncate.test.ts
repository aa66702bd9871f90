/**
 * ChainStore.truncate (what evm_revert does to storage): every block above a height goes, with its
 * body, receipts, certificate, pre-state root and transaction index entries, and the head moves
 * down, in one batch that survives a reopen of LevelDB.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createTx, type TypedTxData } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { BlockExecutor } from "../../../chain/execution/blockExecutor.ts";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import { createGenesis, defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { ChainStore, ChainStoreError, ChainStoreErrorCode } from "../../../chain/storage/chainStore.ts";
import { LevelKeyValueStore, MemoryKeyValueStore, type KeyValueOperation, type KeyValueStore } from "../../../chain/storage/keyValueStore.ts";
import type { CommitCertificate, Hex } from "../../../chain/types.ts";

const [sender, recipient] = devAccountKeys(2);

/** Counts write batches, to show a truncation is exactly one. */
class CountingStore implements KeyValueStore {
  batches = 0;
  constructor(private readonly inner: KeyValueStore) {}
  get(key: Uint8Array) {
    return this.inner.get(key);
  }
  write(operations: readonly KeyValueOperation[]) {
    this.batches++;
    return this.inner.write(operations);
  }
  close() {
    return this.inner.close();
  }
}

async function chainWithBlocks(kv: KeyValueStore, blocks: number) {
  const common = await createConcordCommon();
  const genesis = await createGenesis(defaultGenesisConfig(), common);
  const store = await ChainStore.open(kv, common);
  await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
  const executor = new BlockExecutor({ common, stateNodes: store, blockHashes: store });
  const txHashes: Uint8Array[] = [];
  for (let nonce = 0n; nonce < BigInt(blocks); nonce++) {
    const parent = (await store.getBlock(store.head()!.hash))!.block;
    const tx = createTx({ type: 2, chainId: 31337n, nonce, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, to: recipient!.address, value: 1n } as TypedTxData, {
      common,
    }).sign(sender!.privateKey);
    const built = await executor.buildBlock(parent, [{ tx, sender: sender!.address }], { coinbase: recipient!.address, timestamp: parent.header.timestamp + 1n });
    const certificate: CommitCertificate = { height: built.block.header.number, round: 0, blockHash: bytesToHex(built.block.hash()) as Hex, signatures: [] };
    await store.commitBlock({ ...built, certificate, preStateRoot: parent.header.stateRoot });
    txHashes.push(tx.hash());
  }
  return { store, txHashes, common };
}

test("truncate removes the blocks above the height and everything indexed by them, in one batch", async () => {
  const kv = new CountingStore(new MemoryKeyValueStore());
  const { store, txHashes } = await chainWithBlocks(kv, 4);
  const kept = (await store.getBlockByNumber(2n))!.block;
  const dropped = (await store.getBlockByNumber(3n))!.block;
  const batchesBefore = kv.batches;

  const removed = await store.truncate(2n);

  assert.equal(kv.batches, batchesBefore + 1);
  assert.deepEqual(removed.map((stored) => stored.block.header.number), [3n, 4n]);
  assert.deepEqual(store.head(), { number: 2n, hash: kept.hash() });
  assert.equal(await store.getBlockByNumber(3n), undefined);
  assert.equal(await store.getBlock(dropped.hash()), undefined, "the decoded-block cache forgot it too");
  assert.equal(await store.getHeader(dropped.hash()), undefined);
  assert.equal(await store.getReceipts(dropped.hash()), undefined);
  assert.equal(await store.getCertificate(3n), undefined);
  assert.equal(await store.getPreStateRoot(3n), undefined);
  assert.equal(await store.getTransactionLocation(txHashes[2]!), undefined);
  assert.equal(await store.getTransactionLocation(txHashes[3]!), undefined);
  assert.deepEqual((await store.getTransactionLocation(txHashes[1]!))?.blockNumber, 2n);
  assert.ok((await store.getCertificate(2n)) !== undefined);
});

test("a truncated head is the head a reopened LevelDB store starts from, and the chain grows from it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-truncate-"));
  try {
    const first = await chainWithBlocks(await LevelKeyValueStore.open(dir, { sync: false }), 3);
    await first.store.truncate(1n);
    const headHash = first.store.head()!.hash;
    await first.store.close();

    const common = await createConcordCommon();
    const reopened = await ChainStore.open(await LevelKeyValueStore.open(dir, { sync: false }), common);
    try {
      assert.deepEqual(reopened.head(), { number: 1n, hash: headHash });
      assert.equal(await reopened.blockHash(2n), undefined);
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("truncating to the head itself changes nothing, and a height above it is refused", async () => {
  const { store } = await chainWithBlocks(new MemoryKeyValueStore(), 2);
  const head = store.head();
  assert.deepEqual(await store.truncate(2n), []);
  assert.deepEqual(store.head(), head);
  await assert.rejects(store.truncate(3n), (error: unknown) => error instanceof ChainStoreError && error.code === ChainStoreErrorCode.InvalidTruncation);
  await assert.rejects(store.truncate(-1n), (error: unknown) => error instanceof ChainStoreError && error.code === ChainStoreErrorCode.InvalidTruncation);
});

test("an empty store cannot be truncated", async () => {
  const store = await ChainStore.open(new MemoryKeyValueStore(), await createConcordCommon());
  await assert.rejects(store.truncate(0n), (error: unknown) => error instanceof ChainStoreError && error.code === ChainStoreErrorCode.InvalidTruncation);
});

test("the instance id is made once and then read back", async () => {
  const kv = new MemoryKeyValueStore();
  const common = await createConcordCommon();
  const id = await (await ChainStore.open(kv, common)).instanceId();
  assert.equal(id.length, 32);
  assert.deepEqual(await (await ChainStore.open(kv, common)).instanceId(), id);
});
