import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import type { Contract } from "ethers";
import { parseEther, Signature } from "ethers";
import { anyValue, expectEvent, expectRevert } from "../helpers/errors.ts";

describe("ConcordToken", async () => {
  const { ethers, networkHelpers } = await network.create();
  const { time, loadFixture } = networkHelpers;
  const { chainId } = await ethers.provider.getNetwork();

  const ALICE_BALANCE = parseEther("100");
  const BOB_BALANCE = parseEther("50");

  async function deployToken() {
    const [alice, bob, carol, relayer] = await ethers.getSigners();
    const factory = await ethers.getContractFactory("ConcordToken");
    const token = (await factory.deploy([alice!.address, bob!.address], [ALICE_BALANCE, BOB_BALANCE])) as unknown as Contract;
    await token.waitForDeployment();
    return { factory, token, alice: alice!, bob: bob!, carol: carol!, relayer: relayer! };
  }

  async function domain(token: Contract) {
    return { name: "Concord", version: "1", chainId, verifyingContract: await token.getAddress() };
  }

  describe("initial distribution", () => {
    it("mints each recipient its amount and nothing more", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      assert.equal(await token.balanceOf(alice.address), ALICE_BALANCE);
      assert.equal(await token.balanceOf(bob.address), BOB_BALANCE);
      assert.equal(await token.totalSupply(), ALICE_BALANCE + BOB_BALANCE);
    });

    it("has the Concord name, CORD symbol and 18 decimals", async () => {
      const { token } = await loadFixture(deployToken);
      assert.equal(await token.name(), "Concord");
      assert.equal(await token.symbol(), "CORD");
      assert.equal(await token.decimals(), 18n);
    });

    it("emits a Transfer from the zero address per recipient", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      const deployment = token.deploymentTransaction();
      assert.ok(deployment !== null);
      await expectEvent(deployment, token, "Transfer", [ethers.ZeroAddress, alice.address, ALICE_BALANCE]);
      await expectEvent(deployment, token, "Transfer", [ethers.ZeroAddress, bob.address, BOB_BALANCE]);
    });

    it("rejects recipients and amounts of different lengths", async () => {
      const { factory, alice, bob } = await loadFixture(deployToken);
      await expectRevert(factory.deploy([alice.address, bob.address], [1n]), factory, "ConcordTokenDistributionLengthMismatch", [2n, 1n]);
    });

    it("rejects an empty distribution", async () => {
      const { factory } = await loadFixture(deployToken);
      await expectRevert(factory.deploy([], []), factory, "ConcordTokenEmptyDistribution", []);
    });

    it("rejects the zero address as a recipient", async () => {
      const { factory, alice } = await loadFixture(deployToken);
      await expectRevert(factory.deploy([alice.address, ethers.ZeroAddress], [1n, 1n]), factory, "ERC20InvalidReceiver", [ethers.ZeroAddress]);
    });

    it("rejects a supply above what vote checkpoints can hold (2^208 - 1)", async () => {
      const { factory, alice } = await loadFixture(deployToken);
      const cap = 2n ** 208n - 1n;
      await expectRevert(factory.deploy([alice.address], [cap + 1n]), factory, "ERC20ExceededSafeSupply", [cap + 1n, cap]);
    });

    it("has no mint function and no owner: the supply is fixed at deployment", async () => {
      const { token } = await loadFixture(deployToken);
      for (const name of ["mint", "owner", "transferOwnership", "burn"]) {
        assert.equal(token.interface.getFunction(name), null, `unexpected function ${name}`);
      }
    });
  });

  describe("ERC-6372 clock", () => {
    it("reports timestamp mode", async () => {
      const { token } = await loadFixture(deployToken);
      assert.equal(await token.CLOCK_MODE(), "mode=timestamp");
    });

    it("reads the block timestamp as the clock", async () => {
      const { token } = await loadFixture(deployToken);
      const next = (await time.latest()) + 1000;
      await time.increaseTo(next);
      // eth_call runs on the latest block's timestamp here, so the clock equals the mined one
      assert.equal(await token.clock(), BigInt(next));
    });
  });

  describe("delegation", () => {
    it("gives no voting power before delegating", async () => {
      const { token, alice } = await loadFixture(deployToken);
      assert.equal(await token.getVotes(alice.address), 0n);
      assert.equal(await token.delegates(alice.address), ethers.ZeroAddress);
    });

    it("self-delegation turns the balance into votes", async () => {
      const { token, alice } = await loadFixture(deployToken);
      const tx = await token.connect(alice).getFunction("delegate")(alice.address);
      await expectEvent(tx, token, "DelegateChanged", [alice.address, ethers.ZeroAddress, alice.address]);
      await expectEvent(tx, token, "DelegateVotesChanged", [alice.address, 0n, ALICE_BALANCE]);
      assert.equal(await token.getVotes(alice.address), ALICE_BALANCE);
      assert.equal(await token.delegates(alice.address), alice.address);
    });

    it("delegating to another account gives it the votes, not the balance", async () => {
      const { token, alice, carol } = await loadFixture(deployToken);
      const tx = await token.connect(alice).getFunction("delegate")(carol.address);
      await expectEvent(tx, token, "DelegateChanged", [alice.address, ethers.ZeroAddress, carol.address]);
      await expectEvent(tx, token, "DelegateVotesChanged", [carol.address, 0n, ALICE_BALANCE]);
      assert.equal(await token.getVotes(carol.address), ALICE_BALANCE);
      assert.equal(await token.getVotes(alice.address), 0n);
      assert.equal(await token.balanceOf(carol.address), 0n);
    });

    it("re-delegating moves the votes from the old delegate to the new one", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      await token.connect(bob).getFunction("delegate")(bob.address);
      await token.connect(alice).getFunction("delegate")(alice.address);
      const tx = await token.connect(alice).getFunction("delegate")(bob.address);
      await expectEvent(tx, token, "DelegateChanged", [alice.address, alice.address, bob.address]);
      await expectEvent(tx, token, "DelegateVotesChanged", [alice.address, ALICE_BALANCE, 0n]);
      await expectEvent(tx, token, "DelegateVotesChanged", [bob.address, BOB_BALANCE, BOB_BALANCE + ALICE_BALANCE]);
    });

    it("a transfer moves votes between the holders' delegates", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      await token.connect(alice).getFunction("delegate")(alice.address);
      await token.connect(bob).getFunction("delegate")(bob.address);
      const amount = parseEther("30");
      const tx = await token.connect(alice).getFunction("transfer")(bob.address, amount);
      await expectEvent(tx, token, "DelegateVotesChanged", [alice.address, ALICE_BALANCE, ALICE_BALANCE - amount]);
      await expectEvent(tx, token, "DelegateVotesChanged", [bob.address, BOB_BALANCE, BOB_BALANCE + amount]);
    });

    it("checkpoints votes and total supply by timestamp", async () => {
      const { token, alice, bob } = await loadFixture(deployToken);
      const t0 = (await time.latest()) + 100;
      const t1 = t0 + 50;
      await time.setNextBlockTimestamp(t0);
      await token.connect(alice).getFunction("delegate")(alice.address);
      await time.setNextBlockTimestamp(t1);
      await token.connect(alice).getFunction("transfer")(bob.address, parseEther("30"));
      await time.increaseTo(t1 + 10);

      assert.equal(await token.getPastVotes(alice.address, t0 - 1), 0n);
      assert.equal(await token.getPastVotes(alice.address, t0), ALICE_BALANCE);
      assert.equal(await token.getPastVotes(alice.address, t1 - 1), ALICE_BALANCE);
      assert.equal(await token.getPastVotes(alice.address, t1), ALICE_BALANCE - parseEther("30"));
      assert.equal(await token.getPastTotalSupply(t0), ALICE_BALANCE + BOB_BALANCE);
      assert.equal(await token.numCheckpoints(alice.address), 2n);
      const [key, value] = (await token.checkpoints(alice.address, 0)) as [bigint, bigint];
      assert.deepEqual([key, value], [BigInt(t0), ALICE_BALANCE]);
    });

    it("refuses to look up votes at the current or a future timepoint", async () => {
      const { token, alice } = await loadFixture(deployToken);
      const now = BigInt(await time.latest());
      await expectRevert(token.getPastVotes(alice.address, now + 10n), token, "ERC5805FutureLookup", [now + 10n, now]);
      await expectRevert(token.getPastTotalSupply(now), token, "ERC5805FutureLookup", [now, now]);
    });
  });

  describe("delegation by signature", () => {
    const types = {
      Delegation: [
        { name: "delegatee", type: "address" },
        { name: "nonce", type: "uint256" },
        { name: "expiry", type: "uint256" },
      ],
    };

    it("delegates for the signer when a relayer submits the signature", async () => {
      const { token, alice, carol, relayer } = await loadFixture(deployToken);
      const expiry = BigInt(await time.latest()) + 3600n;
      const sig = Signature.from(await alice.signTypedData(await domain(token), types, { delegatee: carol.address, nonce: 0n, expiry }));
      const tx = await token.connect(relayer).getFunction("delegateBySig")(carol.address, 0n, expiry, sig.v, sig.r, sig.s);
      await expectEvent(tx, token, "DelegateChanged", [alice.address, ethers.ZeroAddress, carol.address]);
      assert.equal(await token.getVotes(carol.address), ALICE_BALANCE);
      assert.equal(await token.nonces(alice.address), 1n);
    });

    it("rejects a replayed delegation signature", async () => {
      const { token, alice, carol, relayer } = await loadFixture(deployToken);
      const expiry = BigInt(await time.latest()) + 3600n;
      const sig = Signature.from(await alice.signTypedData(await domain(token), types, { delegatee: carol.address, nonce: 0n, expiry }));
      await token.connect(relayer).getFunction("delegateBySig")(carol.address, 0n, expiry, sig.v, sig.r, sig.s);
      await expectRevert(
        token.connect(relayer).getFunction("delegateBySig")(carol.address, 0n, expiry, sig.v, sig.r, sig.s),
        token,
        "InvalidAccountNonce",
        [alice.address, 1n],
      );
    });

    it("rejects an expired delegation signature", async () => {
      const { token, alice, carol, relayer } = await loadFixture(deployToken);
      const expiry = BigInt(await time.latest()) + 10n;
      const sig = Signature.from(await alice.signTypedData(await domain(token), types, { delegatee: carol.address, nonce: 0n, expiry }));
      await time.increaseTo(expiry + 1n);
      await expectRevert(
        token.connect(relayer).getFunction("delegateBySig")(carol.address, 0n, expiry, sig.v, sig.r, sig.s),
        token,
        "VotesExpiredSignature",
        [expiry],
      );
    });
  });

  describe("permit (EIP-2612)", () => {
    const types = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };

    it("sets an allowance from the owner's signature", async () => {
      const { token, alice, carol, relayer } = await loadFixture(deployToken);
      const deadline = BigInt(await time.latest()) + 3600n;
      const value = parseEther("5");
      const message = { owner: alice.address, spender: carol.address, value, nonce: 0n, deadline };
      const sig = Signature.from(await alice.signTypedData(await domain(token), types, message));
      const tx = await token.connect(relayer).getFunction("permit")(alice.address, carol.address, value, deadline, sig.v, sig.r, sig.s);
      await expectEvent(tx, token, "Approval", [alice.address, carol.address, value]);
      assert.equal(await token.allowance(alice.address, carol.address), value);
      assert.equal(await token.nonces(alice.address), 1n);
    });

    it("rejects a permit signed by someone other than the owner", async () => {
      const { token, alice, bob, carol } = await loadFixture(deployToken);
      const deadline = BigInt(await time.latest()) + 3600n;
      const message = { owner: alice.address, spender: carol.address, value: 1n, nonce: 0n, deadline };
      const sig = Signature.from(await bob.signTypedData(await domain(token), types, message));
      await expectRevert(
        token.permit(alice.address, carol.address, 1n, deadline, sig.v, sig.r, sig.s),
        token,
        "ERC2612InvalidSigner",
        [bob.address, alice.address],
      );
    });

    it("rejects an expired permit", async () => {
      const { token, alice, carol } = await loadFixture(deployToken);
      const deadline = BigInt(await time.latest()) + 10n;
      const message = { owner: alice.address, spender: carol.address, value: 1n, nonce: 0n, deadline };
      const sig = Signature.from(await alice.signTypedData(await domain(token), types, message));
      await time.increaseTo(deadline + 1n);
      await expectRevert(
        token.permit(alice.address, carol.address, 1n, deadline, sig.v, sig.r, sig.s),
        token,
        "ERC2612ExpiredSignature",
        [deadline],
      );
    });

    it("shares its nonce with delegation by signature, so one cannot replay the other", async () => {
      const { token, alice, carol } = await loadFixture(deployToken);
      const deadline = BigInt(await time.latest()) + 3600n;
      const permit = { owner: alice.address, spender: carol.address, value: 1n, nonce: 0n, deadline };
      const permitSig = Signature.from(await alice.signTypedData(await domain(token), types, permit));
      await token.permit(alice.address, carol.address, 1n, deadline, permitSig.v, permitSig.r, permitSig.s);
      const delegation = { delegatee: carol.address, nonce: 0n, expiry: deadline };
      const delegationTypes = {
        Delegation: [
          { name: "delegatee", type: "address" },
          { name: "nonce", type: "uint256" },
          { name: "expiry", type: "uint256" },
        ],
      };
      const sig = Signature.from(await alice.signTypedData(await domain(token), delegationTypes, delegation));
      await expectRevert(
        token.delegateBySig(carol.address, 0n, deadline, sig.v, sig.r, sig.s),
        token,
        "InvalidAccountNonce",
        [alice.address, 1n],
      );
      // and the permit itself cannot be replayed: the recovered signer no longer matches
      await expectRevert(
        token.permit(alice.address, carol.address, 1n, deadline, permitSig.v, permitSig.r, permitSig.s),
        token,
        "ERC2612InvalidSigner",
        [anyValue, alice.address],
      );
    });
  });
});
