import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import { connect, DAY, DEFAULT_CONFIG, ETHER, activeSet, deployRegistry, deployStandardRegistry, register, offenceHeight, signerAddress, systemCallerSigner } from "./fixture.ts";

describe("ValidatorRegistry discipline: jail, slash, unjail", async () => {
  const { ethers, networkHelpers } = await network.create();
  const standard = () => deployStandardRegistry(ethers, networkHelpers);
  const EVIDENCE = ethers.id("double-sign: height 7 round 0, two prevotes");
  const OTHER_EVIDENCE = ethers.id("double-sign: height 9 round 1, two precommits");

  async function nextTimestamp(): Promise<bigint> {
    const next = BigInt(await networkHelpers.time.latest()) + 10n;
    await networkHelpers.time.setNextBlockTimestamp(next);
    return next;
  }

  describe("jail", () => {
    it("jails the validator until the given time", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const until = BigInt(await networkHelpers.time.latest()) + 3_600n;
      const tx = await connect(registry, system).jail(signerAddress(2), until);
      await expectEvent(tx, registry, "ValidatorJailed", [signerAddress(2), until]);
      const v = await registry.validatorBySigner(signerAddress(2));
      assert.equal(v.jailed, true);
      assert.equal(v.jailedUntil, until);
    });

    it("keeps a later existing release time", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const later = BigInt(await networkHelpers.time.latest()) + 10_000n;
      await connect(registry, system).jail(signerAddress(2), later);
      const tx = await connect(registry, system).jail(signerAddress(2), later - 5_000n);
      await expectEvent(tx, registry, "ValidatorJailed", [signerAddress(2), later]);
      assert.equal((await registry.validatorBySigner(signerAddress(2))).jailedUntil, later);
    });

    it("rejects a release time that is not in the future", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const now = await nextTimestamp();
      await expectRevert(connect(registry, system).jail(signerAddress(2), now), registry, "ValidatorRegistryInvalidJailRelease", [now, now]);
    });

    it("rejects an unknown signer", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const until = BigInt(await networkHelpers.time.latest()) + 100n;
      await expectRevert(connect(registry, system).jail(signerAddress(99), until), registry, "ValidatorRegistryUnknownValidator", [signerAddress(99)]);
    });
  });

  describe("unjail", () => {
    it("before jailedUntil reverts with the release time", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      const until = BigInt(await networkHelpers.time.latest()) + 3_600n;
      await connect(registry, system).jail(signerAddress(2), until);
      await networkHelpers.time.setNextBlockTimestamp(until - 1n);
      await expectRevert(connect(registry, operators[1]!).unjail(signerAddress(2)), registry, "ValidatorRegistryStillJailed", [signerAddress(2), until]);
    });

    it("from jailedUntil lifts the jail, and the validator rejoins at the next snapshot", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      const until = BigInt(await networkHelpers.time.latest()) + 3_600n;
      await connect(registry, system).jail(signerAddress(2), until);
      await connect(registry, system).advanceEpoch();
      assert.deepEqual((await activeSet(registry))[0], [signerAddress(1), signerAddress(3)]);
      await networkHelpers.time.setNextBlockTimestamp(until);
      const tx = await connect(registry, operators[1]!).unjail(signerAddress(2));
      await expectEvent(tx, registry, "ValidatorUnjailed", [signerAddress(2)]);
      assert.equal((await registry.validatorBySigner(signerAddress(2))).jailed, false);
      await connect(registry, system).advanceEpoch();
      assert.deepEqual((await activeSet(registry))[0], [signerAddress(1), signerAddress(2), signerAddress(3)]);
    });

    it("rejects a validator that is not jailed", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).unjail(signerAddress(1)), registry, "ValidatorRegistryNotJailed", [signerAddress(1)]);
    });

    it("is reserved to the operator", async () => {
      const { registry, system, others } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).jail(signerAddress(2), BigInt(await networkHelpers.time.latest()) + 10n);
      await networkHelpers.time.increase(100n);
      await expectRevert(connect(registry, others[0]!).unjail(signerAddress(2)), registry, "ValidatorRegistryNotOperator", [signerAddress(2), others[0]!.address]);
    });

    it("requires the minimum self-stake, which the operator can top up while jailed", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).slash(signerAddress(3), EVIDENCE, await offenceHeight(ethers)); // 100 -> 95
      await networkHelpers.time.increase(DAY);
      await expectRevert(connect(registry, operators[2]!).unjail(signerAddress(3)), registry, "ValidatorRegistryStakeBelowMinimum", [
        95n * ETHER,
        100n * ETHER,
      ]);
      await connect(registry, operators[2]!).addStake(signerAddress(3), { value: 5n * ETHER });
      await connect(registry, operators[2]!).unjail(signerAddress(3));
      assert.equal((await registry.validatorBySigner(signerAddress(3))).jailed, false);
    });
  });

  describe("slash", () => {
    it("burns slashFractionBps of the bonded stake and jails for jailDuration", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const now = await nextTimestamp();
      const tx = await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorSlashed", [signerAddress(1), EVIDENCE, 15n * ETHER]);
      await expectEvent(tx, registry, "ValidatorJailed", [signerAddress(1), now + DAY]);
      const v = await registry.validatorBySigner(signerAddress(1));
      assert.equal(v.stake, 285n * ETHER);
      assert.equal(v.jailed, true);
      assert.equal(v.jailedUntil, now + DAY);
      assert.equal(await registry.totalBurned(), 15n * ETHER);
      assert.equal(await registry.isEvidenceUsed(EVIDENCE), true);
    });

    it("keeps the burned coins locked in the contract: its balance does not drop", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      assert.equal(await ethers.provider.getBalance(await registry.getAddress()), 600n * ETHER);
    });

    it("uses each evidence hash once", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await expectRevert(connect(registry, system).slash(signerAddress(2), EVIDENCE, await offenceHeight(ethers)), registry, "ValidatorRegistryEvidenceAlreadyUsed", [EVIDENCE]);
      await connect(registry, system).slash(signerAddress(2), OTHER_EVIDENCE, await offenceHeight(ethers));
      assert.equal((await registry.validatorBySigner(signerAddress(2))).stake, 190n * ETHER);
    });

    it("also slashes unbonding requests that have not matured, but not matured ones", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      const operator = operators[0]!;
      await connect(registry, operator).requestUnbond(signerAddress(1), 100n * ETHER); // id 1
      await networkHelpers.time.increase(7n * DAY);
      await connect(registry, operator).requestUnbond(signerAddress(1), 100n * ETHER); // id 2, immature
      // Stake 100 -> 5 slashed; request 1 matured (untouched); request 2: 100 -> 5 slashed.
      const tx = await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorSlashed", [signerAddress(1), EVIDENCE, 10n * ETHER]);
      assert.equal((await registry.unbondingRequest(1n)).amount, 100n * ETHER);
      assert.equal((await registry.unbondingRequest(2n)).amount, 95n * ETHER);
      const v = await registry.validatorBySigner(signerAddress(1));
      assert.equal(v.stake, 95n * ETHER);
      assert.equal(v.unbonding, 195n * ETHER);
    });

    it("pays out the slashed remainder of an unbonding request", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      const operator = operators[0]!;
      await connect(registry, operator).requestUnbond(signerAddress(1), 300n * ETHER);
      await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await networkHelpers.time.increase(7n * DAY);
      const tx = await connect(registry, operator).withdraw(1n);
      await expectEvent(tx, registry, "StakeWithdrawn", [signerAddress(1), 1n, operator.address, 285n * ETHER]);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).unbonding, 0n);
    });

    it("removes from the next set a validator that the slash leaves below the minimum, and it stays out after the jail", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).slash(signerAddress(3), EVIDENCE, await offenceHeight(ethers)); // 100 -> 95 < 100
      await connect(registry, system).advanceEpoch();
      assert.deepEqual((await activeSet(registry))[0], [signerAddress(1), signerAddress(2)]);
      await networkHelpers.time.increase(DAY);
      await expectRevert(connect(registry, operators[2]!).unjail(signerAddress(3)), registry, "ValidatorRegistryStakeBelowMinimum", [
        95n * ETHER,
        100n * ETHER,
      ]);
    });

    it("reaches an exited validator's unbonding funds", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      const tx = await connect(registry, system).slash(signerAddress(3), EVIDENCE, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorSlashed", [signerAddress(3), EVIDENCE, 5n * ETHER]);
      assert.equal((await registry.unbondingRequest(1n)).amount, 95n * ETHER);
    });

    it("a jail survives exit and re-registration", async () => {
      const { registry, system, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, system).slash(signerAddress(3), EVIDENCE, await offenceHeight(ethers));
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 95n * ETHER);
      await register(registry, operators[2]!, signerAddress(3), 200n * ETHER);
      assert.equal((await registry.validatorBySigner(signerAddress(3))).jailed, true);
      await connect(registry, system).advanceEpoch();
      assert.deepEqual((await activeSet(registry))[0], [signerAddress(1), signerAddress(2)]);
    });

    it("a 100% slash empties the stake and removes the validator from the registry", async () => {
      const [, operator] = await ethers.getSigners();
      const registry = await deployRegistry(
        ethers,
        [
          { operator: operator!.address, signer: signerAddress(1), stake: 100n * ETHER },
          { operator: operator!.address, signer: signerAddress(2), stake: 100n * ETHER },
        ],
        { ...DEFAULT_CONFIG, slashFractionBps: 10_000n },
      );
      const system = await systemCallerSigner(ethers, networkHelpers);
      const tx = await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorExited", [signerAddress(1)]);
      const v = await registry.validatorBySigner(signerAddress(1));
      assert.equal(v.stake, 0n);
      assert.equal(v.registered, false);
      assert.deepEqual([...(await registry.registeredValidators())], [signerAddress(2)]);
    });

    it("a 0% slash still jails", async () => {
      const [, operator] = await ethers.getSigners();
      const registry = await deployRegistry(ethers, [{ operator: operator!.address, signer: signerAddress(1), stake: 100n * ETHER }], {
        ...DEFAULT_CONFIG,
        slashFractionBps: 0n,
      });
      const system = await systemCallerSigner(ethers, networkHelpers);
      const tx = await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorSlashed", [signerAddress(1), EVIDENCE, 0n]);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).jailed, true);
    });

    it("saturates the jail release at 2^64 - 1 for an enormous jail duration", async () => {
      const [, operator] = await ethers.getSigners();
      const registry = await deployRegistry(ethers, [{ operator: operator!.address, signer: signerAddress(1), stake: 100n * ETHER }], {
        ...DEFAULT_CONFIG,
        jailDuration: 2n ** 64n - 1n,
      });
      const system = await systemCallerSigner(ethers, networkHelpers);
      await connect(registry, system).slash(signerAddress(1), EVIDENCE, await offenceHeight(ethers));
      assert.equal((await registry.validatorBySigner(signerAddress(1))).jailedUntil, 2n ** 64n - 1n);
    });

    it("rejects an unknown signer", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, system).slash(signerAddress(99), EVIDENCE, await offenceHeight(ethers)), registry, "ValidatorRegistryUnknownValidator", [signerAddress(99)]);
    });
  });
});
