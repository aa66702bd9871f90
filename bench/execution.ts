/**
 * Block execution throughput: building (proposer) and verifying (every other validator) a block of
 * 1000 ETH transfers and a block of 1000 ERC20 transfers (ConcordToken), over a LevelDB chain store.
 *
 * - build: `BlockExecutor.buildBlock` on pre-signed transactions whose senders were recovered once
 *   beforehand (as the pool does on entry);
 * - verify: `verifyBlock` of the same block decoded from its RLP by another executor, as a peer
 *   receives it (so it recovers every sender itself);
 * - commit: the one LevelDB batch that stores the block, its receipts, indexes and state nodes.
 * Each run starts from the same parent; the medians of the runs are printed. Prints numbers, asserts
 * nothing (a shared machine's load moves them).
 *
 * `--chain N` measures instead what a network does: N consecutive blocks of `--txs` transactions each
 * (fresh recipients), every one built on the last and committed, so each runs on the state its
 * parent left behind, and followed by a peer with its own store (decode from RLP, `verifyBlock`,
 * commit), as every other validator does. The peer recovers each sender while verifying; a validator
 * whose pool received the transaction by gossip recovered it there instead (on a worker thread), so
 * either way each validator pays for one recovery per transaction. It prints the mean time per block and the CPU per
 * transaction of each step (CPU of the whole process, so LevelDB's writer threads count), and what
 * executing and storing every transaction on `--validators` validators costs on this machine before
 * any consensus message, RPC request or client is paid for: a floor under the multi-validator
 * devnet's CPU per transaction, and a ceiling over its throughput.
 *
 * The LevelDB store does not fsync, as on a devnet; `--fsync` flushes every batch, as a validator of
 * a real network does.
 *
 *   npx tsx bench/execution.ts [--txs 1000] [--runs 5] [--memory] [--fsync] [--chain N [--validators 4]]
 */
import { parseArgs } from "node:util";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import { createTx, type TypedTxData } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { Interface } from "ethers";
import { createConcordCommon } from "../chain/execution/common.ts";
import { decodeBlock } from "../chain/execution/blockCodec.ts";
import { BlockExecutor, type PendingTransaction } from "../chain/execution/blockExecutor.ts";
import { devAccountKeys, type DerivedKey } from "../chain/execution/devAccounts.ts";
import { createGenesis, defaultGenesisConfig } from "../chain/execution/genesis.ts";
import { ChainStore } from "../chain/storage/chainStore.ts";
import { LevelKeyValueStore, MemoryKeyValueStore } from "../chain/storage/keyValueStore.ts";
import type { Hex } from "../chain/types.ts";

const { values: args } = parseArgs({
  options: {
    txs: { type: "string", default: "1000" },
    runs: { type: "string", default: "5" },
    memory: { type: "boolean", default: false },
    chain: { type: "string" },
    fsync: { type: "boolean", default: false },
    validators: { type: "string", default: "4" },
  },
});
const TXS = Number(args.txs);
const RUNS = Number(args.runs);
const CHAIN = args.chain === undefined ? undefined : Number(args.chain);
const VALIDATORS = Number(args.validators);
if (![TXS, RUNS, CHAIN ?? 1, VALIDATORS].every((n) => Number.isSafeInteger(n) && n > 0)) {
  throw new RangeError("--txs, --runs, --chain and --validators must be positive integers");
}

const common = await createConcordCommon();
const dataDir = mkdtempSync(join(tmpdir(), "concord-bench-"));
// 1000 ERC20 transfers need ~35-50M gas: above the default 30M block, so the bench chain has more.
const GAS_LIMIT = 150_000_000n;
const genesis = await createGenesis(defaultGenesisConfig({ gasLimit: GAS_LIMIT }), common);

/** A node's own store, holding genesis. */
async function openStore(name: string): Promise<ChainStore> {
  const kv = args.memory ? new MemoryKeyValueStore() : await LevelKeyValueStore.open(join(dataDir, name), { sync: args.fsync });
  const opened = await ChainStore.open(kv, common);
  await opened.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
  return opened;
}
const store = await openStore("proposer");
const executor = new BlockExecutor({ common, stateNodes: store, blockHashes: store });
const verifier = new BlockExecutor({ common, stateNodes: store, blockHashes: store });
/** Another validator (`--chain`): its own store, following every block the proposer commits. */
const peerStore = CHAIN === undefined ? undefined : await openStore("peer");
const peer = peerStore === undefined ? undefined : new BlockExecutor({ common, stateNodes: peerStore, blockHashes: peerStore });
const accounts = devAccountKeys();
const nonces = new Map<string, bigint>();

