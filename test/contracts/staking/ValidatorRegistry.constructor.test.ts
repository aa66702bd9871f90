import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  ConfigParameter,
  DEFAULT_CONFIG,
  ETHER,
  SYSTEM_CALLER,
  activeSet,
  deployRegistry,
  signerAddress,
  type InitialValidator,
  type RegistryConfig,
} from "./fixture.ts";

describe("ValidatorRegistry constructor (genesis)", async () => {
  const { ethers } = await network.create();
  const [, a, b, c] = await ethers.getSigners();
  const iface = (await ethers.getContractFactory("ValidatorRegistry")).interface;

  const genesis: InitialValidator[] = [
    { operator: a!.address, signer: signerAddress(1), stake: 150n * ETHER },
    { operator: b!.address, signer: signerAddress(2), stake: 400n * ETHER },
    { operator: c!.address, signer: signerAddress(3), stake: 150n * ETHER },
  ];

  it("makes the initial validators the epoch-0 active set, ordered by stake desc then signer asc", async () => {
    const registry = await deployRegistry(ethers, genesis);
    assert.equal(await registry.currentEpoch(), 0n);
    assert.deepEqual(await activeSet(registry), [
      [signerAddress(2), signerAddress(1), signerAddress(3)],
      [400n * ETHER, 150n * ETHER, 150n * ETHER],
    ]);
  });

  it("holds exactly the initial stake and records each validator's operator and stake", async () => {
    const registry = await deployRegistry(ethers, genesis);
    assert.equal(await ethers.provider.getBalance(await registry.getAddress()), 700n * ETHER);
    const v = await registry.validatorBySigner(signerAddress(2));
    assert.equal(v.operator, b!.address);
    assert.equal(v.signer, signerAddress(2));
    assert.equal(v.stake, 400n * ETHER);
    assert.equal(v.jailed, false);
    assert.equal(v.jailedUntil, 0n);
    assert.equal(v.registered, true);
    assert.equal(v.unbonding, 0n);
    assert.equal(v.rewards, 0n);
    assert.deepEqual([...(await registry.registeredValidators())], genesis.map((g) => g.signer));
  });

  it("exposes the configuration and the system caller", async () => {
    const registry = await deployRegistry(ethers, genesis);
    const config = await registry.config();
    assert.equal(config.minSelfStake, DEFAULT_CONFIG.minSelfStake);
    assert.equal(config.unbondingPeriod, DEFAULT_CONFIG.unbondingPeriod);
    assert.equal(config.epochLength, DEFAULT_CONFIG.epochLength);
    assert.equal(config.maxValidators, DEFAULT_CONFIG.maxValidators);
    assert.equal(config.slashFractionBps, DEFAULT_CONFIG.slashFractionBps);
    assert.equal(config.jailDuration, DEFAULT_CONFIG.jailDuration);
    assert.equal((await registry.systemCaller()).toLowerCase(), SYSTEM_CALLER);
  });

  it("emits ValidatorRegistered per validator and ValidatorSetUpdated for epoch 0", async () => {
    const registry = await deployRegistry(ethers, genesis);
    const deployment = registry.deploymentTransaction();
    assert.ok(deployment !== null);
    const receipt = await deployment.wait();
    assert.ok(receipt !== null);
    // The deployment receipt's logs come from the new contract's address.
    await expectEvent(receipt, registry, "ValidatorRegistered", [signerAddress(1), a!.address, 150n * ETHER]);
    await expectEvent(receipt, registry, "ValidatorSetUpdated", [
      0n,
      [signerAddress(2), signerAddress(1), signerAddress(3)],
      [400n * ETHER, 150n * ETHER, 150n * ETHER],
    ]);
  });

  it("takes only the top maxValidators into the epoch-0 set", async () => {
    const registry = await deployRegistry(ethers, genesis, { ...DEFAULT_CONFIG, maxValidators: 2n });
    assert.deepEqual(await activeSet(registry), [
      [signerAddress(2), signerAddress(1)],
      [400n * ETHER, 150n * ETHER],
    ]);
  });

  it("rejects msg.value below the sum of the initial stakes", async () => {
    await expectRevert(deployRegistry(ethers, genesis, DEFAULT_CONFIG, 700n * ETHER - 1n), iface, "ValidatorRegistryInitialStakeMismatch", [
      700n * ETHER,
      700n * ETHER - 1n,
    ]);
  });

  it("rejects msg.value above the sum of the initial stakes", async () => {
    await expectRevert(deployRegistry(ethers, genesis, DEFAULT_CONFIG, 701n * ETHER), iface, "ValidatorRegistryInitialStakeMismatch", [
      700n * ETHER,
      701n * ETHER,
    ]);
  });

  it("rejects a duplicate signer", async () => {
    const duplicated = [...genesis, { operator: c!.address, signer: signerAddress(1), stake: 100n * ETHER }];
    await expectRevert(deployRegistry(ethers, duplicated), iface, "ValidatorRegistrySignerAlreadyRegistered", [signerAddress(1)]);
  });

  it("rejects a zero signer", async () => {
    const zeroSigner = [{ operator: a!.address, signer: ethers.ZeroAddress, stake: 100n * ETHER }];
    await expectRevert(deployRegistry(ethers, zeroSigner), iface, "ValidatorRegistryInvalidSigner", [ethers.ZeroAddress]);
  });

  it("rejects a zero operator", async () => {
    const zeroOperator = [{ operator: ethers.ZeroAddress, signer: signerAddress(1), stake: 100n * ETHER }];
    await expectRevert(deployRegistry(ethers, zeroOperator), iface, "ValidatorRegistryInvalidOperator", [ethers.ZeroAddress]);
  });

  it("rejects an initial stake below the minimum self-stake", async () => {
    const low = [{ operator: a!.address, signer: signerAddress(1), stake: 100n * ETHER - 1n }];
    await expectRevert(deployRegistry(ethers, low), iface, "ValidatorRegistryStakeBelowMinimum", [100n * ETHER - 1n, 100n * ETHER]);
  });

  it("rejects an empty genesis validator list", async () => {
    await expectRevert(deployRegistry(ethers, []), iface, "ValidatorRegistryNoInitialValidators", []);
  });

  it("rejects more initial validators than the registry cap", async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ operator: a!.address, signer: signerAddress(i + 1), stake: 1n }));
    await expectRevert(
      deployRegistry(ethers, tooMany, { ...DEFAULT_CONFIG, minSelfStake: 1n }),
      iface,
      "ValidatorRegistryTooManyValidators",
      [100n],
    );
  });

  it("rejects the zero address as system caller", async () => {
    await expectRevert(
      deployRegistry(ethers, genesis, DEFAULT_CONFIG, 700n * ETHER, ethers.ZeroAddress),
      iface,
      "ValidatorRegistryInvalidSystemCaller",
      [ethers.ZeroAddress],
    );
  });

  const badConfigs: [string, Partial<RegistryConfig>, bigint][] = [
    ["a zero minimum self-stake", { minSelfStake: 0n }, ConfigParameter.MinSelfStake],
    ["a zero unbonding period", { unbondingPeriod: 0n }, ConfigParameter.UnbondingPeriod],
    ["a zero epoch length", { epochLength: 0n }, ConfigParameter.EpochLength],
    // An epoch of 3600 blocks lasts at least 3600 s: stake could finish unbonding while still in the set.
    ["an epoch as long as the unbonding period", { epochLength: 3600n, unbondingPeriod: 3600n }, ConfigParameter.UnbondingPeriod],
    ["an epoch longer than the unbonding period", { epochLength: 10_000n, unbondingPeriod: 3600n }, ConfigParameter.UnbondingPeriod],
    ["zero active seats", { maxValidators: 0n }, ConfigParameter.MaxValidators],
    ["more active seats than the registry cap", { maxValidators: 101n }, ConfigParameter.MaxValidators],
    ["a slash fraction above 100%", { slashFractionBps: 10_001n }, ConfigParameter.SlashFractionBps],
    ["a zero jail duration", { jailDuration: 0n }, ConfigParameter.JailDuration],
  ];
  for (const [what, override, parameter] of badConfigs) {
    it(`rejects ${what}`, async () => {
      await expectRevert(deployRegistry(ethers, genesis, { ...DEFAULT_CONFIG, ...override }), iface, "ValidatorRegistryInvalidConfig", [
        parameter,
      ]);
    });
  }

  it("accepts the boundary configuration: 100 seats and a 100% slash", async () => {
    const registry = await deployRegistry(ethers, genesis, { ...DEFAULT_CONFIG, maxValidators: 100n, slashFractionBps: 10_000n });
    const config = await registry.config();
    assert.equal(config.maxValidators, 100n);
    assert.equal(config.slashFractionBps, 10_000n);
  });
});
