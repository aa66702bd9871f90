import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import type { Interface } from "ethers";
import { expectRevert } from "../helpers/errors.ts";
import { connect, DAY, ETHER, deployStandardRegistry, signerAddress, signerConsent } from "./fixture.ts";

describe("ValidatorRegistry reentrancy: a malicious operator contract", async () => {
  const { ethers, networkHelpers } = await network.create();
  const ATTACKER_SIGNER = signerAddress(66);
  const SECOND_SIGNER = signerAddress(67);

  async function attackerFixture() {
    const base = await deployStandardRegistry(ethers, networkHelpers);
    const { registry, system } = base;
    const attacker = await ethers.deployContract("ReentrantOperator", [await registry.getAddress()]);
    const attackerAddress = await attacker.getAddress();
    for (const signer of [ATTACKER_SIGNER, SECOND_SIGNER]) {
      await attacker.register(signer, await signerConsent(registry, signer, attackerAddress), { value: 100n * ETHER });
    }
    await attacker.requestUnbond(ATTACKER_SIGNER, 100n * ETHER); // request 1
    await connect(registry, system).distributeReward(ATTACKER_SIGNER, { value: 5n * ETHER });
    await networkHelpers.time.increase(7n * DAY);
    return { ...base, attacker };
  }

  function reentryErrorName(registryInterface: Interface, data: string): string | undefined {
    return registryInterface.parseError(data)?.name;
  }

  it("re-entering withdraw from receive is refused, so the whole withdrawal reverts when the attacker propagates", async () => {
    const { registry, attacker } = await networkHelpers.loadFixture(attackerFixture);
    const registryAddress = await registry.getAddress();
    const balanceBefore = await ethers.provider.getBalance(registryAddress);
    await attacker.arm(registry.interface.encodeFunctionData("withdraw", [1n]), true);
    await expectRevert(attacker.withdraw(1n), registry, "ReentrancyGuardReentrantCall", []);
    assert.equal(await ethers.provider.getBalance(registryAddress), balanceBefore);
    assert.equal((await registry.unbondingRequest(1n)).amount, 100n * ETHER);
  });

  it("a swallowed re-entry into withdraw pays the request exactly once", async () => {
    const { registry, attacker } = await networkHelpers.loadFixture(attackerFixture);
    const registryAddress = await registry.getAddress();
    const balanceBefore = await ethers.provider.getBalance(registryAddress);
    await attacker.arm(registry.interface.encodeFunctionData("withdraw", [1n]), false);
    await attacker.withdraw(1n);
    assert.equal(await attacker.reentryAttempts(), 1n);
    assert.equal(await attacker.lastReentrySucceeded(), false);
    assert.equal(reentryErrorName(registry.interface, await attacker.lastReentryError()), "ReentrancyGuardReentrantCall");
    assert.equal(await attacker.totalReceived(), 100n * ETHER);
    assert.equal(await ethers.provider.getBalance(registryAddress), balanceBefore - 100n * ETHER);
    await expectRevert(attacker.withdraw(1n), registry, "ValidatorRegistryUnknownUnbondingRequest", [1n]);
  });

  it("a re-entry into claimRewards from a rewards payment pays the rewards exactly once", async () => {
    const { registry, attacker } = await networkHelpers.loadFixture(attackerFixture);
    await attacker.arm(registry.interface.encodeFunctionData("claimRewards", [ATTACKER_SIGNER]), false);
    await attacker.claimRewards(ATTACKER_SIGNER);
    assert.equal(reentryErrorName(registry.interface, await attacker.lastReentryError()), "ReentrancyGuardReentrantCall");
    assert.equal(await attacker.totalReceived(), 5n * ETHER);
    assert.equal((await registry.validatorBySigner(ATTACKER_SIGNER)).rewards, 0n);
  });

  it("cross-function re-entry (claimRewards, requestUnbond) during a withdrawal is refused", async () => {
    const { registry, attacker } = await networkHelpers.loadFixture(attackerFixture);
    for (const call of [
      registry.interface.encodeFunctionData("claimRewards", [ATTACKER_SIGNER]),
      registry.interface.encodeFunctionData("requestUnbond", [SECOND_SIGNER, 50n * ETHER]),
    ]) {
      const snapshot = await networkHelpers.takeSnapshot();
      await attacker.arm(call, true);
      await expectRevert(attacker.withdraw(1n), registry, "ReentrancyGuardReentrantCall", []);
      await snapshot.restore();
    }
    assert.equal((await registry.validatorBySigner(ATTACKER_SIGNER)).rewards, 5n * ETHER);
    assert.equal((await registry.validatorBySigner(SECOND_SIGNER)).stake, 100n * ETHER);
  });

  it("an operator contract that rejects payments cannot withdraw, and its funds stay owed", async () => {
    const { registry, attacker } = await networkHelpers.loadFixture(attackerFixture);
    // Re-entering with calldata the registry does not know makes receive revert without data.
    await attacker.arm("0xdeadbeef", true);
    await expectRevert(attacker.withdraw(1n), registry, "FailedCall", []);
    assert.equal((await registry.validatorBySigner(ATTACKER_SIGNER)).unbonding, 100n * ETHER);
  });
});