function sign(from: DerivedKey, data: Partial<TypedTxData>): PendingTransaction {
  const nonce = nonces.get(from.address) ?? 0n;
  nonces.set(from.address, nonce + 1n);
  const tx = createTx(
    { type: 2, chainId: 31337n, nonce, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, ...data } as TypedTxData,
    { common },
  ).sign(from.privateKey);
  return { tx, sender: tx.getSenderAddress().toString() as Hex }; // recovered once, as on pool entry
}

async function head(of: ChainStore = store): Promise<Block> {
  return (await of.getBlock(of.head()!.hash))!.block;
}

/** What every other validator does with a committed block: decode it, re-execute it, store it. */
async function peerFollows(block: Block): Promise<{ verify: number; commit: number }> {
  if (peer === undefined || peerStore === undefined) return { verify: 0, commit: 0 };
  const parent = await head(peerStore);
  const verifyStart = process.cpuUsage();
  const verified = await peer.verifyBlock(parent, decodeBlock(block.serialize(), common));
  const verify = cpuMicros(verifyStart);
  if (bytesToHex(verified.block.hash()) !== bytesToHex(block.hash())) throw new Error("the peer's block differs");
  const commitStart = process.cpuUsage();
  await peerStore.commitBlock(verified);
  return { verify, commit: cpuMicros(commitStart) };
}

