import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import { connect, DAY, ETHER, activeSet, deployStandardRegistry, register, signerAddress } from "./fixture.ts";

describe("ValidatorRegistry staking: register, add stake, unbond, withdraw", async () => {
  const { ethers, networkHelpers } = await network.create();
  const standard = () => deployStandardRegistry(ethers, networkHelpers);
  const NEW = signerAddress(10);

  async function balanceOf(address: string): Promise<bigint> {
    return ethers.provider.getBalance(address);
  }

  describe("register", () => {
    it("registers msg.sender as operator with msg.value as stake", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const tx = await register(registry, others[0]!, NEW, 120n * ETHER);
      await expectEvent(tx, registry, "ValidatorRegistered", [NEW, others[0]!.address, 120n * ETHER]);
      const v = await registry.validatorBySigner(NEW);
      assert.equal(v.operator, others[0]!.address);
      assert.equal(v.stake, 120n * ETHER);
      assert.equal(v.registered, true);
      assert.ok((await registry.registeredValidators()).includes(NEW));
    });

    it("does not change the current epoch's active set", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const before = await activeSet(registry);
      await register(registry, others[0]!, NEW, 500n * ETHER);
      assert.deepEqual(await activeSet(registry), before);
    });

    it("rejects a stake below the minimum", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(register(registry, others[0]!, NEW, 100n * ETHER - 1n), registry, "ValidatorRegistryStakeBelowMinimum", [
        100n * ETHER - 1n,
        100n * ETHER,
      ]);
    });

    it("rejects the zero signer", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, others[0]!).register(ethers.ZeroAddress, "0x", { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSigner", [
        ethers.ZeroAddress,
      ]);
    });

    it("rejects a signer that is already registered, whoever asks", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(register(registry, others[0]!, signerAddress(1), 100n * ETHER), registry, "ValidatorRegistrySignerAlreadyRegistered", [
        signerAddress(1),
      ]);
      await expectRevert(register(registry, operators[0]!, signerAddress(1), 100n * ETHER), registry, "ValidatorRegistrySignerAlreadyRegistered", [
        signerAddress(1),
      ]);
    });

    it("rejects a stake above 2^96 - 1 wei", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const max = 2n ** 96n - 1n;
      await networkHelpers.setBalance(others[0]!.address, max * 2n);
      await expectRevert(register(registry, others[0]!, NEW, max + 1n), registry, "ValidatorRegistryStakeTooLarge", [max + 1n, max]);
    });

    it("caps the registry at 100 validators: a newcomer must offer more than the smallest stake", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const operator = others[0]!;
      await networkHelpers.setBalance(operator.address, 20_000n * ETHER);
      for (let i = 0; i < 97; i++) {
        await register(registry, operator, signerAddress(100 + i), 100n * ETHER);
      }
      assert.equal((await registry.registeredValidators()).length, 100);
      await expectRevert(register(registry, operator, signerAddress(300), 100n * ETHER), registry, "ValidatorRegistryFull", [
        100n,
        100n * ETHER,
        100n * ETHER,
      ]);
    });

    it("the squatting attack fails: 97 slots held at 1 wei lock nobody out, a newcomer displaces the smallest (failed before the fix)", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const [attacker, newcomer] = [others[0]!, others[1]!];
      await networkHelpers.setBalance(attacker.address, 20_000n * ETHER);
      await networkHelpers.setBalance(newcomer.address, 20_000n * ETHER);
      // The attack as it was run: every free slot registered at the minimum, all but 1 wei unbonded and withdrawn.
      const requests: bigint[] = [];
      for (let i = 0; i < 97; i++) {
        const signer = signerAddress(100 + i);
        await register(registry, attacker, signer, 100n * ETHER);
        await connect(registry, attacker).requestUnbond(signer, 100n * ETHER - 1n);
        requests.push((await registry.pendingUnbondingRequests(signer))[0]!);
      }
      await networkHelpers.time.increase(7n * DAY);
      for (const id of requests) await connect(registry, attacker).withdraw(id);
      assert.equal((await registry.registeredValidators()).length, 100);

      const tx = await register(registry, newcomer, signerAddress(400), 10_000n * ETHER);
      await expectEvent(tx, registry, "ValidatorRegistered", [signerAddress(400), newcomer.address, 10_000n * ETHER]);
      const registered = await registry.registeredValidators();
      assert.equal(registered.length, 100);
      assert.ok(registered.includes(signerAddress(400)));
      // The displaced squatter (the highest signer among the 1-wei ones) left; its 1 wei is unbonding, slashable.
      const displaced = signerAddress(196);
      assert.ok(!registered.includes(displaced));
      const pending = await registry.pendingUnbondingRequests(displaced);
      await expectEvent(tx, registry, "ValidatorDisplaced", [displaced, signerAddress(400), pending.at(-1)!]);
      const request = await registry.unbondingRequest(pending.at(-1)!);
      assert.equal(request.amount, 1n);
      assert.equal(request.operator, attacker.address);
      assert.equal((await registry.validatorBySigner(displaced)).stake, 0n);
      // A slot now costs real stake: taking one back needs at least the minimum, and displaces dust, never the newcomer.
      await register(registry, attacker, displaced, 100n * ETHER);
      assert.ok((await registry.registeredValidators()).includes(signerAddress(400)));
      assert.ok(!(await registry.registeredValidators()).includes(signerAddress(195)), "the next dust slot went instead");
    });
  });

  describe("addStake", () => {
    it("adds msg.value to the validator's stake", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const tx = await connect(registry, operators[2]!).addStake(signerAddress(3), { value: 25n * ETHER });
      await expectEvent(tx, registry, "StakeAdded", [signerAddress(3), 25n * ETHER, 125n * ETHER]);
      assert.equal((await registry.validatorBySigner(signerAddress(3))).stake, 125n * ETHER);
    });

    it("is reserved to the operator", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, others[0]!).addStake(signerAddress(3), { value: ETHER }), registry, "ValidatorRegistryNotOperator", [
        signerAddress(3),
        others[0]!.address,
      ]);
    });

    it("rejects an unknown validator", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, others[0]!).addStake(NEW, { value: ETHER }), registry, "ValidatorRegistryUnknownValidator", [NEW]);
    });

    it("rejects a zero amount", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).addStake(signerAddress(1), { value: 0n }), registry, "ValidatorRegistryZeroAmount", []);
    });

    it("rejects a total stake above 2^96 - 1 wei", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const max = 2n ** 96n - 1n;
      await networkHelpers.setBalance(operators[0]!.address, max * 2n);
      const excess = max - 300n * ETHER + 1n;
      await expectRevert(connect(registry, operators[0]!).addStake(signerAddress(1), { value: excess }), registry, "ValidatorRegistryStakeTooLarge", [
        max + 1n,
        max,
      ]);
    });
  });

  describe("requestUnbond", () => {
    it("moves the amount from stake to unbonding and schedules its release after the unbonding period", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const tx = await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 50n * ETHER);
      const receipt = await tx.wait();
      const now = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
      await expectEvent(tx, registry, "UnbondingRequested", [signerAddress(1), 1n, 50n * ETHER, now + 7n * DAY]);
      const v = await registry.validatorBySigner(signerAddress(1));
      assert.equal(v.stake, 250n * ETHER);
      assert.equal(v.unbonding, 50n * ETHER);
      const request = await registry.unbondingRequest(1n);
      assert.deepEqual(
        [request.signer, request.operator, request.amount, request.releaseTime],
        [signerAddress(1), operators[0]!.address, 50n * ETHER, now + 7n * DAY],
      );
      assert.deepEqual([...(await registry.pendingUnbondingRequests(signerAddress(1)))], [1n]);
    });

    it("keeps several pending requests per validator, with increasing ids", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 10n * ETHER);
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 20n * ETHER);
      await connect(registry, operators[1]!).requestUnbond(signerAddress(2), 30n * ETHER);
      assert.deepEqual([...(await registry.pendingUnbondingRequests(signerAddress(1)))], [1n, 2n]);
      assert.deepEqual([...(await registry.pendingUnbondingRequests(signerAddress(2)))], [3n]);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).unbonding, 30n * ETHER);
    });

    it("returns the request id to a calling contract (static call)", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      assert.equal(await connect(registry, operators[0]!).requestUnbond.staticCall(signerAddress(1), ETHER), 1n);
    });

    it("is reserved to the operator", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, others[0]!).requestUnbond(signerAddress(1), ETHER), registry, "ValidatorRegistryNotOperator", [
        signerAddress(1),
        others[0]!.address,
      ]);
    });

    it("rejects more than the bonded stake", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).requestUnbond(signerAddress(1), 300n * ETHER + 1n), registry, "ValidatorRegistryInsufficientStake", [
        300n * ETHER,
        300n * ETHER + 1n,
      ]);
    });

    it("rejects a zero amount", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).requestUnbond(signerAddress(1), 0n), registry, "ValidatorRegistryZeroAmount", []);
    });

    it("rejects an unknown validator", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).requestUnbond(NEW, ETHER), registry, "ValidatorRegistryUnknownValidator", [NEW]);
    });

    it("caps pending requests at 16 per validator", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      for (let i = 0; i < 16; i++) await connect(registry, operators[0]!).requestUnbond(signerAddress(1), ETHER);
      await expectRevert(connect(registry, operators[0]!).requestUnbond(signerAddress(1), ETHER), registry, "ValidatorRegistryTooManyUnbondingRequests", [
        signerAddress(1),
        16n,
      ]);
    });

    it("unbonding the whole stake removes the validator from the registry", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const tx = await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await expectEvent(tx, registry, "ValidatorExited", [signerAddress(3)]);
      const v = await registry.validatorBySigner(signerAddress(3));
      assert.equal(v.registered, false);
      assert.equal(v.stake, 0n);
      assert.deepEqual([...(await registry.registeredValidators())].sort(), [signerAddress(1), signerAddress(2)].sort());
      await expectRevert(connect(registry, operators[2]!).addStake(signerAddress(3), { value: ETHER }), registry, "ValidatorRegistryUnknownValidator", [
        signerAddress(3),
      ]);
    });
  });

  describe("withdraw", () => {
    it("before the unbonding period reverts with the request id and its release time", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 50n * ETHER);
      const { releaseTime } = await registry.unbondingRequest(1n);
      await networkHelpers.time.setNextBlockTimestamp(releaseTime - 1n);
      await expectRevert(connect(registry, operators[0]!).withdraw(1n), registry, "ValidatorRegistryUnbondingNotMature", [1n, releaseTime]);
    });

    it("at the release time pays the operator and forgets the request", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const operator = operators[0]!;
      await connect(registry, operator).requestUnbond(signerAddress(1), 50n * ETHER);
      const { releaseTime } = await registry.unbondingRequest(1n);
      await networkHelpers.time.setNextBlockTimestamp(releaseTime);
      const before = await balanceOf(operator.address);
      const tx = await connect(registry, operator).withdraw(1n);
      const receipt = await tx.wait();
      await expectEvent(tx, registry, "StakeWithdrawn", [signerAddress(1), 1n, operator.address, 50n * ETHER]);
      assert.equal(await balanceOf(operator.address), before + 50n * ETHER - receipt.fee);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).unbonding, 0n);
      assert.deepEqual([...(await registry.pendingUnbondingRequests(signerAddress(1)))], []);
      assert.equal((await registry.unbondingRequest(1n)).operator, ethers.ZeroAddress);
      assert.equal(await balanceOf(await registry.getAddress()), 550n * ETHER);
    });

    it("cannot withdraw the same request twice", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 50n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      await connect(registry, operators[0]!).withdraw(1n);
      await expectRevert(connect(registry, operators[0]!).withdraw(1n), registry, "ValidatorRegistryUnknownUnbondingRequest", [1n]);
    });

    it("withdraws one request of several, leaving the others pending", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      const operator = operators[0]!;
      await connect(registry, operator).requestUnbond(signerAddress(1), 10n * ETHER);
      await networkHelpers.time.increase(DAY);
      await connect(registry, operator).requestUnbond(signerAddress(1), 20n * ETHER);
      await connect(registry, operator).requestUnbond(signerAddress(1), 30n * ETHER);
      await networkHelpers.time.increase(6n * DAY);
      // Request 1 has matured, 2 and 3 have not.
      const { releaseTime } = await registry.unbondingRequest(2n);
      await expectRevert(connect(registry, operator).withdraw(2n), registry, "ValidatorRegistryUnbondingNotMature", [2n, releaseTime]);
      await connect(registry, operator).withdraw(1n);
      assert.deepEqual([...(await registry.pendingUnbondingRequests(signerAddress(1)))].sort(), [2n, 3n]);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).unbonding, 50n * ETHER);
    });

    it("is reserved to the request's operator", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 50n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      await expectRevert(connect(registry, others[0]!).withdraw(1n), registry, "ValidatorRegistryNotOperator", [signerAddress(1), others[0]!.address]);
    });

    it("rejects an id that was never issued", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await expectRevert(connect(registry, operators[0]!).withdraw(0n), registry, "ValidatorRegistryUnknownUnbondingRequest", [0n]);
      await expectRevert(connect(registry, operators[0]!).withdraw(42n), registry, "ValidatorRegistryUnknownUnbondingRequest", [42n]);
    });

    it("still pays an exited validator's operator", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      const tx = await connect(registry, operators[2]!).withdraw(1n);
      await expectEvent(tx, registry, "StakeWithdrawn", [signerAddress(3), 1n, operators[2]!.address, 100n * ETHER]);
    });
  });

  describe("registry bookkeeping", () => {
    it("an unknown signer reads as all zero", async () => {
      const { registry } = await networkHelpers.loadFixture(standard);
      const v = await registry.validatorBySigner(NEW);
      assert.deepEqual(
        [v.operator, v.signer, v.stake, v.jailed, v.jailedUntil, v.registered, v.unbonding, v.rewards],
        [ethers.ZeroAddress, ethers.ZeroAddress, 0n, false, 0n, false, 0n, 0n],
      );
    });

    it("exits in any order keep the registry list consistent (swap-and-pop)", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      await register(registry, others[0]!, signerAddress(4), 100n * ETHER);
      // [1, 2, 3, 4]: exiting 1 moves 4 to the front; then exit 4 (the moved one), then 3 (the last).
      await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 300n * ETHER);
      assert.deepEqual([...(await registry.registeredValidators())], [signerAddress(4), signerAddress(2), signerAddress(3)]);
      await connect(registry, others[0]!).requestUnbond(signerAddress(4), 100n * ETHER);
      assert.deepEqual([...(await registry.registeredValidators())], [signerAddress(3), signerAddress(2)]);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      assert.deepEqual([...(await registry.registeredValidators())], [signerAddress(2)]);
      // Re-registering appends and the moved entries still resolve to the right validator.
      await register(registry, operators[0]!, signerAddress(1), 150n * ETHER);
      await connect(registry, operators[1]!).requestUnbond(signerAddress(2), 200n * ETHER);
      assert.deepEqual([...(await registry.registeredValidators())], [signerAddress(1)]);
      assert.equal((await registry.validatorBySigner(signerAddress(1))).registered, true);
      assert.equal((await registry.validatorBySigner(signerAddress(2))).registered, false);
    });

    it("an exit frees a slot under the 100-validator cap", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      const operator = others[0]!;
      await networkHelpers.setBalance(operator.address, 20_000n * ETHER);
      for (let i = 0; i < 97; i++) {
        await register(registry, operator, signerAddress(100 + i), 100n * ETHER);
      }
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await register(registry, operator, signerAddress(300), 100n * ETHER);
      assert.equal((await registry.registeredValidators()).length, 100);
    });
  });

  describe("re-registration of a signer", () => {
    it("the same operator may re-register a signer it fully unbonded, even with funds still unbonding", async () => {
      const { registry, operators } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await register(registry, operators[2]!, signerAddress(3), 150n * ETHER);
      const v = await registry.validatorBySigner(signerAddress(3));
      assert.equal(v.registered, true);
      assert.equal(v.stake, 150n * ETHER);
      assert.equal(v.unbonding, 100n * ETHER);
    });

    it("another operator may not take a signer whose previous operator still has funds unbonding", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await expectRevert(register(registry, others[0]!, signerAddress(3), 100n * ETHER), registry, "ValidatorRegistrySignerAlreadyRegistered", [
        signerAddress(3),
      ]);
    });

    it("another operator may take the signer once the previous operator withdrew everything", async () => {
      const { registry, operators, others } = await networkHelpers.loadFixture(standard);
      await connect(registry, operators[2]!).requestUnbond(signerAddress(3), 100n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      await connect(registry, operators[2]!).withdraw(1n);
      await register(registry, others[0]!, signerAddress(3), 100n * ETHER);
      assert.equal((await registry.validatorBySigner(signerAddress(3))).operator, others[0]!.address);
    });
  });
});
