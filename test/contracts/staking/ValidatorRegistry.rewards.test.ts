import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import { connect, DAY, ETHER, deployStandardRegistry, register, offenceHeight, signerAddress } from "./fixture.ts";

describe("ValidatorRegistry rewards: distributeReward, claimRewards", async () => {
  const { ethers, networkHelpers } = await network.create();
  const standard = () => deployStandardRegistry(ethers, networkHelpers);

  it("credits msg.value to the validator's claimable rewards", async () => {
    const { registry, system } = await networkHelpers.loadFixture(standard);
    const tx = await connect(registry, system).distributeReward(signerAddress(2), { value: 3n * ETHER });
    await expectEvent(tx, registry, "RewardDistributed", [signerAddress(2), 3n * ETHER]);
    await connect(registry, system).distributeReward(signerAddress(2), { value: 2n * ETHER });
    assert.equal((await registry.validatorBySigner(signerAddress(2))).rewards, 5n * ETHER);
    // Rewards are not stake: they do not change voting power.
    assert.equal((await registry.validatorBySigner(signerAddress(2))).stake, 200n * ETHER);
  });

  it("rejects a zero reward", async () => {
    const { registry, system } = await networkHelpers.loadFixture(standard);
    await expectRevert(connect(registry, system).distributeReward(signerAddress(2), { value: 0n }), registry, "ValidatorRegistryZeroAmount", []);
  });

  it("rejects a reward for an unknown signer", async () => {
    const { registry, system } = await networkHelpers.loadFixture(standard);
    await expectRevert(connect(registry, system).distributeReward(signerAddress(99), { value: ETHER }), registry, "ValidatorRegistryUnknownValidator", [
      signerAddress(99),
    ]);
  });

  it("credits a jailed validator too (rewards already earned in the epoch)", async () => {
    const { registry, system } = await networkHelpers.loadFixture(standard);
    await connect(registry, system).jail(signerAddress(2), BigInt(await networkHelpers.time.latest()) + 100n);
    await connect(registry, system).distributeReward(signerAddress(2), { value: ETHER });
    assert.equal((await registry.validatorBySigner(signerAddress(2))).rewards, ETHER);
  });

  it("claimRewards pays the operator everything credited and resets it", async () => {
    const { registry, system, operators } = await networkHelpers.loadFixture(standard);
    const operator = operators[1]!;
    await connect(registry, system).distributeReward(signerAddress(2), { value: 4n * ETHER });
    const before = await ethers.provider.getBalance(operator.address);
    const tx = await connect(registry, operator).claimRewards(signerAddress(2));
    const receipt = await tx.wait();
    await expectEvent(tx, registry, "RewardsClaimed", [signerAddress(2), operator.address, 4n * ETHER]);
    assert.equal(await ethers.provider.getBalance(operator.address), before + 4n * ETHER - receipt.fee);
    assert.equal((await registry.validatorBySigner(signerAddress(2))).rewards, 0n);
  });

  it("claimRewards with nothing credited reverts", async () => {
    const { registry, operators } = await networkHelpers.loadFixture(standard);
    await expectRevert(connect(registry, operators[1]!).claimRewards(signerAddress(2)), registry, "ValidatorRegistryNoRewards", [signerAddress(2)]);
  });

  it("claimRewards is reserved to the operator", async () => {
    const { registry, system, others } = await networkHelpers.loadFixture(standard);
    await connect(registry, system).distributeReward(signerAddress(2), { value: ETHER });
    await expectRevert(connect(registry, others[0]!).claimRewards(signerAddress(2)), registry, "ValidatorRegistryNotOperator", [
      signerAddress(2),
      others[0]!.address,
    ]);
  });

  it("claimRewards rejects an unknown signer", async () => {
    const { registry, others } = await networkHelpers.loadFixture(standard);
    await expectRevert(connect(registry, others[0]!).claimRewards(signerAddress(99)), registry, "ValidatorRegistryUnknownValidator", [signerAddress(99)]);
  });

  it("an exited validator's operator can still claim, and its rewards keep the signer from another operator", async () => {
    const { registry, system, operators, others } = await networkHelpers.loadFixture(standard);
    const operator = operators[2]!;
    await connect(registry, system).distributeReward(signerAddress(3), { value: ETHER });
    await connect(registry, operator).requestUnbond(signerAddress(3), 100n * ETHER);
    await networkHelpers.time.increase(7n * DAY);
    await connect(registry, operator).withdraw(1n);
    await expectRevert(register(registry, others[0]!, signerAddress(3), 100n * ETHER), registry, "ValidatorRegistrySignerAlreadyRegistered", [
      signerAddress(3),
    ]);
    const tx = await connect(registry, operator).claimRewards(signerAddress(3));
    await expectEvent(tx, registry, "RewardsClaimed", [signerAddress(3), operator.address, ETHER]);
    await register(registry, others[0]!, signerAddress(3), 100n * ETHER);
  });

  it("keeps the balance equal to stake + unbonding + rewards + burned through a mixed history", async () => {
    const { registry, system, operators, others } = await networkHelpers.loadFixture(standard);
    await register(registry, others[0]!, signerAddress(4), 130n * ETHER);
    await connect(registry, system).distributeReward(signerAddress(1), { value: 7n * ETHER });
    await connect(registry, system).distributeReward(signerAddress(4), { value: 3n * ETHER });
    await connect(registry, operators[0]!).requestUnbond(signerAddress(1), 40n * ETHER);
    await connect(registry, system).slash(signerAddress(1), ethers.id("evidence"), await offenceHeight(ethers));
    await connect(registry, operators[1]!).addStake(signerAddress(2), { value: 11n * ETHER });
    await connect(registry, operators[0]!).claimRewards(signerAddress(1));
    await networkHelpers.time.increase(7n * DAY);
    await connect(registry, operators[0]!).withdraw(1n);
    await connect(registry, system).advanceEpoch();

    let owed = await registry.totalBurned();
    for (const n of [1, 2, 3, 4]) {
      const v = await registry.validatorBySigner(signerAddress(n));
      owed += v.stake + v.unbonding + v.rewards;
    }
    assert.equal(await ethers.provider.getBalance(await registry.getAddress()), owed);
  });
});