/** CPU of the whole process (every thread) since `start`, in microseconds. */
function cpuMicros(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function commitNext(txs: PendingTransaction[]): Promise<Block> {
  const parent = await head();
  const built = await executor.buildBlock(parent, txs, { coinbase: accounts[0].address, timestamp: parent.header.timestamp + 1n });
  if (built.skipped.length > 0) throw new Error(`setup transaction skipped: ${built.skipped[0].error}`);
  await store.commitBlock(built);
  await peerFollows(built.block);
  return built.block;
}

/** Deploys ConcordToken with a balance for every dev account; returns its address. */
async function deployToken(): Promise<Hex> {
  const artifact = JSON.parse(readFileSync(new URL("../artifacts/contracts/governance/ConcordToken.sol/ConcordToken.json", import.meta.url), "utf8"));
  const data = (artifact.bytecode as string) + new Interface(artifact.abi).encodeDeploy([accounts.map((a) => a.address), accounts.map(() => 10n ** 24n)]).slice(2);
  const deployment = sign(accounts[0], { data: data as Hex, gasLimit: 10_000_000n });
  const block = await commitNext([deployment]);
  const receipts = (await store.getReceipts(block.hash()))!;
  if (receipts[0].status !== 1 || receipts[0].contractAddress === undefined) throw new Error("token deployment failed");
  return bytesToHex(receipts[0].contractAddress) as Hex;
}

interface Sample {
  build: number;
  verify: number;
  commit: number;
}

async function measure(name: string, makeTxs: () => PendingTransaction[]): Promise<void> {
  const parent = await head();
  const txs = makeTxs();
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    const built = await executor.buildBlock(parent, txs, { coinbase: accounts[0].address, timestamp: parent.header.timestamp + 1n });
    const build = performance.now() - start;
    if (built.block.transactions.length !== txs.length) throw new Error(`${name}: ${built.skipped.length} transactions skipped (${built.skipped[0]?.error})`);
    const received = decodeBlock(built.block.serialize(), common);
    start = performance.now();
    const verified = await verifier.verifyBlock(parent, received);
    const verify = performance.now() - start;
    if (bytesToHex(verified.block.header.stateRoot) !== bytesToHex(built.block.header.stateRoot)) throw new Error("roots differ");
    // Commit only in the last run, so every run builds on the same parent.
    let commit = Number.NaN;
    if (run === RUNS - 1) {
      start = performance.now();
      await store.commitBlock(built);
      commit = performance.now() - start;
    }
    samples.push({ build, verify, commit });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const build = median(samples.map((s) => s.build));
  const verify = median(samples.map((s) => s.verify));
  const commit = samples[samples.length - 1].commit;
  console.log(
    `${name.padEnd(16)} build ${fmt((txs.length / build) * 1000)} tx/s (${build.toFixed(0)} ms)   ` +
      `verify ${fmt((txs.length / verify) * 1000)} tx/s (${verify.toFixed(0)} ms)   commit ${commit.toFixed(0)} ms`,
  );
}

/**
 * `blocks` consecutive blocks, each built on the last, committed, and followed by the peer; prints the
 * mean wall time per block and the CPU per transaction of each step, and the floor they put under a
 * network of `VALIDATORS` (one builds and stores, every other verifies and stores).
 */
async function measureChain(name: string, blocks: number, makeTxs: () => PendingTransaction[]): Promise<void> {
  const batches = Array.from({ length: blocks }, makeTxs); // signed off the clock
  const wall = { build: 0, commit: 0 };
  const cpu = { build: 0, commit: 0, verify: 0, peerCommit: 0 };
  for (const txs of batches) {
    const parent = await head();
    let start = performance.now();
    let cpuStart = process.cpuUsage();
    const built = await executor.buildBlock(parent, txs, { coinbase: accounts[0].address, timestamp: parent.header.timestamp + 1n });
    wall.build += performance.now() - start;
    cpu.build += cpuMicros(cpuStart);
    if (built.block.transactions.length !== txs.length) throw new Error(`${name}: ${built.skipped.length} transactions skipped (${built.skipped[0]?.error})`);
    start = performance.now();
    cpuStart = process.cpuUsage();
    await store.commitBlock(built);
    wall.commit += performance.now() - start;
    cpu.commit += cpuMicros(cpuStart);
    const followed = await peerFollows(built.block);
    cpu.verify += followed.verify;
    cpu.peerCommit += followed.commit;
  }
  const perTx = (micros: number) => (micros / blocks / TXS).toFixed(0).padStart(4);
  console.log(
    `${name.padEnd(16)} build ${(wall.build / blocks).toFixed(2)} ms/block, ${perTx(cpu.build)} us CPU/tx   commit ${(wall.commit / blocks).toFixed(2)} ms/block, ${perTx(cpu.commit)} us CPU/tx   ` +
      `peer: verify ${perTx(cpu.verify)} us CPU/tx, commit ${perTx(cpu.peerCommit)} us CPU/tx   (blocks on their parent's state: ${executor.stateReuse.warm} built, ${peer?.stateReuse.warm} verified)`,
  );
  const floor = (cpu.build + cpu.commit + (VALIDATORS - 1) * (cpu.verify + cpu.peerCommit)) / blocks / TXS;
  const cores = availableParallelism();
  console.log(
    `${"".padEnd(16)} ${VALIDATORS} validators execute and store each one with ${floor.toFixed(0)} us of CPU: at most ${((cores * 1e6) / floor).toFixed(0)} tx/s on ` +
      `this machine's ${cores} cores, before any consensus message, RPC request, gossip or client`,
  );
}

function fmt(value: number): string {
  return value.toFixed(0).padStart(6);
}

try {
  const token = await deployToken();
  const erc20 = new Interface(["function transfer(address to, uint256 amount) returns (bool)"]);
  let nextRecipient = 0;
  const recipient = (i: number) => `0x${(0x10000 + i).toString(16).padStart(40, "0")}` as Hex;
  const transfers = () => Array.from({ length: TXS }, (_, i) => sign(accounts[i % 20], { to: recipient(nextRecipient++), value: 1n }));
  const tokenTransfers = () =>
    Array.from({ length: TXS }, (_, i) =>
      sign(accounts[i % 20], { to: token, gasLimit: 100_000n, data: erc20.encodeFunctionData("transfer", [recipient(nextRecipient++), 1n]) as Hex }),
    );
  const store_ = args.memory ? "in-memory store" : `LevelDB store, ${args.fsync ? "fsync per batch" : "no fsync, as on a devnet"}`;
  if (CHAIN !== undefined) {
    console.log(`${CHAIN} consecutive blocks of ${TXS} transactions, each committed (${store_}); means`);
    await measureChain("ETH transfers", CHAIN, transfers);
    await measureChain("ERC20 transfers", CHAIN, tokenTransfers);
  } else {
    console.log(`${TXS} transactions per block (gas limit ${GAS_LIMIT}), ${RUNS} runs, ${store_}; median`);
    await measure("ETH transfers", transfers);
    await measure("ERC20 transfers", tokenTransfers);
  }
  const state = await executor.openState((await head()).header.stateRoot);
  if ((await state.stateManager.getAccount(createAddressFromString(recipient(0))))?.balance !== 1n) throw new Error("transfer did not land");
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
