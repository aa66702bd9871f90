/**
 * BlockExecutor.buildEmptyBlock (what hardhat_mine makes its blocks with): the very block
 * buildBlock(parent, []) makes, without a VM when nothing can change; the full path at an epoch
 * boundary (the staking system call) and on top of pending dev-mode state changes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bytesToHex } from "@ethereumjs/util";
import { validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { call } from "../rpc/helpers/rpcClient.ts";
import { DEVNET_VALIDATOR_STAKE, startDevNode, type DevNode } from "./helpers/devNode.ts";

const EPOCH = 10n;
let devnet: DevNode;
const [validator] = validatorKeys(1);

before(async () => {
  const genesis = defaultGenesisConfig({
    validators: [{ operator: validator!.address, signer: validator!.address, stake: DEVNET_VALIDATOR_STAKE }],
    stakingConfig: { epochLength: EPOCH },
  });
  devnet = await startDevNode({ genesis });
});
after(() => devnet.close());

async function bothWays(options: { preStateRoot?: Uint8Array } = {}) {
  const { node } = devnet;
  const parent = (await node.backend.getBlockByNumber(node.backend.latestBlockNumber()))!;
  const proposal = { coinbase: validator!.address, timestamp: parent.header.timestamp + 1n, ...options };
  const fast = await node.executor.buildEmptyBlock(parent, proposal);
  const full = await node.executor.buildBlock(parent, [], proposal);
  return { parent, fast, full };
}

test("an ordinary empty block is the same block either way, on the parent's state", async () => {
  const { parent, fast, full } = await bothWays();
  assert.equal(bytesToHex(fast.block.hash()), bytesToHex(full.block.hash()));
  assert.deepEqual(fast.block.header.stateRoot, parent.header.stateRoot);
  assert.equal(fast.stateNodes.size, 0);
});

test("at an epoch boundary the staking system call runs (full path), and the blocks still agree", async () => {
  const { node } = devnet;
  const toBoundary = EPOCH - (node.backend.latestBlockNumber() % EPOCH) - 1n;
  if (toBoundary > 0n) await call(devnet.url, "hardhat_mine", [`0x${toBoundary.toString(16)}`]);
  const { parent, fast, full } = await bothWays();
  assert.equal((parent.header.number + 1n) % EPOCH, 0n);
  assert.equal(bytesToHex(fast.block.hash()), bytesToHex(full.block.hash()));
  assert.notDeepEqual(fast.block.header.stateRoot, parent.header.stateRoot, "advanceEpoch writes the staking contract's state");
});

test("on a pending state root both start from it", async () => {
  await call(devnet.url, "evm_mine"); // past the epoch boundary
  await call(devnet.url, "hardhat_setBalance", ["0x00000000000000000000000000000000000000ab", "0x10"]);
  const preStateRoot = devnet.node.dev!.pendingState.version.root!;
  const { fast, full } = await bothWays({ preStateRoot });
  assert.equal(bytesToHex(fast.block.hash()), bytesToHex(full.block.hash()));
  assert.deepEqual(fast.block.header.stateRoot, preStateRoot);
});
