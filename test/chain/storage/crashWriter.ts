/**
 * Child process of the SIGKILL test: commits blocks of random transfers to a LevelDB chain store in
 * a loop, printing "committed <number> <hash>" after each commit has resolved, until it is killed.
 * Usage: node --import tsx crashWriter.ts <dataDir> <seed> [fsync|nofsync]
 * (`nofsync`: batches reach the OS page cache but are not fsynced, the devnet's default.)
 */
import { createTx } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { BlockExecutor, type PendingTransaction } from "../../../chain/execution/blockExecutor.ts";
import { devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import { openStateReader } from "../../../chain/execution/executionState.ts";
import { createGenesis, defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { ChainStore } from "../../../chain/storage/chainStore.ts";
import { LevelKeyValueStore } from "../../../chain/storage/keyValueStore.ts";
import type { Hex } from "../../../chain/types.ts";

const [dataDir, seedText, syncMode = "fsync"] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
const random = () => {
  // xorshift32: reproducible per seed
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

const common = await createConcordCommon();
const store = await ChainStore.open(await LevelKeyValueStore.open(dataDir, { sync: syncMode === "fsync" }), common);
if (store.head() === undefined) {
  const genesis = await createGenesis(defaultGenesisConfig(), common);
  await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
}
const executor = new BlockExecutor({ common, stateNodes: store, blockHashes: store });
const senders = devAccountKeys(8);
process.stdout.write("ready\n");

for (;;) {
  const parent = (await store.getBlock(store.head()!.hash))!.block;
  const state = openStateReader(common, store, parent.header.stateRoot);
  const txs: PendingTransaction[] = [];
  const count = 1 + Math.floor(random() * 20);
  const nonces = new Map<Hex, bigint>();
  for (let i = 0; i < count; i++) {
    const from = senders[Math.floor(random() * senders.length)];
    let nonce = nonces.get(from.address);
    if (nonce === undefined) nonce = (await state.getAccount(createAddressFromString(from.address)))?.nonce ?? 0n;
    nonces.set(from.address, nonce + 1n);
    const to = `0x${Math.floor(random() * 2 ** 32).toString(16).padStart(40, "0")}` as Hex;
    const tx = createTx(
      { type: 2, chainId: 31337n, nonce, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: BigInt(Math.floor(random() * 1000)), to, value: BigInt(Math.floor(random() * 1e9)) },
      { common },
    ).sign(from.privateKey);
    txs.push({ tx, sender: from.address });
  }
  const built = await executor.buildBlock(parent, txs, { coinbase: senders[0].address, timestamp: parent.header.timestamp + 1n });
  const height = built.block.header.number;
  await store.commitBlock({ ...built, certificate: { height, round: 0, blockHash: bytesToHex(built.block.hash()) as Hex, signatures: [] } });
  process.stdout.write(`committed ${height} ${bytesToHex(built.block.hash())}\n`);
}
