import { test } from "node:test";
import assert from "node:assert/strict";
import { Block, createBlockHeader, type HeaderData } from "@ethereumjs/block";
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { KECCAK256_RLP, ValueEncoding, bytesToHex, createAccountFromRLP, createAddressFromString, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { BranchMPTNode, ExtensionMPTNode, MerklePatriciaTrie } from "@ethereumjs/mpt";
import { StateNodeDb } from "../../../chain/execution/stateNodeDb.ts";
import { BlockVerificationError, BlockVerificationErrorCode } from "../../../chain/execution/errors.ts";
import { openStateReader } from "../../../chain/execution/executionState.ts";
import { SYSTEM_ADDRESS } from "../../../chain/execution/systemCalls.ts";
import { StakingState } from "../../../chain/execution/stakingState.ts";
import type { BuiltBlock, PendingTransaction } from "../../../chain/execution/blockExecutor.ts";
import { ETHER, executionFixture, type ExecutionFixture } from "./fixture.ts";
import type { Hex } from "../../../chain/types.ts";

/** Runtime code that emits LOG1(topic 0x…01) with empty data. */
const LOGGER = "0x0000000000000000000000000000000000004000" as Hex;
const LOGGER_CODE = hexToBytes("0x600160006000a100");

async function fixture(): Promise<ExecutionFixture> {
  return executionFixture({ alloc: { [LOGGER]: { code: LOGGER_CODE } } });
}

/** Transfers from the first `senders` dev accounts, `perSender` each, plus one call to the logger. */
function transfers(f: ExecutionFixture, senders: number, perSender: number): PendingTransaction[] {
  const txs: PendingTransaction[] = [];
  for (let n = 0; n < perSender; n++) {
    for (let s = 0; s < senders; s++) {
      txs.push(f.sign(f.accounts[s], { nonce: BigInt(n), to: f.accounts[19 - s].address, value: 1000n + BigInt(n) }));
    }
  }
  txs.push(f.sign(f.accounts[0], { nonce: BigInt(perSender), to: LOGGER, gasLimit: 50_000n }));
  return txs;
}

async function build(f: ExecutionFixture, txs: PendingTransaction[], coinbase: Hex = f.validators[0].address): Promise<BuiltBlock> {
  return f.executor.buildBlock(f.genesis, txs, { coinbase, timestamp: f.genesis.header.timestamp + 12n });
}

function rebuild(f: ExecutionFixture, block: Block, changes: HeaderData, transactions: TypedTransaction[] = block.transactions): Block {
  const header = createBlockHeader({ ...(block.header.toJSON() as HeaderData), ...changes }, { common: f.common });
  return new Block(header, transactions, [], [], { common: f.common });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<BlockVerificationError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return error instanceof BlockVerificationError && error.code === code;
  });
  return caught as BlockVerificationError;
}

test("a built block verifies on another executor with identical roots and receipts, and either's writes complete the state", async () => {
  const f = await fixture();
  const built = await build(f, transfers(f, 5, 6));
  assert.equal(built.block.transactions.length, 31);
  assert.deepEqual(built.skipped, []);
  const other = await fixture();
  const verified = await other.executor.verifyBlock(f.genesis, built.block);
  assert.equal(bytesToHex(verified.block.header.stateRoot), bytesToHex(built.block.header.stateRoot));
  assert.deepEqual(verified.receipts, built.receipts);
  assert.deepEqual(verified.senders, built.senders);
  // The two write sets may differ only by nodes the parent state already holds: ethereumjs writes
  // back nodes it read from the store during the block, and which reads reach the store depends on
  // the process's decoded-node cache (trieNodeCache.ts). What must hold: committing either set makes
  // the whole new state readable from the store alone.
  for (const [key, value] of [...built.stateNodes, ...verified.stateNodes]) {
    if (built.stateNodes.has(key) && verified.stateNodes.has(key)) continue;
    assert.deepEqual(await f.store.getStateNode(key), value, `node ${key} written by only one side is not in the parent state`);
  }
  await f.commit(built);
  await other.commit(verified);
  for (const store of [f.store, other.store]) {
    assert.ok((await storedStateNodes(store, built.block.header.stateRoot)) > 0);
  }
  assert.equal(built.receipts[30].logs.length, 1);
  assert.equal(built.block.header.gasUsed, built.receipts[30].cumulativeGasUsed);
});

