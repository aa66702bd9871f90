// lib/credentials.ts against the deployed Identity contracts: typed data that matches the contract,
// canonical claims, input checks, and off-chain verification from signature plus on-chain status.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import hre, { network } from "hardhat";
import { Interface, TypedDataEncoder, id as keccakOfText } from "ethers";
import type { FunctionFragment } from "ethers";
import {
  ANCHOR_TYPES,
  CREDENTIAL_REGISTRY_ABI,
  CREDENTIAL_TYPES,
  CredentialError,
  STATUS_CHANGE_TYPES,
  canonicalJson,
  createCredential,
  credentialDomain,
  credentialId,
  hashClaims,
  parseSignedCredential,
  readCredentialDomain,
  schemaId,
  serializeSignedCredential,
  signCredential,
  verifyCredential,
} from "../../../lib/credentials.ts";
import type { CredentialErrorCode } from "../../../lib/credentials.ts";
import { VERI_KEY, as, deployIdentity, membershipCredential } from "./fixture.ts";

function assertCredentialError(action: () => unknown, code: CredentialErrorCode, field?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof CredentialError, `expected a CredentialError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  });
}

describe("lib/credentials", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const { time } = networkHelpers;

  async function identityFixture() {
    return deployIdentity(connection);
  }

  async function now(): Promise<bigint> {
    return BigInt(await time.latest());
  }

  /** A credential signed by `signer` of the issuer, anchored by the issuer. */
  async function anchoredSignedCredential(options: { expiresAt?: bigint } = {}) {
    const f = await networkHelpers.loadFixture(identityFixture);
    const credential = membershipCredential(f.issuer.address, f.subject.address, await now(), options);
    await as(f.credentialRegistry, f.issuer).anchor(credential);
    const signed = await signCredential(f.issuer, credential, f.domain);
    return { f, credential, signed };
  }

  describe("typed data", () => {
    it("declares the same EIP-712 types as the contract's type hashes", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const typeHash = (types: typeof CREDENTIAL_TYPES, primary: string) =>
        keccakOfText(TypedDataEncoder.from(types).encodeType(primary));
      assert.equal(typeHash(CREDENTIAL_TYPES, "Credential"), await f.credentialRegistry.CREDENTIAL_TYPEHASH());
      assert.equal(typeHash(ANCHOR_TYPES, "AnchorCredential"), await f.credentialRegistry.ANCHOR_TYPEHASH());
      assert.equal(typeHash(STATUS_CHANGE_TYPES, "ChangeCredentialStatus"), await f.credentialRegistry.STATUS_CHANGE_TYPEHASH());
    });

    it("reads the registry's EIP-712 domain from the chain", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      assert.deepEqual(f.domain, credentialDomain(31337n, await f.credentialRegistry.getAddress()));
    });

    it("refuses an address that is not a credential registry as a domain", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      await assert.rejects(readCredentialDomain(ethers.provider, await f.didRegistry.getAddress()), (error: unknown) => {
        assert.ok(error instanceof CredentialError);
        assert.equal(error.code, "INVALID_DOMAIN");
        return true;
      });
    });

    it("ships an ABI whose every function, event and error is the deployed contract's", async () => {
      const artifact = await hre.artifacts.readArtifact("CredentialRegistry");
      const deployed = new Interface(artifact.abi);
      const shipped = new Interface(CREDENTIAL_REGISTRY_ABI);
      // Names of return values may differ; selectors, output types and mutability may not.
      const shape = (fn: FunctionFragment | null) =>
        fn === null ? null : [fn.format("sighash"), fn.outputs.map((o) => o.format("sighash")), fn.stateMutability];
      shipped.forEachFunction((fn) => assert.deepEqual(shape(deployed.getFunction(fn.selector)), shape(fn)));
      shipped.forEachEvent((ev) => assert.equal(deployed.getEvent(ev.topicHash)?.format("sighash"), ev.format("sighash")));
      shipped.forEachError((err) => assert.equal(deployed.getError(err.selector)?.format("sighash"), err.format("sighash")));
      // The artifact also lists OpenZeppelin errors only its constructor could raise; the registry's own must all ship.
      const own: string[] = [];
      deployed.forEachError((err) => {
        if (err.name.startsWith("CredentialRegistry")) own.push(err.name);
      });
      for (const name of own) assert.ok(shipped.getError(name) !== null, `${name} is missing from CREDENTIAL_REGISTRY_ABI`);
    });
  });

  describe("claims", () => {
    it("canonicalises JSON with sorted keys and no whitespace (RFC 8785)", () => {
      assert.equal(
        canonicalJson({ b: [3, { z: null, a: "é" }], a: true, "": 1e21, c: 0.000001 }),
        '{"":1e+21,"a":true,"b":[3,{"a":"é","z":null}],"c":0.000001}',
      );
    });

    it("hashes the same claims to the same claimsHash whatever their key order", () => {
      assert.equal(hashClaims({ role: "member", org: "Concord" }), hashClaims({ org: "Concord", role: "member" }));
      assert.notEqual(hashClaims({ role: "member" }), hashClaims({ role: "admin" }));
      assert.equal(hashClaims({ a: 1 }), keccakOfText('{"a":1}'));
    });

    for (const [label, claims, path] of [
      ["undefined", { a: undefined }, "claims.a"],
      ["NaN", { a: [1, Number.NaN] }, "claims.a[1]"],
      ["a bigint", { a: 1n }, "claims.a"],
      ["a Date", { when: new Date(0) }, "claims.when"],
      ["a function", { f: () => 1 }, "claims.f"],
    ] as const) {
      it(`refuses claims containing ${label}`, () => {
        assertCredentialError(() => canonicalJson(claims), "INVALID_CLAIMS", path);
      });
    }
  });

  describe("createCredential", () => {
    const issuer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const subject = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

    it("builds a credential with schema and claims hashed, never-expiring by default, with a random salt", () => {
      const a = createCredential({ issuer: issuer.toLowerCase(), subject, schema: "membership/v1", claims: { role: "member" } });
      const b = createCredential({ issuer, subject, schema: "membership/v1", claims: { role: "member" } });
      assert.equal(a.issuer, issuer);
      assert.equal(a.schema, schemaId("membership/v1"));
      assert.equal(a.claimsHash, hashClaims({ role: "member" }));
      assert.equal(a.expiresAt, 0n);
      assert.notEqual(a.salt, b.salt);
    });

    const valid = { issuer, subject, schema: "membership/v1", claims: {}, issuedAt: 1n };
    for (const [label, input, field] of [
      ["a malformed issuer", { issuer: "0x1234" }, "issuer"],
      ["a malformed subject", { subject: "did:ethr:nope" }, "subject"],
      ["an empty schema", { schema: "" }, "schema"],
      ["a short salt", { salt: "0x1234" }, "salt"],
      ["a negative issuedAt", { issuedAt: -1n }, "issuedAt"],
      ["an expiresAt beyond uint64", { expiresAt: 1n << 64n }, "expiresAt"],
      ["an expiry not after issuance", { issuedAt: 100n, expiresAt: 100n }, "expiresAt"],
    ] as const) {
      it(`refuses ${label}`, () => {
        assertCredentialError(
          () => createCredential({ ...valid, ...input }),
          "INVALID_CREDENTIAL",
          field,
        );
      });
    }
  });

  describe("serialisation", () => {
    it("round-trips a signed credential through JSON", async () => {
      const { signed } = await anchoredSignedCredential({ expiresAt: BigInt(await time.latest()) + 1_000n });
      assert.deepEqual(parseSignedCredential(serializeSignedCredential(signed)), signed);
    });

    it("refuses malformed presentations with a code", async () => {
      const { signed } = await anchoredSignedCredential();
      const good = JSON.parse(serializeSignedCredential(signed)) as Record<string, Record<string, unknown>>;
      const variant = (change: (copy: typeof good) => void) => {
        const copy = structuredClone(good);
        change(copy);
        return JSON.stringify(copy);
      };
      assertCredentialError(() => parseSignedCredential("{not json"), "INVALID_SIGNED_CREDENTIAL");
      assertCredentialError(() => parseSignedCredential("[]"), "INVALID_SIGNED_CREDENTIAL");
      assertCredentialError(() => parseSignedCredential(variant((c) => (c.credential!.issuedAt = "1.5"))), "INVALID_SIGNED_CREDENTIAL", "issuedAt");
      assertCredentialError(() => parseSignedCredential(variant((c) => (c.credential!.salt = "0x00"))), "INVALID_CREDENTIAL", "salt");
      assertCredentialError(() => parseSignedCredential(variant((c) => (c.domain!.name = "Other"))), "INVALID_DOMAIN", "domain");
      assertCredentialError(() => parseSignedCredential(variant((c) => ((c as Record<string, unknown>).signature = "nope"))), "INVALID_SIGNED_CREDENTIAL", "signature");
      assertCredentialError(() => parseSignedCredential(variant((c) => ((c as Record<string, unknown>).signer = "0x12"))), "INVALID_SIGNED_CREDENTIAL", "signer");
    });
  });

  describe("verifyCredential (off-chain signature + on-chain status)", () => {
    it("accepts an anchored, active credential signed by its issuer", async () => {
      const { signed, f } = await anchoredSignedCredential();
      const result = await verifyCredential(signed, ethers.provider);
      assert.deepEqual(result, {
        valid: true,
        credentialId: await f.credentialRegistry.credentialId(signed.credential),
        status: "active",
        signatureValid: true,
        signerAuthorized: true,
        blockNumber: await ethers.provider.getBlockNumber(),
        problems: [],
      });
    });

    it("agrees with the contract's own isValidCredential", async () => {
      const { signed, f } = await anchoredSignedCredential();
      const onChain = await f.credentialRegistry.isValidCredential(signed.credential, signed.signer, signed.signature);
      assert.equal((await verifyCredential(signed, ethers.provider)).valid, onChain);
      await as(f.credentialRegistry, f.issuer).suspend(credentialId(signed.credential, signed.domain));
      assert.equal(await f.credentialRegistry.isValidCredential(signed.credential, signed.signer, signed.signature), false);
      assert.equal((await verifyCredential(signed, ethers.provider)).valid, false);
    });

    it("reports a tampered credential as BAD_SIGNATURE (and, being another id, NOT_ANCHORED)", async () => {
      const { signed } = await anchoredSignedCredential();
      const tampered = { ...signed, credential: { ...signed.credential, subject: signed.signer } };
      const result = await verifyCredential(tampered, ethers.provider);
      assert.deepEqual(result.problems, ["BAD_SIGNATURE", "NOT_ANCHORED"]);
    });

    it("reports a malformed signature as BAD_SIGNATURE instead of throwing", async () => {
      const { signed } = await anchoredSignedCredential();
      const result = await verifyCredential({ ...signed, signature: "0x1234" }, ethers.provider);
      assert.deepEqual(result.problems, ["BAD_SIGNATURE"]);
    });

    it("reports a credential never anchored as NOT_ANCHORED", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const credential = membershipCredential(f.issuer.address, f.subject.address, await now());
      const result = await verifyCredential(await signCredential(f.issuer, credential, f.domain), ethers.provider);
      assert.equal(result.status, "unknown");
      assert.deepEqual(result.problems, ["NOT_ANCHORED"]);
    });

    it("reports a signer with no authority as UNAUTHORIZED_SIGNER", async () => {
      const { f, credential } = await anchoredSignedCredential();
      const result = await verifyCredential(await signCredential(f.stranger, credential, f.domain), ethers.provider);
      assert.deepEqual(result.problems, ["UNAUTHORIZED_SIGNER"]);
    });

    it("accepts a delegate's signature until the delegation is revoked", async () => {
      const { f, credential } = await anchoredSignedCredential();
      const signed = await signCredential(f.veriKeyDelegate, credential, f.domain);
      assert.equal((await verifyCredential(signed, ethers.provider)).valid, true);
      await as(f.didRegistry, f.issuer).revokeDelegate(f.issuer.address, VERI_KEY, f.veriKeyDelegate.address);
      assert.deepEqual((await verifyCredential(signed, ethers.provider)).problems, ["UNAUTHORIZED_SIGNER"]);
    });

    it("reports SUSPENDED, then REVOKED, as the issuer changes the status", async () => {
      const { f, signed } = await anchoredSignedCredential();
      const id = credentialId(signed.credential, signed.domain);
      await as(f.credentialRegistry, f.issuer).suspend(id);
      assert.deepEqual((await verifyCredential(signed, ethers.provider)).problems, ["SUSPENDED"]);
      await as(f.credentialRegistry, f.issuer).revoke(id);
      const result = await verifyCredential(signed, ethers.provider);
      assert.equal(result.status, "revoked");
      assert.deepEqual(result.problems, ["REVOKED"]);
    });

    it("reports EXPIRED once the chain's clock reaches expiresAt, anchored or not", async () => {
      const expiresAt = BigInt(await time.latest()) + 1_000n;
      const { f, signed } = await anchoredSignedCredential({ expiresAt });
      const unanchored = await signCredential(
        f.issuer,
        membershipCredential(f.issuer.address, f.subject.address, await now(), { expiresAt, salt: keccakOfText("other") }),
        f.domain,
      );
      await time.increaseTo(expiresAt);
      assert.deepEqual((await verifyCredential(signed, ethers.provider)).problems, ["EXPIRED"]);
      assert.deepEqual((await verifyCredential(unanchored, ethers.provider)).problems, ["NOT_ANCHORED", "EXPIRED"]);
    });

    it("reports a credential addressed to another chain as WRONG_CHAIN", async () => {
      const { signed } = await anchoredSignedCredential();
      const elsewhere = credentialDomain(1n, signed.domain.verifyingContract);
      const result = await verifyCredential({ ...signed, domain: elsewhere }, ethers.provider);
      assert.ok(result.problems.includes("WRONG_CHAIN"));
      assert.equal(result.valid, false);
    });

    it("verifies a contract wallet issuer's credential through ERC-1271", async () => {
      const f = await networkHelpers.loadFixture(identityFixture);
      const walletAddress = await f.wallet.getAddress();
      const credential = membershipCredential(walletAddress, f.subject.address, await now());
      await as(f.wallet, f.walletOwner).execute(
        await f.credentialRegistry.getAddress(),
        f.credentialRegistry.interface.encodeFunctionData("anchor", [credential]),
      );
      const byOwner = await signCredential(f.walletOwner, credential, f.domain, { account: walletAddress });
      assert.equal((await verifyCredential(byOwner, ethers.provider)).valid, true);
      const byStranger = await signCredential(f.stranger, credential, f.domain, { account: walletAddress });
      assert.deepEqual((await verifyCredential(byStranger, ethers.provider)).problems, ["BAD_SIGNATURE"]);
    });
  });
});
