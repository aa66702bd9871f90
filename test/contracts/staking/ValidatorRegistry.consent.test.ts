import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { ethers as ethersLib } from "ethers";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  CONSENT_TYPES,
  DAY,
  ETHER,
  connect,
  consentDomain,
  deployStandardRegistry,
  offenceHeight,
  register,
  signerAddress,
  signerConsent,
  signerWallet,
} from "./fixture.ts";

describe("ValidatorRegistry signer consent and the operator answerable for a slash", async () => {
  const { ethers, networkHelpers } = await network.create();
  const standard = () => deployStandardRegistry(ethers, networkHelpers);
  const VICTIM = signerAddress(40);

  describe("signer consent", () => {
    it("refuses to register someone else's signer key without its signature (the squatting attack)", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const [attacker, victimOperator] = [others[0]!, others[1]!];
      // The attacker has no consent from the victim's key: an empty one, and one signed by its own key.
      await expectRevert(connect(registry, attacker).register(VICTIM, "0x", { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSignerConsent", [
        VICTIM,
        attacker.address,
      ]);
      const forged = await signerWallet(41).signTypedData(await consentDomain(registry), CONSENT_TYPES, { signer: VICTIM, operator: attacker.address });
      await expectRevert(connect(registry, attacker).register(VICTIM, forged, { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSignerConsent", [
        VICTIM,
        attacker.address,
      ]);
      // The victim's own registration goes through.
      await register(registry, victimOperator, VICTIM, 100n * ETHER);
      assert.equal((await registry.validatorBySigner(VICTIM)).operator, victimOperator.address);
    });

    it("a consent names its operator: a front-runner copying it from the mempool is refused", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const [operator, frontRunner] = [others[0]!, others[1]!];
      const consent = await signerConsent(registry, VICTIM, operator.address);
      await expectRevert(connect(registry, frontRunner).register(VICTIM, consent, { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSignerConsent", [
        VICTIM,
        frontRunner.address,
      ]);
      await connect(registry, operator).register(VICTIM, consent, { value: 100n * ETHER });
      assert.equal((await registry.validatorBySigner(VICTIM)).registered, true);
    });

    it("a consent is bound to the chain and to this registry", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const operator = others[0]!;
      const domain = await consentDomain(registry);
      const message = { signer: VICTIM, operator: operator.address };
      const wallet = signerWallet(40);
      for (const other of [
        { ...domain, chainId: 1n },
        { ...domain, verifyingContract: ethersLib.getAddress("0x0000000000000000000000000000000000001000") },
        { ...domain, name: "Another registry" },
      ]) {
        const consent = await wallet.signTypedData(other, CONSENT_TYPES, message);
        await expectRevert(connect(registry, operator).register(VICTIM, consent, { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSignerConsent", [
          VICTIM,
          operator.address,
        ]);
      }
    });

    it("a malformed signature is answered with the consent error, not a low-level ECDSA one", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const operator = others[0]!;
      const valid = await signerConsent(registry, VICTIM, operator.address);
      for (const consent of ["0x1234", valid.slice(0, -2), `${valid.slice(0, 130)}1f`]) {
        await expectRevert(connect(registry, operator).register(VICTIM, consent, { value: 100n * ETHER }), registry, "ValidatorRegistryInvalidSignerConsent", [
          VICTIM,
          operator.address,
        ]);
      }
    });

    it("consentDigest is the EIP-712 hash a wallet signs (eth_signTypedData_v4)", async () => {
      const { registry, others } = await networkHelpers.loadFixture(standard);
      const message = { signer: VICTIM, operator: others[0]!.address };
      const expected = ethersLib.TypedDataEncoder.hash(await consentDomain(registry), CONSENT_TYPES, message);
      assert.equal(await registry.consentDigest(VICTIM, others[0]!.address), expected);
    });
  });

  describe("slashing answers the operator of the offence", () => {
    /** VICTIM registered by operator A, fully unbonded and withdrawn, then taken by operator B. */
    async function operatorChangeFixture() {
      const base = await deployStandardRegistry(ethers, networkHelpers);
      const [operatorA, operatorB] = [base.others[0]!, base.others[1]!];
      await register(base.registry, operatorA, VICTIM, 100n * ETHER);
      const offenceByA = await offenceHeight(ethers); // a double sign while A ran the key
      await connect(base.registry, operatorA).requestUnbond(VICTIM, 100n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      const requestId = (await base.registry.pendingUnbondingRequests(VICTIM))[0];
      await connect(base.registry, operatorA).withdraw(requestId);
      await register(base.registry, operatorB, VICTIM, 200n * ETHER);
      const operatorBSince = (await base.registry.validatorBySigner(VICTIM)).operatorSince as bigint;
      return { ...base, operatorA, operatorB, offenceByA, operatorBSince };
    }

    it("records when the current operator took the signer", async () => {
      const { registry, offenceByA, operatorBSince } = await networkHelpers.loadFixture(operatorChangeFixture);
      assert.ok(operatorBSince > offenceByA);
      assert.equal(operatorBSince, BigInt(await ethers.provider.getBlockNumber()));
      assert.equal((await registry.validatorBySigner(signerAddress(1))).operatorSince > 0n, true);
    });

    it("evidence from the previous operator's time slashes and jails nobody, and is used up", async () => {
      const { registry, system, offenceByA, operatorBSince } = await networkHelpers.loadFixture(operatorChangeFixture);
      const evidence = ethers.id("double sign while operator A ran the key");
      const burnedBefore = await registry.totalBurned();
      const tx = await connect(registry, system).slash(VICTIM, evidence, offenceByA);
      await expectEvent(tx, registry, "SlashSkippedOperatorChanged", [VICTIM, evidence, offenceByA, operatorBSince]);
      const v = await registry.validatorBySigner(VICTIM);
      assert.equal(v.stake, 200n * ETHER);
      assert.equal(v.jailed, false);
      assert.equal(await registry.totalBurned(), burnedBefore);
      assert.equal(await registry.isEvidenceUsed(evidence), true);
      await expectRevert(connect(registry, system).slash(VICTIM, evidence, offenceByA), registry, "ValidatorRegistryEvidenceAlreadyUsed", [evidence]);
    });

    it("evidence from the new operator's time slashes the new operator", async () => {
      const { registry, system } = await networkHelpers.loadFixture(operatorChangeFixture);
      const evidence = ethers.id("double sign while operator B runs the key");
      const tx = await connect(registry, system).slash(VICTIM, evidence, await offenceHeight(ethers));
      await expectEvent(tx, registry, "ValidatorSlashed", [VICTIM, evidence, 10n * ETHER]);
      const v = await registry.validatorBySigner(VICTIM);
      assert.equal(v.stake, 190n * ETHER);
      assert.equal(v.jailed, true);
    });

    it("the same operator coming back still answers for its earlier double sign", async () => {
      const { registry, system, others } = await networkHelpers.loadFixture(standard);
      const operator = others[0]!;
      await register(registry, operator, VICTIM, 100n * ETHER);
      const offence = await offenceHeight(ethers);
      await connect(registry, operator).requestUnbond(VICTIM, 100n * ETHER);
      await networkHelpers.time.increase(7n * DAY);
      await connect(registry, operator).withdraw((await registry.pendingUnbondingRequests(VICTIM))[0]);
      await register(registry, operator, VICTIM, 100n * ETHER);
      const evidence = ethers.id("double sign before the re-registration");
      await expectEvent(await connect(registry, system).slash(VICTIM, evidence, offence), registry, "ValidatorSlashed", [VICTIM, evidence, 5n * ETHER]);
    });

    it("refuses an offence height that is not in the past", async () => {
      const { registry, system } = await networkHelpers.loadFixture(standard);
      const next = BigInt(await ethers.provider.getBlockNumber()) + 1n;
      await expectRevert(connect(registry, system).slash(signerAddress(1), ethers.id("e"), next), registry, "ValidatorRegistryInvalidOffenceHeight", [next, next]);
    });
  });
});