/** Walks the account trie and every storage trie from `stateRoot` without any cache; throws on a missing node. */
async function storedStateNodes(store: ExecutionFixture["store"], stateRoot: Uint8Array): Promise<number> {
  let nodes = 0;
  async function walk(root: Uint8Array, onLeaf: (value: Uint8Array) => void): Promise<void> {
    const trie = new MerklePatriciaTrie({ db: new StateNodeDb(store), useKeyHashing: true, valueEncoding: ValueEncoding.Bytes, root });
    const visit = async (ref: Uint8Array | Uint8Array[]): Promise<void> => {
      const node = await trie.lookupNode(ref); // throws "Missing node in DB"
      nodes++;
      if (node instanceof BranchMPTNode) {
        for (const [, child] of node.getChildren()) await visit(child as Uint8Array | Uint8Array[]);
      } else if (node instanceof ExtensionMPTNode) {
        await visit(node.value());
      } else {
        onLeaf(node.value());
      }
    };
    await visit(root);
  }
  const accounts: Uint8Array[] = [];
  await walk(stateRoot, (value) => accounts.push(value));
  for (const raw of accounts) {
    const { storageRoot } = createAccountFromRLP(raw);
    if (!equalsBytes(storageRoot, KECCAK256_RLP)) await walk(storageRoot, () => {});
  }
  return nodes;
}

test("an empty block verifies and has the empty tries' roots", async () => {
  const f = await fixture();
  const built = await build(f, []);
  assert.equal(bytesToHex(built.block.header.transactionsTrie), bytesToHex(KECCAK256_RLP));
  assert.equal(bytesToHex(built.block.header.receiptTrie), bytesToHex(KECCAK256_RLP));
  assert.equal(bytesToHex(built.block.header.stateRoot), bytesToHex(f.genesis.header.stateRoot));
  await f.executor.verifyBlock(f.genesis, built.block);
});

test("the base fee is burned and the priority fee goes to the block's coinbase", async () => {
  const f = await fixture();
  const coinbase = "0x00000000000000000000000000000000c0ffee00" as Hex;
  const [sender, recipient] = [f.accounts[3], f.accounts[4]];
  const tip = 2n * 10n ** 9n;
  const tx = f.sign(sender, { nonce: 0n, to: recipient.address, value: ETHER, maxPriorityFeePerGas: tip, maxFeePerGas: 100n * 10n ** 9n });
  const built = await build(f, [tx], coinbase);
  await f.commit(built);
  const baseFee = built.block.header.baseFeePerGas!;
  assert.equal(baseFee, f.genesis.header.calcNextBaseFee());
  const state = openStateReader(f.common, f.store, built.block.header.stateRoot);
  const balance = async (address: Hex) => (await state.getAccount(createAddressFromString(address)))?.balance ?? 0n;
  assert.equal(await balance(coinbase), 21_000n * tip);
  assert.equal(await balance(sender.address), 10_000n * ETHER - ETHER - 21_000n * (baseFee + tip));
  assert.equal(await balance(recipient.address), 10_001n * ETHER);
  assert.equal(built.receipts[0].effectiveGasPrice, baseFee + tip);
});

test("building skips what cannot run (nonce gap, fee below base fee, no gas left) and reports why", async () => {
  const f = await fixture();
  const big = f.sign(f.accounts[0], { nonce: 0n, to: f.accounts[1].address });
  // 21000 gas are used: a gas limit above the 29,979,000 left cannot be included any more.
  const noRoom = f.sign(f.accounts[2], { nonce: 0n, to: f.accounts[1].address, gasLimit: 29_990_000n });
  const gap = f.sign(f.accounts[3], { nonce: 5n, to: f.accounts[1].address });
  const cheap = f.sign(f.accounts[4], { nonce: 0n, to: f.accounts[1].address, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n });
  const built = await build(f, [big, noRoom, gap, cheap]);
  assert.equal(built.block.transactions.length, 1);
  assert.deepEqual(
    built.skipped.map((s) => [s.hash, s.reason]),
    [
      [bytesToHex(noRoom.tx.hash()), "blockFull"],
      [bytesToHex(gap.tx.hash()), "invalid"],
      [bytesToHex(cheap.tx.hash()), "invalid"],
    ],
  );
});

test("verifyBlock rejects a block whose header claims another state root", async () => {
  const f = await fixture();
  const { block } = await build(f, transfers(f, 2, 2));
  const tampered = rebuild(f, block, { stateRoot: new Uint8Array(32).fill(7) });
  const error = await rejectsWith(f.executor.verifyBlock(f.genesis, tampered), BlockVerificationErrorCode.StateRootMismatch);
  assert.equal(error.data.actual, bytesToHex(block.header.stateRoot));
});

