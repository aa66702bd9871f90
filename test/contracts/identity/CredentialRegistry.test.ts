import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { encodeBytes32String } from "ethers";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import {
  credentialId,
  signAnchorAuthorization,
  signCredential,
  signStatusChange,
} from "../../../lib/credentials.ts";
import type { Credential } from "../../../lib/credentials.ts";
import { Change, DAY, Status, VERI_KEY, as, deployIdentity, membershipCredential } from "./fixture.ts";

describe("CredentialRegistry", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function identityFixture() {
    return deployIdentity(connection);
  }

  async function now(): Promise<bigint> {
    return BigInt(await time.latest());
  }

  /** A credential of the fixture's issuer, anchored by the issuer; returns it and its id. */
  async function anchoredCredential(options: { expiresAt?: bigint } = {}) {
    const f = await networkHelpers.loadFixture(identityFixture);
    const credential = membershipCredential(f.issuer.address, f.subject.address, await now(), options);
    await (await as(f.credentialRegistry, f.issuer).anchor(credential)).wait();
    return { f, credential, id: credentialId(credential, f.domain) };
  }

  describe("credential ids", () => {
    it("is the EIP-712 digest the off-chain library computes", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, 1_700_000_000n);
      assert.equal(await f.credentialRegistry.credentialId(credential), credentialId(credential, f.domain));
    });

    it("changes with every field", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const base = membershipCredential(f.issuer.address, f.subject.address, 1_700_000_000n);
      const variants: Credential[] = [
        { ...base, issuer: f.stranger.address },
        { ...base, subject: f.stranger.address },
        { ...base, schema: ethers.id("another schema") },
        { ...base, claimsHash: ethers.id("other claims") },
        { ...base, issuedAt: base.issuedAt + 1n },
        { ...base, expiresAt: base.issuedAt + 10n },
        { ...base, salt: ethers.id("another salt") },
      ];
      const ids = new Set([await f.credentialRegistry.credentialId(base)]);
      for (const variant of variants) ids.add(await f.credentialRegistry.credentialId(variant));
      assert.equal(ids.size, variants.length + 1);
    });
  });

  describe("anchor", () => {
    it("records the issuer's credential as Active and emits CredentialAnchored", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now(), {
        expiresAt: (await now()) + DAY,
      });
      const id = credentialId(credential, f.domain);
      const tx = await as(f.credentialRegistry, f.issuer).anchor(credential);
      await expectEvent(tx, f.credentialRegistry, "CredentialAnchored", [
        id,
        f.issuer.address,
        f.subject.address,
        credential.schema,
        credential.expiresAt,
        f.issuer.address,
      ]);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Active);
      const record = await f.credentialRegistry.recordOf(id);
      assert.deepEqual(
        [record.issuer, record.status, record.expiresAt, record.anchoredAt],
        [f.issuer.address, Status.Active, credential.expiresAt, await now()],
      );
    });

    for (const [kind, pick] of [
      ["veriKey", (f: Awaited<ReturnType<typeof identityFixture>>) => f.veriKeyDelegate],
      ["sigAuth", (f: Awaited<ReturnType<typeof identityFixture>>) => f.sigAuthDelegate],
    ] as const) {
      it(`accepts a valid ${kind} delegate of the issuer acting for it`, async () => {
        const f = await networkHelpers.loadFixture(identityFixture);
        const delegate = pick(f);
        const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
        const tx = await as(f.credentialRegistry, delegate).anchor(credential);
        await expectEvent(tx, f.credentialRegistry, "CredentialAnchored", [
          credentialId(credential, f.domain),
          f.issuer.address,
          f.subject.address,
          credential.schema,
          0n,
          delegate.address,
        ]);
      });
    }

    it("rejects a delegate whose validity has run out", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      await time.increase(DAY);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      await expectRevert(as(f.credentialRegistry, f.veriKeyDelegate).anchor(credential), f.credentialRegistry, "CredentialRegistryUnauthorized", [
        f.issuer.address,
        f.veriKeyDelegate.address,
      ]);
    });

    it("rejects a revoked delegate", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      await as(f.didRegistry, f.issuer).revokeDelegate(f.issuer.address, VERI_KEY, f.veriKeyDelegate.address);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      await expectRevert(as(f.credentialRegistry, f.veriKeyDelegate).anchor(credential), f.credentialRegistry, "CredentialRegistryUnauthorized", [
        f.issuer.address,
        f.veriKeyDelegate.address,
      ]);
    });

    it("rejects a delegate of a type that is not an assertion key", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      await as(f.didRegistry, f.issuer).addDelegate(f.issuer.address, encodeBytes32String("enc"), f.stranger.address, DAY);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      await expectRevert(as(f.credentialRegistry, f.stranger).anchor(credential), f.credentialRegistry, "CredentialRegistryUnauthorized", [
        f.issuer.address,
        f.stranger.address,
      ]);
    });

    it("rejects anyone else anchoring in the issuer's name", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      await expectRevert(as(f.credentialRegistry, f.subject).anchor(credential), f.credentialRegistry, "CredentialRegistryUnauthorized", [
        f.issuer.address,
        f.subject.address,
      ]);
    });

    it("follows the issuer DID's owner: after changeOwner the new owner acts, the old key does not", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      await as(f.didRegistry, f.issuer).changeOwner(f.issuer.address, f.stranger.address);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      await expectRevert(as(f.credentialRegistry, f.issuer).anchor(credential), f.credentialRegistry, "CredentialRegistryUnauthorized", [
        f.issuer.address,
        f.issuer.address,
      ]);
      await (await as(f.credentialRegistry, f.stranger).anchor(credential)).wait();
      assert.equal(await f.credentialRegistry.statusOf(credentialId(credential, f.domain)), Status.Active);
    });

    it("rejects anchoring the same credential twice", async () => {
      const { f, credential, id } = await anchoredCredential();
      await expectRevert(as(f.credentialRegistry, f.issuer).anchor(credential), f.credentialRegistry, "CredentialRegistryAlreadyAnchored", [id]);
    });

    it("rejects a credential that expires no later than it is issued", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const issuedAt = (await now()) + 100n;
      // Built by hand: the library itself refuses to create such a credential.
      const credential = { ...membershipCredential(f.issuer.address, f.subject.address, issuedAt), expiresAt: issuedAt };
      await expectRevert(as(f.credentialRegistry, f.issuer).anchor(credential), f.credentialRegistry, "CredentialRegistryInvalidValidity", [
        issuedAt,
        issuedAt,
      ]);
    });

    it("rejects a credential that has already expired", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const issuedAt = (await now()) - 1_000n;
      const credential = membershipCredential(f.issuer.address, f.subject.address, issuedAt, { expiresAt: issuedAt + 10n });
      await expectRevert(as(f.credentialRegistry, f.issuer).anchor(credential), f.credentialRegistry, "CredentialRegistryCredentialExpired", [
        credentialId(credential, f.domain),
        issuedAt + 10n,
      ]);
    });

    it("lets a contract wallet issuer anchor through a call it makes", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const walletAddress = await f.wallet.getAddress();
      const credential = membershipCredential(walletAddress, f.subject.address, await now());
      const data = f.credentialRegistry.interface.encodeFunctionData("anchor", [credential]);
      const tx = await as(f.wallet, f.walletOwner).execute(await f.credentialRegistry.getAddress(), data);
      await expectEvent(tx, f.credentialRegistry, "CredentialAnchored", [
        credentialId(credential, f.domain),
        walletAddress,
        f.subject.address,
        credential.schema,
        0n,
        walletAddress,
      ]);
    });
  });

  describe("revoke, suspend, reinstate", () => {
    it("revokes for good, emitting CredentialRevoked", async () => {
      const { f, id } = await anchoredCredential();
      await expectEvent(as(f.credentialRegistry, f.issuer).revoke(id), f.credentialRegistry, "CredentialRevoked", [
        id,
        f.issuer.address,
        f.issuer.address,
      ]);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Revoked);
      await expectRevert(as(f.credentialRegistry, f.issuer).revoke(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Revoked,
        Change.Revoke,
      ]);
      await expectRevert(as(f.credentialRegistry, f.issuer).reinstate(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Revoked,
        Change.Reinstate,
      ]);
    });

    it("suspends and reinstates, emitting both events", async () => {
      const { f, id } = await anchoredCredential();
      await expectEvent(as(f.credentialRegistry, f.issuer).suspend(id), f.credentialRegistry, "CredentialSuspended", [
        id,
        f.issuer.address,
        f.issuer.address,
      ]);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Suspended);
      await expectEvent(as(f.credentialRegistry, f.issuer).reinstate(id), f.credentialRegistry, "CredentialReinstated", [
        id,
        f.issuer.address,
        f.issuer.address,
      ]);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Active);
    });

    it("refuses to suspend twice or reinstate an active credential", async () => {
      const { f, id } = await anchoredCredential();
      await expectRevert(as(f.credentialRegistry, f.issuer).reinstate(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Active,
        Change.Reinstate,
      ]);
      await as(f.credentialRegistry, f.issuer).suspend(id);
      await expectRevert(as(f.credentialRegistry, f.issuer).suspend(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Suspended,
        Change.Suspend,
      ]);
    });

    it("revokes a suspended credential", async () => {
      const { f, id } = await anchoredCredential();
      await as(f.credentialRegistry, f.issuer).suspend(id);
      await as(f.credentialRegistry, f.issuer).revoke(id);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Revoked);
    });

    it("lets a delegate of the issuer change the status of a credential the issuer anchored", async () => {
      const { f, id } = await anchoredCredential();
      await expectEvent(as(f.credentialRegistry, f.sigAuthDelegate).suspend(id), f.credentialRegistry, "CredentialSuspended", [
        id,
        f.issuer.address,
        f.sigAuthDelegate.address,
      ]);
    });

    it("rejects status changes by anyone else, the subject included", async () => {
      const { f, id } = await anchoredCredential();
      for (const action of ["revoke", "suspend", "reinstate"] as const) {
        await expectRevert(as(f.credentialRegistry, f.subject)[action](id), f.credentialRegistry, "CredentialRegistryUnauthorized", [
          f.issuer.address,
          f.subject.address,
        ]);
      }
    });

    it("rejects status changes of a credential never anchored", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const id = ethers.id("never anchored");
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Unknown);
      await expectRevert(as(f.credentialRegistry, f.issuer).revoke(id), f.credentialRegistry, "CredentialRegistryUnknownCredential", [id]);
    });
  });

  describe("expiry", () => {
    it("turns an Active or Suspended credential Expired at expiresAt, but keeps Revoked", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const expiresAt = (await now()) + 1_000n;
      const ids: string[] = [];
      for (const salt of ["0x" + "01".repeat(32), "0x" + "02".repeat(32), "0x" + "03".repeat(32)]) {
        const credential = membershipCredential(f.issuer.address, f.subject.address, await now(), { expiresAt, salt });
        await as(f.credentialRegistry, f.issuer).anchor(credential);
        ids.push(credentialId(credential, f.domain));
      }
      const [active, suspended, revoked] = ids as [string, string, string];
      await as(f.credentialRegistry, f.issuer).suspend(suspended);
      await as(f.credentialRegistry, f.issuer).revoke(revoked);

      await time.increaseTo(expiresAt - 1n);
      assert.equal(await f.credentialRegistry.statusOf(active), Status.Active);
      await time.increaseTo(expiresAt);
      assert.equal(await f.credentialRegistry.statusOf(active), Status.Expired);
      assert.equal(await f.credentialRegistry.statusOf(suspended), Status.Expired);
      assert.equal(await f.credentialRegistry.statusOf(revoked), Status.Revoked);
      assert.equal((await f.credentialRegistry.recordOf(active)).status, Status.Expired);
    });

    it("still revokes an expired credential but will not suspend or reinstate it", async () => {
      const expiresAt = BigInt(await time.latest()) + 1_000n;
      const { f, id } = await anchoredCredential({ expiresAt });
      await time.increaseTo(expiresAt);
      await expectRevert(as(f.credentialRegistry, f.issuer).suspend(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Expired,
        Change.Suspend,
      ]);
      await expectRevert(as(f.credentialRegistry, f.issuer).reinstate(id), f.credentialRegistry, "CredentialRegistryInvalidStatusChange", [
        id,
        Status.Expired,
        Change.Reinstate,
      ]);
      await as(f.credentialRegistry, f.issuer).revoke(id);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Revoked);
    });
  });

  describe("anchorBySig", () => {
    async function unanchored() {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      const id = credentialId(credential, f.domain);
      const deadline = (await now()) + 3_600n;
      return { f, credential, id, deadline };
    }

    it("anchors a credential relayed by anyone with the issuer's signed authorisation, using the issuer's nonce", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const auth = await signAnchorAuthorization(f.issuer, f.domain, { credentialId: id, nonce: 0n, deadline });
      const tx = await as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature);
      await expectEvent(tx, f.credentialRegistry, "CredentialAnchored", [
        id,
        f.issuer.address,
        f.subject.address,
        credential.schema,
        0n,
        f.issuer.address,
      ]);
      assert.equal(await f.credentialRegistry.nonces(f.issuer.address), 1n);
    });

    it("accepts the authorisation of a valid delegate, counted against the issuer's nonce", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const auth = await signAnchorAuthorization(f.veriKeyDelegate, f.domain, { credentialId: id, nonce: 0n, deadline });
      await as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature);
      assert.equal(await f.credentialRegistry.nonces(f.issuer.address), 1n);
      assert.equal(await f.credentialRegistry.nonces(f.veriKeyDelegate.address), 0n);
    });

    it("rejects a replayed authorisation by its used nonce", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const auth = await signAnchorAuthorization(f.issuer, f.domain, { credentialId: id, nonce: 0n, deadline });
      await as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature);
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidNonce",
        [f.issuer.address, 1n, 0n],
      );
    });

    it("rejects an authorisation for a nonce not yet reached", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const auth = await signAnchorAuthorization(f.issuer, f.domain, { credentialId: id, nonce: 5n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidNonce",
        [f.issuer.address, 0n, 5n],
      );
    });

    it("rejects a forged signature presented as the issuer's", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const forged = await signAnchorAuthorization(f.stranger, f.domain, { credentialId: id, nonce: 0n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, f.issuer.address, 0n, deadline, forged.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [f.issuer.address],
      );
      assert.equal(await f.credentialRegistry.nonces(f.issuer.address), 0n);
    });

    it("rejects a genuine signature of someone not authorised for the issuer", async () => {
      const { f, credential, id, deadline } = await unanchored();
      const auth = await signAnchorAuthorization(f.stranger, f.domain, { credentialId: id, nonce: 0n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryUnauthorized",
        [f.issuer.address, f.stranger.address],
      );
    });

    it("rejects an authorisation given for another credential", async () => {
      const { f, credential, deadline } = await unanchored();
      const other = membershipCredential(f.issuer.address, f.stranger.address, await now());
      const auth = await signAnchorAuthorization(f.issuer, f.domain, { credentialId: credentialId(other, f.domain), nonce: 0n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [f.issuer.address],
      );
    });

    it("rejects an authorisation past its deadline", async () => {
      const { f, credential, id } = await unanchored();
      const deadline = await now();
      const auth = await signAnchorAuthorization(f.issuer, f.domain, { credentialId: id, nonce: 0n, deadline });
      await time.increaseTo(deadline + 1n);
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, auth.signer, auth.nonce, auth.deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryExpiredAuthorization",
        [deadline],
      );
    });

    it("accepts an ERC-1271 contract issuer's authorisation, and rejects one its owner did not sign", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const walletAddress = await f.wallet.getAddress();
      const credential = membershipCredential(walletAddress, f.subject.address, await now());
      const id = credentialId(credential, f.domain);
      const deadline = (await now()) + 3_600n;

      const onBehalf = { account: walletAddress };
      const byStranger = await signAnchorAuthorization(f.stranger, f.domain, { credentialId: id, nonce: 0n, deadline }, onBehalf);
      await expectRevert(
        as(f.credentialRegistry, f.relayer).anchorBySig(credential, walletAddress, 0n, deadline, byStranger.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [walletAddress],
      );

      const byOwner = await signAnchorAuthorization(f.walletOwner, f.domain, { credentialId: id, nonce: 0n, deadline }, onBehalf);
      await as(f.credentialRegistry, f.relayer).anchorBySig(credential, walletAddress, 0n, deadline, byOwner.signature);
      assert.equal(await f.credentialRegistry.statusOf(id), Status.Active);
      assert.equal(await f.credentialRegistry.nonces(walletAddress), 1n);
    });
  });

  describe("changeStatusBySig", () => {
    it("applies a relayed revocation and shares the issuer's nonce with anchoring", async () => {
      const { f, id } = await anchoredCredential();
      const deadline = (await now()) + 3_600n;
      const auth = await signStatusChange(f.issuer, f.domain, { credentialId: id, change: "revoke", nonce: 0n, deadline });
      const tx = await as(f.credentialRegistry, f.relayer).changeStatusBySig(id, Change.Revoke, auth.signer, auth.nonce, deadline, auth.signature);
      await expectEvent(tx, f.credentialRegistry, "CredentialRevoked", [id, f.issuer.address, f.issuer.address]);
      assert.equal(await f.credentialRegistry.nonces(f.issuer.address), 1n);
    });

    it("rejects a replayed status change", async () => {
      const { f, id } = await anchoredCredential();
      const deadline = (await now()) + 3_600n;
      const auth = await signStatusChange(f.veriKeyDelegate, f.domain, { credentialId: id, change: "suspend", nonce: 0n, deadline });
      await as(f.credentialRegistry, f.relayer).changeStatusBySig(id, Change.Suspend, auth.signer, 0n, deadline, auth.signature);
      await as(f.credentialRegistry, f.issuer).reinstate(id);
      await expectRevert(
        as(f.credentialRegistry, f.relayer).changeStatusBySig(id, Change.Suspend, auth.signer, 0n, deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidNonce",
        [f.issuer.address, 1n, 0n],
      );
    });

    it("rejects a signature for one change presented as another", async () => {
      const { f, id } = await anchoredCredential();
      const deadline = (await now()) + 3_600n;
      const auth = await signStatusChange(f.issuer, f.domain, { credentialId: id, change: "suspend", nonce: 0n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).changeStatusBySig(id, Change.Revoke, auth.signer, 0n, deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [f.issuer.address],
      );
    });

    it("rejects a relayed change of a credential never anchored", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const id = ethers.id("never anchored");
      const deadline = (await now()) + 3_600n;
      const auth = await signStatusChange(f.issuer, f.domain, { credentialId: id, change: "revoke", nonce: 0n, deadline });
      await expectRevert(
        as(f.credentialRegistry, f.relayer).changeStatusBySig(id, Change.Revoke, auth.signer, 0n, deadline, auth.signature),
        f.credentialRegistry,
        "CredentialRegistryUnknownCredential",
        [id],
      );
    });
  });

  describe("verifyCredential", () => {
    it("accepts an anchored credential signed by its issuer", async () => {
      const { f, credential, id } = await anchoredCredential();
      const signed = await signCredential(f.issuer, credential, f.domain);
      assert.equal(await f.credentialRegistry.verifyCredential(credential, signed.signer, signed.signature), id);
      assert.equal(await f.credentialRegistry.isValidCredential(credential, signed.signer, signed.signature), true);
    });

    it("accepts a credential signed by a delegate while the delegation is valid, and not after it is revoked", async () => {
      const { f, credential } = await anchoredCredential();
      const signed = await signCredential(f.veriKeyDelegate, credential, f.domain);
      assert.equal(await f.credentialRegistry.isValidCredential(credential, signed.signer, signed.signature), true);
      await as(f.didRegistry, f.issuer).revokeDelegate(f.issuer.address, VERI_KEY, f.veriKeyDelegate.address);
      await expectRevert(
        f.credentialRegistry.verifyCredential(credential, signed.signer, signed.signature),
        f.credentialRegistry,
        "CredentialRegistryUnauthorized",
        [f.issuer.address, f.veriKeyDelegate.address],
      );
    });

    it("rejects a credential whose content was changed after signing", async () => {
      const { f, credential } = await anchoredCredential();
      const signed = await signCredential(f.issuer, credential, f.domain);
      const tampered = { ...credential, claimsHash: ethers.id('{"role":"admin"}') };
      await expectRevert(
        f.credentialRegistry.verifyCredential(tampered, signed.signer, signed.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [f.issuer.address],
      );
      assert.equal(await f.credentialRegistry.isValidCredential(tampered, signed.signer, signed.signature), false);
    });

    it("rejects a signature by someone else presented as the issuer's", async () => {
      const { f, credential } = await anchoredCredential();
      const forged = await signCredential(f.stranger, credential, f.domain);
      await expectRevert(
        f.credentialRegistry.verifyCredential(credential, f.issuer.address, forged.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [f.issuer.address],
      );
    });

    it("rejects a credential signed by someone with no authority for the issuer", async () => {
      const { f, credential } = await anchoredCredential();
      const signed = await signCredential(f.stranger, credential, f.domain);
      await expectRevert(
        f.credentialRegistry.verifyCredential(credential, signed.signer, signed.signature),
        f.credentialRegistry,
        "CredentialRegistryUnauthorized",
        [f.issuer.address, f.stranger.address],
      );
    });

    it("rejects a correctly signed credential that was never anchored", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      const signed = await signCredential(f.issuer, credential, f.domain);
      await expectRevert(
        f.credentialRegistry.verifyCredential(credential, signed.signer, signed.signature),
        f.credentialRegistry,
        "CredentialRegistryUnknownCredential",
        [credentialId(credential, f.domain)],
      );
    });

    for (const [label, status] of [
      ["suspended", Status.Suspended],
      ["revoked", Status.Revoked],
      ["expired", Status.Expired],
    ] as const) {
      it(`rejects a ${label} credential as not active`, async () => {
        const expiresAt = BigInt(await time.latest()) + 1_000n;
        const { f, credential, id } = await anchoredCredential({ expiresAt });
        const signed = await signCredential(f.issuer, credential, f.domain);
        if (status === Status.Suspended) await as(f.credentialRegistry, f.issuer).suspend(id);
        if (status === Status.Revoked) await as(f.credentialRegistry, f.issuer).revoke(id);
        if (status === Status.Expired) await time.increaseTo(expiresAt);
        await expectRevert(
          f.credentialRegistry.verifyCredential(credential, signed.signer, signed.signature),
          f.credentialRegistry,
          "CredentialRegistryNotActive",
          [id, status],
        );
        assert.equal(await f.credentialRegistry.isValidCredential(credential, signed.signer, signed.signature), false);
      });
    }

    it("accepts a credential of a contract wallet issuer signed through ERC-1271", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const walletAddress = await f.wallet.getAddress();
      const credential = membershipCredential(walletAddress, f.subject.address, await now());
      const data = f.credentialRegistry.interface.encodeFunctionData("anchor", [credential]);
      await as(f.wallet, f.walletOwner).execute(await f.credentialRegistry.getAddress(), data);
      const signedByOwner = await signCredential(f.walletOwner, credential, f.domain, { account: walletAddress });
      assert.equal(signedByOwner.signer, walletAddress);
      assert.equal(await f.credentialRegistry.isValidCredential(credential, signedByOwner.signer, signedByOwner.signature), true);
      const signedByStranger = await signCredential(f.stranger, credential, f.domain, { account: walletAddress });
      await expectRevert(
        f.credentialRegistry.verifyCredential(credential, signedByStranger.signer, signedByStranger.signature),
        f.credentialRegistry,
        "CredentialRegistryInvalidSignature",
        [walletAddress],
      );
    });
  });
});
