import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { parseEther } from "ethers";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  OperationState,
  ProposalState,
  as,
  buildProposal,
  deployGovernance,
  proposeAndExecute,
  proposeAndPass,
  stateBitmap,
  timelockOperationId,
  timelockSalt,
} from "./fixture.ts";

describe("Timelock as the DAO treasury", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time, loadFixture } = networkHelpers;
  const fixture = () => deployGovernance(connection);

  /** The DAO with 10 ETH in its treasury. */
  async function funded() {
    const f = await loadFixture(fixture);
    await f.holder.sendTransaction({ to: await f.timelock.getAddress(), value: parseEther("10") });
    return f;
  }

  it("receives ETH", async () => {
    const f = await funded();
    assert.equal(await ethers.provider.getBalance(await f.timelock.getAddress()), parseEther("10"));
  });

  it("the Governor itself refuses ETH, so funds cannot get stuck outside the treasury", async () => {
    const f = await loadFixture(fixture);
    await expectRevert(f.holder.sendTransaction({ to: await f.governor.getAddress(), value: 1n }), f.governor, "GovernorDisabledDeposit", []);
  });

  it("pays ETH out through an executed proposal", async () => {
    const f = await funded();
    const amount = parseEther("1.5");
    const before = await ethers.provider.getBalance(f.recipient.address);
    const p = await buildProposal(f.governor, [{ target: f.recipient.address, value: amount }], "Grant 1.5 ETH to the recipient");
    await proposeAndPass(time, f, p);
    await f.governor.queue(...p.shortArgs);
    await time.increaseTo(await f.governor.proposalEta(p.id));
    const tx = await as(f.governor, f.outsider).execute(...p.shortArgs);
    await expectEvent(tx, f.timelock, "CallExecuted", [await timelockOperationId(f, p), 0n, f.recipient.address, amount, "0x"]);
    assert.equal(await ethers.provider.getBalance(f.recipient.address), before + amount);
    assert.equal(await ethers.provider.getBalance(await f.timelock.getAddress()), parseEther("10") - amount);
  });

  it("pays tokens out through an executed proposal", async () => {
    const f = await loadFixture(fixture);
    const treasury = await f.timelock.getAddress();
    await as(f.token, f.reserve).transfer(treasury, parseEther("200"));
    const data = f.token.interface.encodeFunctionData("transfer", [f.recipient.address, parseEther("50")]);
    const p = await buildProposal(f.governor, [{ target: await f.token.getAddress(), data }], "Grant 50 CORD");
    await proposeAndExecute(time, f, p);
    assert.equal(await f.token.balanceOf(f.recipient.address), parseEther("50"));
    assert.equal(await f.token.balanceOf(treasury), parseEther("150"));
  });

  it("a payment larger than the treasury fails with FailedCall and can be executed once funded", async () => {
    const f = await funded();
    const p = await buildProposal(f.governor, [{ target: f.recipient.address, value: parseEther("11") }], "Grant 11 ETH");
    await proposeAndPass(time, f, p);
    await f.governor.queue(...p.shortArgs);
    await time.increaseTo(await f.governor.proposalEta(p.id));
    await expectRevert(f.governor.execute(...p.shortArgs), f.timelock, "FailedCall", []);
    assert.equal(await f.governor.state(p.id), ProposalState.Queued);
    await f.holder.sendTransaction({ to: await f.timelock.getAddress(), value: parseEther("1") });
    await f.governor.execute(...p.shortArgs);
    assert.equal(await f.governor.state(p.id), ProposalState.Executed);
  });

  it("runs all of a proposal's actions or none", async () => {
    const f = await funded();
    const tokenData = f.token.interface.encodeFunctionData("transfer", [f.recipient.address, 1n]); // treasury holds no CORD
    const p = await buildProposal(
      f.governor,
      [
        { target: f.recipient.address, value: parseEther("1") },
        { target: await f.token.getAddress(), data: tokenData },
      ],
      "Pay ETH and CORD",
    );
    await proposeAndPass(time, f, p);
    await f.governor.queue(...p.shortArgs);
    await time.increaseTo(await f.governor.proposalEta(p.id));
    const before = await ethers.provider.getBalance(f.recipient.address);
    const timelockAddress = await f.timelock.getAddress();
    await expectRevert(f.governor.execute(...p.shortArgs), f.token, "ERC20InsufficientBalance", [timelockAddress, 0n, 1n]);
    assert.equal(await ethers.provider.getBalance(f.recipient.address), before);
  });

  describe("direct use of the timelock", () => {
    it("refuses to schedule for anyone but the Governor", async () => {
      const f = await funded();
      const proposer = await f.timelock.PROPOSER_ROLE();
      for (const caller of [f.outsider, f.guardian, f.holder]) {
        await expectRevert(
          as(f.timelock, caller).schedule(f.recipient.address, parseEther("1"), "0x", ethers.ZeroHash, ethers.ZeroHash, 500n),
          f.timelock,
          "AccessControlUnauthorizedAccount",
          [caller.address, proposer],
        );
      }
    });

    it("refuses to execute a queued operation before its delay, with the operation's state", async () => {
      const f = await funded();
      const p = await buildProposal(f.governor, [{ target: f.recipient.address, value: 1n }], "Tiny grant");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      const operationId = await timelockOperationId(f, p);
      assert.equal(await f.timelock.getOperationState(operationId), OperationState.Waiting);
      await expectRevert(
        as(f.timelock, f.outsider).executeBatch(p.targets, p.values, p.calldatas, ethers.ZeroHash, await timelockSalt(f, p)),
        f.timelock,
        "TimelockUnexpectedOperationState",
        [operationId, stateBitmap(OperationState.Ready)],
      );
    });

    it("lets anyone execute a ready operation directly, and the Governor then reports it Executed", async () => {
      const f = await funded();
      const p = await buildProposal(f.governor, [{ target: f.recipient.address, value: 1n }], "Tiny grant");
      await proposeAndPass(time, f, p);
      await f.governor.queue(...p.shortArgs);
      await time.increaseTo(await f.governor.proposalEta(p.id));
      await as(f.timelock, f.outsider).executeBatch(p.targets, p.values, p.calldatas, ethers.ZeroHash, await timelockSalt(f, p));
      assert.equal(await f.governor.state(p.id), ProposalState.Executed);
    });
  });
});