test("verifyBlock rejects a wrong receipts root, logs bloom and gas used", async () => {
  const f = await fixture();
  const { block } = await build(f, transfers(f, 2, 2));
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { receiptTrie: new Uint8Array(32) })), BlockVerificationErrorCode.ReceiptsRootMismatch);
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { logsBloom: new Uint8Array(256) })), BlockVerificationErrorCode.LogsBloomMismatch);
  const error = await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { gasUsed: block.header.gasUsed + 1n })), BlockVerificationErrorCode.GasUsedMismatch);
  assert.deepEqual(error.data, { expected: String(block.header.gasUsed + 1n), actual: String(block.header.gasUsed) });
});

test("verifyBlock rejects swapped transactions: under the old root, and re-rooted when the order is not executable", async () => {
  const f = await fixture();
  const first = f.sign(f.accounts[0], { nonce: 0n, to: f.accounts[1].address });
  const second = f.sign(f.accounts[0], { nonce: 1n, to: f.accounts[1].address });
  const { block } = await build(f, [first, second]);
  const swapped = [block.transactions[1], block.transactions[0]];
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, {}, swapped)), BlockVerificationErrorCode.InvalidTransactionsRoot);
  // A proposer that also recomputes the transactions root still cannot make nonce 1 run before nonce 0.
  const withRoot = rebuild(f, block, { transactionsTrie: await txRoot(f, swapped) }, swapped);
  const error = await rejectsWith(f.executor.verifyBlock(f.genesis, withRoot), BlockVerificationErrorCode.TransactionFailed);
  assert.equal(error.data.transactionIndex, 0);
});

test("verifyBlock rejects a transaction whose signature recovers no key as INVALID_SIGNATURE", async () => {
  const f = await fixture();
  const { block } = await build(f, transfers(f, 1, 1));
  const original = block.transactions[0];
  // r = 0 is no point on the curve: decoding accepts it, recovery cannot.
  const forged = createTx({ ...original.toJSON(), type: original.type, r: 0n }, { common: f.common });
  const transactions = [forged, ...block.transactions.slice(1)];
  const tampered = rebuild(f, block, { transactionsTrie: await txRoot(f, transactions) }, transactions);
  const error = await rejectsWith(f.executor.verifyBlock(f.genesis, tampered), BlockVerificationErrorCode.InvalidSignature);
  assert.equal(error.data.transactionIndex, 0);
});

test("verifyBlock checks the header against the parent: parent, timestamp, base fee, prevRandao, gas limit", async () => {
  const f = await fixture();
  const { block } = await build(f, []);
  const parentTimestamp = f.genesis.header.timestamp;
  await rejectsWith(f.executor.verifyBlock(block, block), BlockVerificationErrorCode.InvalidParent);
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { timestamp: parentTimestamp })), BlockVerificationErrorCode.InvalidTimestamp);
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { baseFeePerGas: 7n })), BlockVerificationErrorCode.InvalidBaseFee);
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { mixHash: new Uint8Array(32) })), BlockVerificationErrorCode.InvalidHeaderField);
  await rejectsWith(f.executor.verifyBlock(f.genesis, rebuild(f, block, { gasLimit: 40_000_000n })), BlockVerificationErrorCode.InvalidGasLimit);
});

test("the gas limit moves towards a target by less than parent/1024 per block", async () => {
  const f = await fixture();
  const built = await f.executor.buildBlock(f.genesis, [], { coinbase: f.validators[0].address, timestamp: 1n, targetGasLimit: 60_000_000n });
  assert.equal(built.block.header.gasLimit, 30_000_000n + 30_000_000n / 1024n - 1n);
  await f.executor.verifyBlock(f.genesis, built.block);
});

test("the first block of an epoch calls advanceEpoch from the system address, without touching that account", async () => {
  const f = await executionFixture({ staking: true, epochLength: 2n });
  const staking = new StakingState(f.executor);
  let parent = f.genesis;
  for (let n = 1n; n <= 2n; n++) {
    const built = await f.executor.buildBlock(parent, [], { coinbase: f.validators[0].address, timestamp: parent.header.timestamp + 1n });
    await f.executor.verifyBlock(parent, built.block);
    await f.commit(built);
    assert.equal(await staking.currentEpoch(built.block.header), n === 2n ? 1n : 0n);
    parent = built.block;
  }
  const state = openStateReader(f.common, f.store, parent.header.stateRoot);
  assert.equal(await state.getAccount(createAddressFromString(SYSTEM_ADDRESS)), undefined);
});

async function txRoot(f: ExecutionFixture, transactions: TypedTransaction[]): Promise<Uint8Array> {
  return new Block(f.genesis.header, transactions, [], [], { common: f.common }).genTxTrie();
}

