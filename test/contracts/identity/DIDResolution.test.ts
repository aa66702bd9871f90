// did:ethr documents resolved by the unmodified ethr-did-resolver (and written by its
// EthrDidController) against Concord's EthereumDIDRegistry on Hardhat's in-process chain.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { Wallet, encodeBase64, id } from "ethers";
import { Resolver } from "did-resolver";
import type { DIDDocument } from "did-resolver";
import { EthrDidController, getResolver } from "ethr-did-resolver";

const CHAIN_ID = 31337n;

// ethr-did-resolver is CommonJS, so TypeScript gives it ethers' CommonJS declarations, whose classes
// are distinct types from the ESM ones this project sees. The objects are the same at run time.
type ResolverProvider = NonNullable<ConstructorParameters<typeof EthrDidController>[4]>;
type ControllerSigner = NonNullable<ConstructorParameters<typeof EthrDidController>[2]>;
const DAY = 86_400;
const SECP256K1_PUBLIC_KEY = "0x02b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71";
const X25519_PUBLIC_KEY = "0x0a5fa3d0fc4c3f6fa1cc0f3a3aa6c0f8d63a5bd7c6b1dbe54adb4d5cd0e1b241";

describe("did:ethr resolution against EthereumDIDRegistry", async () => {
  // The resolver judges validity against the wall clock, the chain against block time. Blocks dated an
  // hour back keep "revoked at block time T" unambiguously in the past for the resolver, however
  // many blocks the tests mine within one wall-clock second.
  const { ethers, networkHelpers } = await network.create({
    override: { initialDate: new Date(Date.now() - 3_600_000) },
  });
  const [funder, veriKeyDelegate, sigAuthDelegate, nextOwner] = await ethers.getSigners();

  async function deployAndFund() {
    const registry = await ethers.deployContract("EthereumDIDRegistry");
    const registryAddress = await registry.getAddress();
    const identity = new Wallet(id("concord/test/resolved-identity"), ethers.provider);
    await (await funder.sendTransaction({ to: identity.address, value: 10n ** 18n })).wait();
    const resolver = new Resolver(
      getResolver({ networks: [{ name: "concord", chainId: CHAIN_ID, provider: ethers.provider as unknown as ResolverProvider, registry: registryAddress }] }),
    );
    const did = `did:ethr:0x7a69:${identity.address}`;
    const controller = new EthrDidController(did, undefined, identity as unknown as ControllerSigner, "0x7a69", undefined, undefined, registryAddress, false);
    return { registry, registryAddress, identity, resolver, did, controller };
  }

  const account = (address: string) => `eip155:${CHAIN_ID}:${address}`;

  function controllerMethod(did: string, controller: string) {
    return {
      id: `${did}#controller`,
      type: "EcdsaSecp256k1RecoveryMethod2020",
      controller: did,
      blockchainAccountId: account(controller),
    };
  }

  async function resolveDocument(resolver: Resolver, did: string): Promise<DIDDocument> {
    const result = await resolver.resolve(did, { accept: "application/did+json" });
    assert.equal(result.didResolutionMetadata.error, undefined, result.didResolutionMetadata.message);
    assert.ok(result.didDocument !== null);
    return result.didDocument;
  }

  it("resolves an identity that never touched the registry to its own controller key", async () => {
    const { resolver, did, identity } = await networkHelpers.loadFixture(deployAndFund);
    assert.deepEqual(await resolveDocument(resolver, did), {
      id: did,
      verificationMethod: [controllerMethod(did, identity.address)],
      authentication: [`${did}#controller`],
      assertionMethod: [`${did}#controller`],
    });
  });

  it("shows delegates, public keys and services set through the registry", async () => {
    const { resolver, did, identity, controller } = await networkHelpers.loadFixture(deployAndFund);
    await controller.addDelegate("veriKey", veriKeyDelegate.address, DAY);
    await controller.addDelegate("sigAuth", sigAuthDelegate.address, DAY);
    await controller.setAttribute("did/pub/Secp256k1/veriKey/hex", SECP256K1_PUBLIC_KEY, DAY);
    await controller.setAttribute("did/pub/X25519/enc/base64", X25519_PUBLIC_KEY, DAY);
    await controller.setAttribute("did/svc/HubService", "https://hub.concord.example/", DAY);

    assert.deepEqual(await resolveDocument(resolver, did), {
      id: did,
      verificationMethod: [
        controllerMethod(did, identity.address),
        {
          id: `${did}#delegate-1`,
          type: "EcdsaSecp256k1RecoveryMethod2020",
          controller: did,
          blockchainAccountId: account(veriKeyDelegate.address),
        },
        {
          id: `${did}#delegate-2`,
          type: "EcdsaSecp256k1RecoveryMethod2020",
          controller: did,
          blockchainAccountId: account(sigAuthDelegate.address),
        },
        {
          id: `${did}#delegate-3`,
          type: "EcdsaSecp256k1VerificationKey2019",
          controller: did,
          publicKeyHex: SECP256K1_PUBLIC_KEY.slice(2),
        },
        {
          id: `${did}#delegate-4`,
          type: "X25519KeyAgreementKey2019",
          controller: did,
          publicKeyBase64: encodeBase64(X25519_PUBLIC_KEY),
        },
      ],
      authentication: [`${did}#controller`, `${did}#delegate-2`],
      assertionMethod: [`${did}#controller`, `${did}#delegate-1`, `${did}#delegate-2`, `${did}#delegate-3`],
      keyAgreement: [`${did}#delegate-4`],
      service: [{ id: `${did}#service-1`, type: "HubService", serviceEndpoint: "https://hub.concord.example/" }],
    });
  });

  it("drops revoked delegates and attributes from the document", async () => {
    const { resolver, did, identity, controller } = await networkHelpers.loadFixture(deployAndFund);
    await controller.addDelegate("veriKey", veriKeyDelegate.address, DAY);
    await controller.addDelegate("sigAuth", sigAuthDelegate.address, DAY);
    await controller.setAttribute("did/svc/HubService", "https://hub.concord.example/", DAY);
    await controller.revokeDelegate("sigAuth", sigAuthDelegate.address);
    await controller.revokeAttribute("did/svc/HubService", "https://hub.concord.example/");

    const document = await resolveDocument(resolver, did);
    assert.deepEqual(document.verificationMethod, [
      controllerMethod(did, identity.address),
      {
        id: `${did}#delegate-1`,
        type: "EcdsaSecp256k1RecoveryMethod2020",
        controller: did,
        blockchainAccountId: account(veriKeyDelegate.address),
      },
    ]);
    assert.deepEqual(document.authentication, [`${did}#controller`]);
    assert.deepEqual(document.assertionMethod, [`${did}#controller`, `${did}#delegate-1`]);
    assert.equal(document.service, undefined);
  });

  it("drops a delegate whose validity has run out", async () => {
    const { resolver, did, identity, controller } = await networkHelpers.loadFixture(deployAndFund);
    await controller.addDelegate("veriKey", veriKeyDelegate.address, 60);
    // Two hours of block time pass: the delegate's expiry is now behind the resolver's clock.
    await networkHelpers.time.increase(7_200);
    // Block time is now ahead of the wall clock; resolve as of the latest block so "now" is the chain's.
    const latest = await ethers.provider.getBlockNumber();
    const result = await resolver.resolve(`${did}?versionId=${latest}`, { accept: "application/did+json" });
    assert.deepEqual(result.didDocument?.verificationMethod, [controllerMethod(did, identity.address)]);
  });

  it("names the new owner as controller after changeOwner", async () => {
    const { resolver, did, controller } = await networkHelpers.loadFixture(deployAndFund);
    await controller.changeOwner(nextOwner.address);
    const document = await resolveDocument(resolver, did);
    assert.deepEqual(document.verificationMethod, [controllerMethod(did, nextOwner.address)]);
  });

  it("reports the DID deactivated after its owner is set to the zero address", async () => {
    const { resolver, did, controller } = await networkHelpers.loadFixture(deployAndFund);
    await controller.changeOwner(ethers.ZeroAddress);
    const result = await resolver.resolve(did, { accept: "application/did+json" });
    assert.equal(result.didDocumentMetadata.deactivated, true);
    assert.deepEqual(result.didDocument, { id: did, verificationMethod: [], authentication: [], assertionMethod: [] });
  });

  it("resolves an earlier version of the document by block number (versionId)", async () => {
    const { resolver, did, identity, controller } = await networkHelpers.loadFixture(deployAndFund);
    const added = await controller.addDelegate("veriKey", veriKeyDelegate.address, DAY);
    await controller.changeOwner(nextOwner.address);

    const result = await resolver.resolve(`${did}?versionId=${added.blockNumber}`, { accept: "application/did+json" });
    assert.equal(result.didDocumentMetadata.versionId, String(added.blockNumber));
    assert.deepEqual(result.didDocument?.verificationMethod, [
      controllerMethod(did, identity.address),
      {
        id: `${did}#delegate-1`,
        type: "EcdsaSecp256k1RecoveryMethod2020",
        controller: did,
        blockchainAccountId: account(veriKeyDelegate.address),
      },
    ]);
  });

  it("lets the identity's signed changes be relayed by a third party (EthrDidController meta transactions)", async () => {
    const { resolver, did, identity, registryAddress } = await networkHelpers.loadFixture(deployAndFund);
    const relayed = new EthrDidController(did, undefined, funder as unknown as ControllerSigner, "0x7a69", undefined, undefined, registryAddress, false);
    const hash = await relayed.createAddDelegateHash("veriKey", veriKeyDelegate.address, DAY);
    const signature = identity.signingKey.sign(hash);
    await relayed.addDelegateSigned("veriKey", veriKeyDelegate.address, DAY, {
      sigV: signature.v,
      sigR: signature.r,
      sigS: signature.s,
    });
    const document = await resolveDocument(resolver, did);
    assert.deepEqual(document.assertionMethod, [`${did}#controller`, `${did}#delegate-1`]);
  });
});
