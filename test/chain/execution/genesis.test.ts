import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { BlockExecutor } from "../../../chain/execution/blockExecutor.ts";
import { DEV_ACCOUNT_BALANCE, devAccountKeys, validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { GenesisError, createGenesis, defaultGenesisConfig, type GenesisConfig } from "../../../chain/execution/genesis.ts";
import { openStateReader } from "../../../chain/execution/executionState.ts";
import { STAKING_ADDRESS, stakingInterface } from "../../../chain/execution/staking.ts";
import { StakingState } from "../../../chain/execution/stakingState.ts";

const ETHER = 10n ** 18n;
const validators = validatorKeys(3);
const initial = validators.map((v, i) => ({ operator: v.address, signer: v.address, stake: BigInt(100 + i) * ETHER }));

function stateSource(nodes: ReadonlyMap<string, Uint8Array>) {
  return { getStateNode: async (key: string) => nodes.get(key) };
}

test("dev accounts are Hardhat's: the test mnemonic at m/44'/60'/0'/0/i", () => {
  const accounts = devAccountKeys();
  assert.equal(accounts.length, 20);
  assert.equal(accounts[0].address, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  assert.equal(bytesToHex(accounts[0].privateKey), "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  assert.equal(accounts[19].address, "0x8626f6940e2eb28930efb4cef49b2d1f2c9c1199");
});

test("validator keys come from another account index, disjoint from the dev accounts", () => {
  const dev = new Set(devAccountKeys().map((k) => k.address));
  for (const key of validatorKeys(5)) {
    assert.match(key.path, /^m\/44'\/60'\/1'\/0\/\d$/);
    assert.equal(dev.has(key.address), false);
  }
});

test("the same config gives the same genesis hash; any change gives another", async () => {
  const common = await createConcordCommon();
  const config = defaultGenesisConfig({ validators: initial, timestamp: 1_700_000_000n });
  const a = await createGenesis(config, common);
  const b = await createGenesis(defaultGenesisConfig({ validators: initial, timestamp: 1_700_000_000n }), common);
  assert.equal(bytesToHex(a.block.hash()), bytesToHex(b.block.hash()));
  const later = await createGenesis({ ...config, timestamp: 1_700_000_001n }, common);
  const otherStake = await createGenesis({ ...config, staking: { ...config.staking!, validators: initial.map((v) => ({ ...v, stake: v.stake + 1n })) } }, common);
  assert.notEqual(bytesToHex(later.block.hash()), bytesToHex(a.block.hash()));
  assert.notEqual(bytesToHex(otherStake.block.header.stateRoot), bytesToHex(a.block.header.stateRoot));
});

test("the default genesis (dev accounts only) has the same hash in every process and on every machine", async () => {
  const genesis = await createGenesis(defaultGenesisConfig(), await createConcordCommon());
  assert.equal(bytesToHex(genesis.block.header.stateRoot), "0x829ff6f5b5116bc96a7415872fed27f243e557a92cb82f69f89f20e8f8087874");
  assert.equal(bytesToHex(genesis.block.hash()), "0x4e480f60bd107008f6fd3c41fbcbf1aa07b6e9dfaa4d40b1356614afc9b1c5cf");
});

test("genesis header: number 0, the configured gas limit, timestamp and extraData, 1 gwei base fee", async () => {
  const common = await createConcordCommon();
  const extraData = new TextEncoder().encode("concord devnet");
  const { block } = await createGenesis(defaultGenesisConfig({ timestamp: 1234n, gasLimit: 60_000_000n, extraData }), common);
  assert.equal(block.header.number, 0n);
  assert.equal(block.header.gasLimit, 60_000_000n);
  assert.equal(block.header.timestamp, 1234n);
  assert.deepEqual(block.header.extraData, extraData);
  assert.equal(block.header.baseFeePerGas, 1_000_000_000n);
});

test("genesis funds the 20 dev accounts with 10000 ETH each", async () => {
  const common = await createConcordCommon();
  const genesis = await createGenesis(defaultGenesisConfig(), common);
  const state = openStateReader(common, stateSource(genesis.stateNodes), genesis.block.header.stateRoot);
  for (const { address } of devAccountKeys()) {
    const account = await state.getAccount(createAddressFromString(address));
    assert.equal(account?.balance, DEV_ACCOUNT_BALANCE);
    assert.equal(account?.nonce, 0n);
  }
});

test("the staking predeploy holds the stakes and answers getActiveValidators, config and currentEpoch", async () => {
  const common = await createConcordCommon();
  const genesis = await createGenesis(defaultGenesisConfig({ validators: initial, stakingConfig: { epochLength: 7n } }), common);
  const executor = new BlockExecutor({ common, stateNodes: stateSource(genesis.stateNodes), blockHashes: { blockHash: async () => undefined } });
  const staking = new StakingState(executor);
  const active = await staking.activeValidators(genesis.block.header);
  // Ordered by stake descending.
  assert.deepEqual(active.signers, [validators[2].address, validators[1].address, validators[0].address]);
  assert.deepEqual(active.stakes, [102n * ETHER, 101n * ETHER, 100n * ETHER]);
  assert.equal((await staking.config(genesis.block.header)).epochLength, 7n);
  assert.equal(await staking.currentEpoch(genesis.block.header), 0n);
  const record = await staking.validator(genesis.block.header, validators[0].address);
  assert.equal(record.operator, validators[0].address);
  assert.equal(record.registered, true);

  const state = openStateReader(common, stateSource(genesis.stateNodes), genesis.block.header.stateRoot);
  const account = await state.getAccount(createAddressFromString(STAKING_ADDRESS));
  assert.equal(account?.balance, 303n * ETHER);
  assert.equal(account?.nonce, 1n);
  assert.ok((await state.getCode(createAddressFromString(STAKING_ADDRESS))).length > 0);
});

test("a staking constructor revert is a GenesisError carrying the decoded custom error", async () => {
  const common = await createConcordCommon();
  const config = defaultGenesisConfig({ validators: [{ ...initial[0], stake: 1n }] });
  await assert.rejects(createGenesis(config, common), (error: unknown) => {
    assert.ok(error instanceof GenesisError);
    assert.equal(error.code, "STAKING_CONSTRUCTOR_FAILED");
    const decoded = stakingInterface().parseError(error.returnData!);
    assert.equal(decoded?.name, "ValidatorRegistryStakeBelowMinimum");
    assert.deepEqual([...decoded!.args], [1n, 100n * ETHER]);
    return true;
  });
});

test("invalid genesis configs are refused with INVALID_CONFIG", async () => {
  const common = await createConcordCommon();
  const base = defaultGenesisConfig();
  const invalid: [string, GenesisConfig][] = [
    ["chain id", { ...base, chainId: 1n }],
    ["gas limit", { ...base, gasLimit: 100n }],
    ["extraData", { ...base, extraData: new Uint8Array(33) }],
    ["alloc address", { ...base, alloc: { ["0xABC" as `0x${string}`]: { balance: 1n } } }],
    ["no validators", { ...base, staking: { config: defaultGenesisConfig({ validators: initial }).staking!.config, validators: [] } }],
  ];
  for (const [what, config] of invalid) {
    await assert.rejects(createGenesis(config, common), (error: unknown) => error instanceof GenesisError && error.code === "INVALID_CONFIG", what);
  }
});