test("a block runs on the state its parent's run left behind, and a sibling of that parent on a fresh one", async () => {
  const f = await fixture();
  const [alice, bob, carol] = f.accounts;
  const first = await build(f, [f.sign(alice, { nonce: 0n, to: bob.address, value: 5n })]);
  await f.commit(first);
  // A sibling of `first` (same parent, another transfer) after it: the warm state is `first`'s, not genesis'.
  const sibling = await build(f, [f.sign(alice, { nonce: 0n, to: carol.address, value: 7n })]);
  assert.deepEqual(f.executor.stateReuse, { warm: 0, fresh: 2 });
  const fresh = await fixture();
  const freshSibling = await build(fresh, [fresh.sign(alice, { nonce: 0n, to: carol.address, value: 7n })]);
  assert.equal(bytesToHex(sibling.block.header.stateRoot), bytesToHex(freshSibling.block.header.stateRoot));

  // The child of `first` reuses nothing (the last run was the sibling); its child reuses the child's state.
  const timestamp = (parent: Block) => ({ coinbase: f.validators[0].address, timestamp: parent.header.timestamp + 12n });
  const child = await f.executor.buildBlock(first.block, [f.sign(alice, { nonce: 1n, to: bob.address, value: 11n })], timestamp(first.block));
  await f.commit(child);
  const grandchild = await f.executor.buildBlock(child.block, [f.sign(bob, { nonce: 0n, to: carol.address, value: 1n })], timestamp(child.block));
  assert.deepEqual(f.executor.stateReuse, { warm: 1, fresh: 3 });
  // Its writes hold only its own nodes, and they complete the state on top of what is committed.
  for (const key of grandchild.stateNodes.keys()) assert.equal(await f.store.getStateNode(key), undefined, `node ${key} was already committed`);
  await f.commit(grandchild);
  const state = openStateReader(f.common, f.store, grandchild.block.header.stateRoot);
  assert.equal((await state.getAccount(createAddressFromString(carol.address)))!.balance, ETHER * 10_000n + 1n);
  assert.equal((await state.getAccount(createAddressFromString(bob.address)))!.balance, ETHER * 10_000n + 5n + 11n - 1n - 21_000n * grandchild.block.header.baseFeePerGas! - 21_000n * 10n ** 9n);

  // A peer verifying the same chain from fresh states computes the same roots.
  const peer = await fixture();
  await peer.commit(await peer.executor.verifyBlock(peer.genesis, first.block));
  await peer.commit(await peer.executor.verifyBlock(first.block, child.block));
  const verified = await peer.executor.verifyBlock(child.block, grandchild.block);
  assert.equal(bytesToHex(verified.block.header.stateRoot), bytesToHex(grandchild.block.header.stateRoot));
  assert.deepEqual(peer.executor.stateReuse, { warm: 2, fresh: 1 });
});

test("cachedAccount answers from the last run's state only at its root, only cached accounts, never during a run", async () => {
  const f = await fixture();
  const [alice, bob, carol] = f.accounts;
  assert.equal(f.executor.cachedAccount(f.genesis.header.stateRoot, createAddressFromString(alice.address)), undefined, "no run yet");
  const first = await build(f, [f.sign(alice, { nonce: 0n, to: bob.address, value: 5n })]);
  const root = first.block.header.stateRoot;
  const reader = openStateReader(f.common, { getStateNode: async (key) => first.stateNodes.get(key) ?? (await f.store.getStateNode(key)) }, root);
  for (const who of [alice, bob]) {
    const at = createAddressFromString(who.address);
    const cached = f.executor.cachedAccount(root, at);
    assert.ok(cached !== undefined, `${who.address} is cached`);
    assert.equal(bytesToHex(cached.account!.serialize()), bytesToHex((await reader.getAccount(at))!.serialize()));
    cached.account!.nonce = 99n; // a copy: the executor's state is not touched
  }
  assert.equal(f.executor.cachedAccount(root, createAddressFromString(alice.address))!.account!.nonce, 1n);
  assert.equal(f.executor.cachedAccount(root, createAddressFromString(carol.address)), undefined, "not touched by the block: not cached");
  assert.equal(f.executor.cachedAccount(f.genesis.header.stateRoot, createAddressFromString(alice.address)), undefined, "another root");

  // While the child runs, its state is in use: nothing is answered from it.
  await f.commit(first);
  const building = f.executor.buildBlock(first.block, [f.sign(alice, { nonce: 1n, to: carol.address, value: 1n })], {
    coinbase: f.validators[0].address,
    timestamp: first.block.header.timestamp + 12n,
  });
  assert.equal(f.executor.cachedAccount(root, createAddressFromString(alice.address)), undefined);
  const child = await building;
  assert.equal(f.executor.cachedAccount(child.block.header.stateRoot, createAddressFromString(alice.address))!.account!.nonce, 2n);
});
