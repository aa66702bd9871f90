import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTx, type TypedTxData } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { BlockExecutor, type PendingTransaction } from "../../../chain/execution/blockExecutor.ts";
import { devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import { openStateReader } from "../../../chain/execution/executionState.ts";
import { createGenesis, defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { ChainStore, ChainStoreError, ChainStoreErrorCode } from "../../../chain/storage/chainStore.ts";
import { LevelKeyValueStore, MemoryKeyValueStore, StoreClosedError, type KeyValueStore } from "../../../chain/storage/keyValueStore.ts";
import { findLogs, findLogsInBlock } from "../../../chain/storage/logQuery.ts";
import type { CommitCertificate, Hex } from "../../../chain/types.ts";

const LOGGER_A = "0x0000000000000000000000000000000000004000" as Hex; // LOG1(0x…01)
const LOGGER_B = "0x0000000000000000000000000000000000004001" as Hex; // LOG2(0x…02, 0x…03)
const TOPIC = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const accounts = devAccountKeys(4);

async function chainOn(kv: KeyValueStore) {
  const common = await createConcordCommon();
  const genesis = await createGenesis(
    defaultGenesisConfig({
      alloc: {
        [LOGGER_A]: { code: hexToBytes("0x600160006000a100") },
        [LOGGER_B]: { code: hexToBytes("0x6003600260006000a200") },
      },
    }),
    common,
  );
  const store = await ChainStore.open(kv, common);
  await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
  const executor = new BlockExecutor({ common, stateNodes: store, blockHashes: store });
  let nonce = 0n;
  const sign = (data: Partial<TypedTxData>): PendingTransaction => {
    const tx = createTx({ type: 2, chainId: 31337n, nonce: nonce++, gasLimit: 60_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, ...data } as TypedTxData, { common }).sign(accounts[0].privateKey);
    return { tx, sender: accounts[0].address };
  };
  const commitNext = async (txs: PendingTransaction[]) => {
    const parent = (await store.getBlock(store.head()!.hash))!.block;
    const built = await executor.buildBlock(parent, txs, { coinbase: accounts[3].address, timestamp: parent.header.timestamp + 1n });
    const certificate: CommitCertificate = { height: built.block.header.number, round: 0, blockHash: bytesToHex(built.block.hash()) as Hex, signatures: [] };
    await store.commitBlock({ ...built, certificate });
    return built;
  };
  return { common, genesis, store, sign, commitNext };
}

test("a committed block reads back by number and hash, with senders, receipts, tx index and certificate", async () => {
  const chain = await chainOn(new MemoryKeyValueStore());
  const built = await chain.commitNext([chain.sign({ to: accounts[1].address, value: 5n }), chain.sign({ to: LOGGER_A })]);
  const hash = built.block.hash();
  assert.equal(chain.store.head()?.number, 1n);
  assert.equal(bytesToHex((await chain.store.blockHash(1n))!), bytesToHex(hash));
  const byNumber = (await chain.store.getBlockByNumber(1n))!;
  assert.equal(bytesToHex(byNumber.block.serialize()), bytesToHex(built.block.serialize()));
  assert.deepEqual(byNumber.senders, [accounts[0].address, accounts[0].address]);
  const receipts = (await chain.store.getReceipts(hash))!;
  assert.deepEqual(
    receipts.map(({ transactionHash, ...rest }) => [bytesToHex(transactionHash), rest]),
    built.receipts.map((r, i) => [bytesToHex(built.block.transactions[i].hash()), r]),
  );
  const location = (await chain.store.getTransactionLocation(built.block.transactions[1].hash()))!;
  assert.deepEqual({ ...location, blockHash: bytesToHex(location.blockHash) }, { blockNumber: 1n, blockHash: bytesToHex(hash), index: 1 });
  assert.deepEqual(await chain.store.getCertificate(1n), { height: 1n, round: 0, blockHash: bytesToHex(hash), signatures: [] });
  assert.equal(await chain.store.getCertificate(0n), undefined);
  assert.equal(await chain.store.getBlockByNumber(2n), undefined);
});

test("a LevelDB store reopens at its head with blocks, receipts and the state readable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-store-"));
  try {
    const chain = await chainOn(await LevelKeyValueStore.open(dir));
    await chain.commitNext([chain.sign({ to: accounts[1].address, value: 5n })]);
    const second = await chain.commitNext([chain.sign({ to: accounts[2].address, value: 7n })]);
    await chain.store.close();

    const store = await ChainStore.open(await LevelKeyValueStore.open(dir), chain.common);
    try {
      assert.equal(store.head()?.number, 2n);
      assert.equal(bytesToHex(store.head()!.hash), bytesToHex(second.block.hash()));
      assert.equal(bytesToHex((await store.genesisHash())!), bytesToHex(chain.genesis.block.hash()));
      const state = openStateReader(chain.common, store, second.block.header.stateRoot);
      assert.equal((await state.getAccount(createAddressFromString(accounts[2].address)))?.balance, 10_000n * 10n ** 18n + 7n);
      assert.equal((await state.getAccount(createAddressFromString(accounts[0].address)))?.nonce, 2n);
      assert.equal((await store.getReceipts(second.block.hash()))?.length, 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Counts the reads that reach the key-value store. */
class ReadCountingStore implements KeyValueStore {
  reads = 0;
  constructor(private readonly inner: KeyValueStore) {}
  get(key: Uint8Array) {
    this.reads++;
    return this.inner.get(key);
  }
  write(operations: Parameters<KeyValueStore["write"]>[0]) {
    return this.inner.write(operations);
  }
  close() {
    return this.inner.close();
  }
}

test("a just-committed block's receipts, transaction locations and hash are answered from memory, equal to what a reopened store decodes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-store-"));
  try {
    const kv = new ReadCountingStore(await LevelKeyValueStore.open(dir));
    const chain = await chainOn(kv);
    const built = await chain.commitNext([chain.sign({ to: accounts[1].address, value: 5n }), chain.sign({ to: LOGGER_B }), chain.sign({ to: LOGGER_A })]);
    const hash = built.block.hash();
    const txHashes = built.block.transactions.map((tx) => tx.hash());
    const readsBefore = kv.reads;
    const receipts = (await chain.store.getReceipts(hash))!;
    const locations = await Promise.all(txHashes.map((txHash) => chain.store.getTransactionLocation(txHash)));
    const blockHash = await chain.store.blockHash(1n);
    assert.equal(kv.reads, readsBefore, "no read reached LevelDB");
    await chain.store.close();

    // Bytes compared as hex: LevelDB hands back Buffers, the commit kept Uint8Arrays.
    const hexed = (value: unknown): unknown =>
      value instanceof Uint8Array ? bytesToHex(value) : Array.isArray(value) ? value.map(hexed)
        : value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexed(v)])) : value;
    const reopened = await ChainStore.open(await LevelKeyValueStore.open(dir), chain.common);
    try {
      assert.deepEqual(hexed(receipts), hexed(await reopened.getReceipts(hash)));
      assert.deepEqual(hexed(locations), hexed(await Promise.all(txHashes.map((txHash) => reopened.getTransactionLocation(txHash)))));
      assert.deepEqual(hexed(blockHash), hexed(await reopened.blockHash(1n)));
      assert.equal(receipts[1]!.logs.length, 1);
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("only the head's child can be committed (NOT_NEXT_BLOCK), and receipts must match the transactions", async () => {
  const chain = await chainOn(new MemoryKeyValueStore());
  const first = await chain.commitNext([]);
  await assert.rejects(chain.store.commitBlock({ ...first }), (error: unknown) => error instanceof ChainStoreError && error.code === ChainStoreErrorCode.NotNextBlock);
  const parent = first.block;
  const executor = new BlockExecutor({ common: chain.common, stateNodes: chain.store, blockHashes: chain.store });
  const next = await executor.buildBlock(parent, [chain.sign({ to: accounts[1].address })], { coinbase: accounts[3].address, timestamp: 99n });
  await assert.rejects(chain.store.commitBlock({ ...next, receipts: [] }), (error: unknown) => error instanceof ChainStoreError && error.code === ChainStoreErrorCode.InconsistentCommit);
  assert.equal(chain.store.head()?.number, 1n);
});

test("a closed store refuses reads and writes with STORE_CLOSED", async () => {
  const dir = mkdtempSync(join(tmpdir(), "concord-store-"));
  try {
    const kv = await LevelKeyValueStore.open(dir);
    await kv.close();
    await assert.rejects(kv.get(new Uint8Array([1])), StoreClosedError);
    await assert.rejects(kv.write([]), StoreClosedError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("log queries filter by block range, address and topics (OR within a position), in chain order", async () => {
  const chain = await chainOn(new MemoryKeyValueStore());
  await chain.commitNext([chain.sign({ to: LOGGER_A })]); // block 1: A
  await chain.commitNext([chain.sign({ to: accounts[1].address })]); // block 2: no logs
  await chain.commitNext([chain.sign({ to: LOGGER_B }), chain.sign({ to: LOGGER_A })]); // block 3: B, A
  const all = await findLogs(chain.store, { fromBlock: 0n, toBlock: 100n, addresses: [], topics: [] });
  assert.deepEqual(
    all.map((l) => [l.blockNumber, bytesToHex(l.log[0]), l.transactionIndex, l.logIndex]),
    [
      [1n, LOGGER_A, 0, 0],
      [3n, LOGGER_B, 0, 0],
      [3n, LOGGER_A, 1, 1],
    ],
  );
  const onlyB = await findLogs(chain.store, { fromBlock: 0n, toBlock: 3n, addresses: [LOGGER_B], topics: [] });
  assert.deepEqual(onlyB.map((l) => l.log[1].map((t) => bytesToHex(t))), [[TOPIC(2), TOPIC(3)]]);
  const eitherTopic = await findLogs(chain.store, { fromBlock: 0n, toBlock: 3n, addresses: [], topics: [[TOPIC(1), TOPIC(2)]] });
  assert.equal(eitherTopic.length, 3);
  const secondTopic = await findLogs(chain.store, { fromBlock: 0n, toBlock: 3n, addresses: [], topics: [null, [TOPIC(3)]] });
  assert.deepEqual(secondTopic.map((l) => bytesToHex(l.log[0])), [LOGGER_B]);
  assert.equal((await findLogs(chain.store, { fromBlock: 2n, toBlock: 2n, addresses: [], topics: [] })).length, 0);
  const inBlock = await findLogsInBlock(chain.store, (await chain.store.blockHash(3n))!, { addresses: [LOGGER_A], topics: [] });
  assert.deepEqual(inBlock?.map((l) => l.logIndex), [1]);
});
