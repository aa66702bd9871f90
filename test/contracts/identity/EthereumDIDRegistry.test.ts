import { describe, it } from "node:test";
import assert from "node:assert/strict";
import hre, { network } from "hardhat";
import { Contract, Interface, Wallet, encodeBytes32String, hexlify, id, recoverAddress, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import type { Signature } from "ethers";
import { EthereumDIDRegistry as EthereumDIDRegistryArtifact, EthrDidController } from "ethr-did-resolver";
import { expectEvent, expectRevert } from "../helpers/errors.ts";

// ethr-did-resolver is CommonJS: TypeScript sees ethers' CommonJS declarations there, distinct from
// (but at run time the same as) the ESM ones used here.
type ControllerContract = NonNullable<ConstructorParameters<typeof EthrDidController>[1]>;

const VERI_KEY = encodeBytes32String("veriKey");
const SIG_AUTH = encodeBytes32String("sigAuth");
const DAY = 86_400n;

describe("EthereumDIDRegistry", async () => {
  const { ethers, networkHelpers } = await network.create();
  const [, stranger, delegate, newOwner, relayer] = await ethers.getSigners();

  async function deployRegistry() {
    const registry = await ethers.deployContract("EthereumDIDRegistry");
    // A key whose raw-hash signatures the tests need; Hardhat signers only sign with the EIP-191 prefix.
    const identity = new Wallet(id("concord/test/did-identity"), ethers.provider);
    const owner = await ethers.provider.getSigner(0);
    await (await owner.sendTransaction({ to: identity.address, value: 10n ** 18n })).wait();
    return { registry, identity };
  }

  const as = (registry: Contract, signer: unknown) => registry.connect(signer as Wallet) as Contract;

  async function blockTimestamp(): Promise<bigint> {
    return BigInt(await networkHelpers.time.latest());
  }

  it("has exactly the functions and events of the registry ABI that ethr-did-resolver ships", async () => {
    const ours = new Interface((await hre.artifacts.readArtifact("EthereumDIDRegistry")).abi);
    const reference = new Interface(EthereumDIDRegistryArtifact.abi);
    const shape = (iface: Interface) => {
      const entries: string[] = [];
      iface.forEachFunction((fn) => entries.push(`${fn.format("full")} [${fn.stateMutability}]`));
      iface.forEachEvent((ev) => entries.push(ev.format("full")));
      return entries.sort();
    };
    assert.deepEqual(shape(ours), shape(reference));
  });

  describe("ownership", () => {
    it("treats every address as owning itself until it changes owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      assert.equal(await registry.identityOwner(identity.address), identity.address);
      assert.equal(await registry.owners(identity.address), ethers.ZeroAddress);
      assert.equal(await registry.changed(identity.address), 0n);
    });

    it("hands control to the new owner, emits DIDOwnerChanged and links the previous change", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const first = await as(registry, identity).changeOwner(identity.address, newOwner.address);
      const firstReceipt = await first.wait();
      await expectEvent(firstReceipt, registry, "DIDOwnerChanged", [identity.address, newOwner.address, 0n]);
      assert.equal(await registry.identityOwner(identity.address), newOwner.address);
      assert.equal(await registry.changed(identity.address), BigInt(firstReceipt.blockNumber));

      const second = await as(registry, newOwner).changeOwner(identity.address, stranger.address);
      await expectEvent(second, registry, "DIDOwnerChanged", [
        identity.address,
        stranger.address,
        BigInt(firstReceipt.blockNumber),
      ]);
    });

    it("rejects a change of owner by anyone but the current owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await expectRevert(
        as(registry, stranger).changeOwner(identity.address, stranger.address),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, stranger.address],
      );
    });

    it("takes control away from the previous owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await (await as(registry, identity).changeOwner(identity.address, newOwner.address)).wait();
      await expectRevert(
        as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, DAY),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, identity.address],
      );
      await (await as(registry, newOwner).addDelegate(identity.address, VERI_KEY, delegate.address, DAY)).wait();
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), true);
    });
  });

  describe("delegates", () => {
    it("adds a delegate valid for `validity` seconds and emits its expiry", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const tx = await as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, DAY);
      const receipt = await tx.wait();
      const validTo = (await blockTimestamp()) + DAY;
      await expectEvent(receipt, registry, "DIDDelegateChanged", [identity.address, VERI_KEY, delegate.address, validTo, 0n]);
      assert.equal(await registry.delegates(identity.address, ethers.keccak256(VERI_KEY), delegate.address), validTo);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), true);
      assert.equal(await registry.changed(identity.address), BigInt(receipt.blockNumber));
    });

    it("scopes a delegate to its type and address", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await (await as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, DAY)).wait();
      assert.equal(await registry.validDelegate(identity.address, SIG_AUTH, delegate.address), false);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, stranger.address), false);
      assert.equal(await registry.validDelegate(stranger.address, VERI_KEY, delegate.address), false);
    });

    it("lets a delegate expire when its validity has passed", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await (await as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, 100n)).wait();
      const validTo = (await blockTimestamp()) + 100n;
      await networkHelpers.time.increaseTo(validTo - 1n);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), true);
      await networkHelpers.time.increaseTo(validTo);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), false);
    });

    it("revokes a delegate at once, recording the revocation time as its expiry", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const added = await (await as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, DAY)).wait();
      const tx = await as(registry, identity).revokeDelegate(identity.address, VERI_KEY, delegate.address);
      const receipt = await tx.wait();
      const now = await blockTimestamp();
      await expectEvent(receipt, registry, "DIDDelegateChanged", [
        identity.address,
        VERI_KEY,
        delegate.address,
        now,
        BigInt(added.blockNumber),
      ]);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), false);
      assert.equal(await registry.delegates(identity.address, ethers.keccak256(VERI_KEY), delegate.address), now);
    });

    it("rejects adding or revoking a delegate by anyone but the owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await expectRevert(
        as(registry, delegate).addDelegate(identity.address, VERI_KEY, delegate.address, DAY),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, delegate.address],
      );
      await (await as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, DAY)).wait();
      // A delegate cannot revoke itself either: delegation grants no control over the DID.
      await expectRevert(
        as(registry, delegate).revokeDelegate(identity.address, VERI_KEY, delegate.address),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, delegate.address],
      );
    });

    it("rejects a validity that would overflow the expiry timestamp", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const validity = ethers.MaxUint256 - 10n;
      await expectRevert(
        as(registry, identity).addDelegate(identity.address, VERI_KEY, delegate.address, validity),
        registry,
        "EthereumDIDRegistryValidityOverflow",
        [validity],
      );
    });
  });

  describe("attributes", () => {
    const name = encodeBytes32String("did/svc/MessagingService");
    const value = hexlify(toUtf8Bytes("https://concord.example/messages"));

    it("publishes an attribute with its expiry in DIDAttributeChanged", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const tx = await as(registry, identity).setAttribute(identity.address, name, value, DAY);
      const receipt = await tx.wait();
      await expectEvent(receipt, registry, "DIDAttributeChanged", [
        identity.address,
        name,
        value,
        (await blockTimestamp()) + DAY,
        0n,
      ]);
      assert.equal(await registry.changed(identity.address), BigInt(receipt.blockNumber));
    });

    it("revokes an attribute with validTo 0, linked to the previous change", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const set = await (await as(registry, identity).setAttribute(identity.address, name, value, DAY)).wait();
      const tx = await as(registry, identity).revokeAttribute(identity.address, name, value);
      await expectEvent(tx, registry, "DIDAttributeChanged", [identity.address, name, value, 0n, BigInt(set.blockNumber)]);
    });

    it("rejects setting or revoking an attribute by anyone but the owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await expectRevert(
        as(registry, stranger).setAttribute(identity.address, name, value, DAY),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, stranger.address],
      );
      await expectRevert(
        as(registry, stranger).revokeAttribute(identity.address, name, value),
        registry,
        "EthereumDIDRegistryBadActor",
        [identity.address, stranger.address],
      );
    });
  });

  describe("signed changes (hashes built by ethr-did-resolver's EthrDidController)", () => {
    const attrName = "did/pub/Secp256k1/veriKey/hex";
    const attrValue = "0x02b97c30de767f084ce3080168ee293053ba33b235d7116a3263d29f1450936b71";
    const controllerFor = async (registry: Contract, identityAddress: string) =>
      // legacyNonce = false: registry v1.0 semantics, every hash uses the current owner's nonce.
      new EthrDidController(identityAddress, registry as unknown as ControllerContract, undefined, "0x7a69", undefined, undefined, undefined, false);

    type SignedCase = {
      name: string;
      hash: (controller: EthrDidController) => Promise<string>;
      send: (registry: Contract, identity: string, sig: Signature) => Promise<unknown>;
      effect: (registry: Contract, identity: string) => Promise<void>;
    };

    const signedCases: SignedCase[] = [
      {
        name: "changeOwnerSigned",
        hash: (c) => c.createChangeOwnerHash(newOwner.address),
        send: (r, who, s) => as(r, relayer).changeOwnerSigned(who, s.v, s.r, s.s, newOwner.address),
        effect: async (r, who) => assert.equal(await r.identityOwner(who), newOwner.address),
      },
      {
        name: "addDelegateSigned",
        hash: (c) => c.createAddDelegateHash("sigAuth", delegate.address, Number(DAY)),
        send: (r, who, s) => as(r, relayer).addDelegateSigned(who, s.v, s.r, s.s, SIG_AUTH, delegate.address, DAY),
        effect: async (r, who) => assert.equal(await r.validDelegate(who, SIG_AUTH, delegate.address), true),
      },
      {
        name: "revokeDelegateSigned",
        hash: (c) => c.createRevokeDelegateHash("sigAuth", delegate.address),
        send: (r, who, s) => as(r, relayer).revokeDelegateSigned(who, s.v, s.r, s.s, SIG_AUTH, delegate.address),
        effect: async (r, who) => {
          const now = BigInt(await networkHelpers.time.latest());
          assert.equal(await r.delegates(who, ethers.keccak256(SIG_AUTH), delegate.address), now);
        },
      },
      {
        name: "setAttributeSigned",
        hash: (c) => c.createSetAttributeHash(attrName, attrValue, Number(DAY)),
        send: (r, who, s) =>
          as(r, relayer).setAttributeSigned(who, s.v, s.r, s.s, encodeBytes32String(attrName), attrValue, DAY),
        effect: async (r, who) => assert.equal(await r.changed(who), BigInt(await ethers.provider.getBlockNumber())),
      },
      {
        name: "revokeAttributeSigned",
        hash: (c) => c.createRevokeAttributeHash(attrName, attrValue),
        send: (r, who, s) =>
          as(r, relayer).revokeAttributeSigned(who, s.v, s.r, s.s, encodeBytes32String(attrName), attrValue),
        effect: async (r, who) => assert.equal(await r.changed(who), BigInt(await ethers.provider.getBlockNumber())),
      },
    ];

    it("hashes changeOwner exactly as the reference registry: 0x19 0x00 ‖ registry ‖ nonce ‖ identity ‖ payload", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const controller = await controllerFor(registry, identity.address);
      const expected = solidityPackedKeccak256(
        ["bytes1", "bytes1", "address", "uint256", "address", "string", "address"],
        ["0x19", "0x00", await registry.getAddress(), 0n, identity.address, "changeOwner", newOwner.address],
      );
      assert.equal(await controller.createChangeOwnerHash(newOwner.address), expected);
    });

    for (const signed of signedCases) {
      describe(signed.name, () => {
        it("applies the change when relayed with the owner's signature and bumps the owner's nonce", async () => {
          const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
          const signature = identity.signingKey.sign(await signed.hash(await controllerFor(registry, identity.address)));
          await (await signed.send(registry, identity.address, signature) as { wait(): Promise<unknown> }).wait();
          await signed.effect(registry, identity.address);
          assert.equal(await registry.nonce(identity.address), 1n);
        });

        it("rejects the same signature replayed", async () => {
          const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
          const controller = await controllerFor(registry, identity.address);
          const signature = identity.signingKey.sign(await signed.hash(controller));
          await (await signed.send(registry, identity.address, signature) as { wait(): Promise<unknown> }).wait();
          if (signed.name === "changeOwnerSigned") {
            // Hand control back, so the replay is refused for its nonce and not merely for a new owner.
            await (await as(registry, newOwner).changeOwner(identity.address, identity.address)).wait();
          }
          // The replayed signature is checked against the hash of the next nonce: it recovers to some
          // unrelated address, which is what the error reports.
          const replayedHash = await signed.hash(controller);
          const recovered = recoverAddress(replayedHash, signature);
          await expectRevert(signed.send(registry, identity.address, signature), registry, "EthereumDIDRegistryBadSignature", [
            identity.address,
            recovered,
          ]);
        });

        it("rejects a signature by someone other than the owner and leaves every nonce unchanged", async () => {
          const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
          const forger = Wallet.createRandom();
          const signature = forger.signingKey.sign(await signed.hash(await controllerFor(registry, identity.address)));
          await expectRevert(signed.send(registry, identity.address, signature), registry, "EthereumDIDRegistryBadSignature", [
            identity.address,
            forger.address,
          ]);
          assert.equal(await registry.nonce(identity.address), 0n);
          assert.equal(await registry.nonce(forger.address), 0n);
        });
      });
    }

    it("rejects a signature over different arguments (a tampered delegate)", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const controller = await controllerFor(registry, identity.address);
      const signature = identity.signingKey.sign(await controller.createAddDelegateHash("veriKey", delegate.address, Number(DAY)));
      const submittedHash = await controller.createAddDelegateHash("veriKey", stranger.address, Number(DAY));
      await expectRevert(
        as(registry, relayer).addDelegateSigned(identity.address, signature.v, signature.r, signature.s, VERI_KEY, stranger.address, DAY),
        registry,
        "EthereumDIDRegistryBadSignature",
        [identity.address, recoverAddress(submittedHash, signature)],
      );
    });

    it("reports a signature that recovers to no address as signer 0x0", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      await expectRevert(
        as(registry, relayer).changeOwnerSigned(identity.address, 27, ethers.ZeroHash, ethers.ZeroHash, newOwner.address),
        registry,
        "EthereumDIDRegistryBadSignature",
        [identity.address, ethers.ZeroAddress],
      );
    });

    it("uses the new owner's nonce and key after a change of owner", async () => {
      const { registry, identity } = await networkHelpers.loadFixture(deployRegistry);
      const nextOwner = new Wallet(id("concord/test/did-next-owner"));
      await (await as(registry, identity).changeOwner(identity.address, nextOwner.address)).wait();
      const controller = await controllerFor(registry, identity.address);
      const hash = await controller.createAddDelegateHash("veriKey", delegate.address, Number(DAY));

      const byOldKey = identity.signingKey.sign(hash);
      await expectRevert(
        as(registry, relayer).addDelegateSigned(identity.address, byOldKey.v, byOldKey.r, byOldKey.s, VERI_KEY, delegate.address, DAY),
        registry,
        "EthereumDIDRegistryBadSignature",
        [identity.address, identity.address],
      );

      const byNewOwner = nextOwner.signingKey.sign(hash);
      await (
        await as(registry, relayer).addDelegateSigned(identity.address, byNewOwner.v, byNewOwner.r, byNewOwner.s, VERI_KEY, delegate.address, DAY)
      ).wait();
      assert.equal(await registry.nonce(nextOwner.address), 1n);
      assert.equal(await registry.nonce(identity.address), 0n);
      assert.equal(await registry.validDelegate(identity.address, VERI_KEY, delegate.address), true);
    });
  });
});
