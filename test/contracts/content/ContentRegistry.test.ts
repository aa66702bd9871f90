import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { concat, hexlify } from "ethers";
import type { Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import ContentModule from "../../../ignition/modules/Content.ts";
import { expectEvent, expectRevert } from "../helpers/errors.ts";
import { CidError, cidBytesToString, cidFromBytes, cidToHex } from "../../../lib/cid.ts";
import { HELLO_WORLD_CIDV0, realCids } from "./cids.ts";

/** IContentRegistry.CidProblem, in declaration order. */
const CidProblem = {
  None: 0n,
  Empty: 1n,
  TooLong: 2n,
  UnsupportedVersion: 3n,
  MalformedV0: 4n,
  Truncated: 5n,
  NonMinimalVarint: 6n,
  VarintTooLong: 7n,
  TrailingBytes: 8n,
} as const;

const V0 = cidToHex(HELLO_WORLD_CIDV0);
const METADATA = '{"mediaType":"text/plain","size":12}';

describe("ContentRegistry", async () => {
  const connection = await network.create();
  const { networkHelpers, ignition, ethers } = connection;
  const [author, otherAuthor, reader] = await ethers.getSigners();
  const cids = await realCids();

  async function deployContent() {
    const { contentRegistry } = await ignition.deploy(ContentModule);
    return { registry: contentRegistry };
  }

  const as = (contract: Contract, signer: HardhatEthersSigner | undefined) => contract.connect(signer!) as Contract;

  /** `count` items by `who`, titled "item 1".. and all with the CIDv0 of "hello world\n". */
  async function publishItems(registry: Contract, who: HardhatEthersSigner, count: number): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const receipt = await (await as(registry, who).publish(V0, `item ${i + 1}`, METADATA)).wait();
      ids.push(registry.interface.parseLog(receipt.logs[0])!.args.itemId as bigint);
    }
    return ids;
  }

  describe("publish", () => {
    it("creates item 1 with its first version and emits ContentPublished", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      const tx = await as(registry, author).publish(V0, "Hello", METADATA);
      await expectEvent(tx, registry, "ContentPublished", [1n, author!.address, V0, "Hello", METADATA]);
      const publishedAt = BigInt(await networkHelpers.time.latest());

      const item = await registry.getItem(1n);
      assert.equal(item.itemId, 1n);
      assert.equal(item.author, author!.address);
      assert.equal(item.createdAt, publishedAt);
      assert.equal(item.updatedAt, publishedAt);
      assert.equal(item.versionCount, 1n);
      assert.equal(item.retracted, false);
      assert.deepEqual([...item.latest], [V0, "Hello", METADATA, publishedAt]);
      assert.equal(await registry.itemCount(), 1n);
      assert.equal(await registry.itemCountOf(author!.address), 1n);
    });

    it("numbers items across authors in publication order", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      assert.deepEqual(await publishItems(registry, author!, 2), [1n, 2n]);
      assert.deepEqual(await publishItems(registry, otherAuthor!, 1), [3n]);
      assert.equal(await registry.itemCount(), 3n);
    });

    it("accepts a title of exactly 200 bytes and metadata of exactly 2048 bytes", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await (await as(registry, author).publish(V0, "é".repeat(100), "m".repeat(2048))).wait();
      assert.equal((await registry.getItem(1n)).latest.title, "é".repeat(100));
    });

    it("rejects an empty title", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await expectRevert(as(registry, author).publish(V0, "", METADATA), registry, "ContentRegistryEmptyTitle", []);
    });

    it("rejects a title over 200 bytes, counting UTF-8 bytes", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await expectRevert(as(registry, author).publish(V0, "é".repeat(100) + "x", METADATA), registry, "ContentRegistryTitleTooLong", [
        201n,
        200n,
      ]);
    });

    it("rejects metadata over 2048 bytes", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await expectRevert(as(registry, author).publish(V0, "t", "m".repeat(2049)), registry, "ContentRegistryMetadataTooLong", [
        2049n,
        2048n,
      ]);
    });
  });

  describe("CID validation", () => {
    it("accepts every well-formed CID, stores its exact bytes and gives back the same CID string", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      for (const [i, { label, cid }] of cids.entries()) {
        const bytes = hexlify(cid.bytes);
        assert.deepEqual([...(await registry.checkCid(bytes))], [CidProblem.None, 0n], label);
        await (await as(registry, author).publish(bytes, label, "")).wait();
        const stored = (await registry.getVersion(BigInt(i + 1), 1n)).cid as string;
        assert.equal(stored, bytes, label);
        assert.equal(cidBytesToString(stored), cid.toString(), label);
      }
    });

    const invalid: Array<[label: string, bytes: string, problem: bigint, offset: bigint]> = [
      ["no bytes", "0x", CidProblem.Empty, 0n],
      ["129 bytes (an identity CID of 125 bytes)", concat(["0x01557d", "0x" + "ab".repeat(126)]), CidProblem.TooLong, 128n],
      ["version byte 0x00", "0x00551220" + "ab".repeat(32), CidProblem.UnsupportedVersion, 0n],
      ["version byte 0x02 (reserved)", "0x02551220" + "ab".repeat(32), CidProblem.UnsupportedVersion, 0n],
      ["version 1 written as a 2-byte varint", "0x8100551220" + "ab".repeat(32), CidProblem.UnsupportedVersion, 0n],
      ["a multibase string's bytes instead of binary", hexlify(new TextEncoder().encode(HELLO_WORLD_CIDV0)), CidProblem.UnsupportedVersion, 0n],
      ["CIDv0 with a 33-byte digest length", "0x1221" + "ab".repeat(33), CidProblem.MalformedV0, 1n],
      ["CIDv0 with only the hash code", "0x12", CidProblem.Truncated, 1n],
      ["CIDv0 one byte short", V0.slice(0, -2), CidProblem.Truncated, 33n],
      ["CIDv0 with a trailing byte", V0 + "00", CidProblem.TrailingBytes, 34n],
      ["CIDv1 with only the version", "0x01", CidProblem.Truncated, 1n],
      ["CIDv1 ending inside the codec varint", "0x0180", CidProblem.Truncated, 2n],
      ["CIDv1 digest shorter than declared", "0x01551220" + "ab".repeat(31), CidProblem.Truncated, 35n],
      ["CIDv1 digest longer than declared", "0x01551220" + "ab".repeat(33), CidProblem.TrailingBytes, 36n],
      ["CIDv1 with a non-minimal codec varint (0x55 as d5 00)", "0x01d5001220" + "ab".repeat(32), CidProblem.NonMinimalVarint, 2n],
      ["CIDv1 with a non-minimal digest length varint", "0x015512a000" + "ab".repeat(32), CidProblem.NonMinimalVarint, 4n],
      ["CIDv1 with a 10-byte codec varint", "0x01" + "ff".repeat(9) + "01" + "1220" + "ab".repeat(32), CidProblem.VarintTooLong, 9n],
      ["CIDv1 declaring a 2^62-byte digest", "0x015512" + "8080808080808080" + "40" + "ab".repeat(4), CidProblem.Truncated, 16n],
    ];

    for (const [label, bytes, problem, offset] of invalid) {
      it(`rejects ${label}`, async () => {
        const { registry } = await networkHelpers.loadFixture(deployContent);
        assert.deepEqual([...(await registry.checkCid(bytes))], [problem, offset]);
        await expectRevert(as(registry, author).publish(bytes, "t", ""), registry, "ContentRegistryInvalidCid", [problem, offset]);
      });
    }

    it("rejects every truncation and every one-byte extension of every well-formed CID", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      for (const { label, cid } of cids) {
        const bytes = cid.bytes;
        for (let length = 1; length < bytes.length; length++) {
          const truncated = bytes.slice(0, length);
          assert.deepEqual([...(await registry.checkCid(truncated))], [CidProblem.Truncated, BigInt(length)], `${label} cut to ${length} bytes`);
          assert.throws(() => cidFromBytes(truncated), CidError, `multiformats agrees: ${label} cut to ${length} bytes`);
        }
        const extended = concat([bytes, "0x00"]);
        assert.deepEqual([...(await registry.checkCid(extended))], [CidProblem.TrailingBytes, BigInt(bytes.length)], `${label} + 1 byte`);
        assert.throws(() => cidFromBytes(extended), CidError, `multiformats agrees: ${label} + 1 byte`);
      }
    });

    it("applies the same checks to new versions", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      await expectRevert(as(registry, author).publishVersion(1n, V0 + "00", "t", ""), registry, "ContentRegistryInvalidCid", [
        CidProblem.TrailingBytes,
        34n,
      ]);
    });
  });

  describe("versions", () => {
    it("adds version 2 by the author, emits ContentVersionPublished and makes it the latest", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      const v2 = hexlify(cids[2]!.cid.bytes);
      const tx = await as(registry, author).publishVersion(1n, v2, "Hello, again", "{}");
      await expectEvent(tx, registry, "ContentVersionPublished", [1n, 2n, author!.address, v2, "Hello, again", "{}"]);
      const now = BigInt(await networkHelpers.time.latest());

      assert.equal(await registry.versionCount(1n), 2n);
      const item = await registry.getItem(1n);
      assert.equal(item.versionCount, 2n);
      assert.equal(item.updatedAt, now);
      assert.deepEqual([...item.latest], [v2, "Hello, again", "{}", now]);
      assert.equal((await registry.getVersion(1n, 1n)).cid, V0);
      assert.equal((await registry.getVersion(1n, 2n)).cid, v2);
    });

    it("rejects a new version by anyone but the author", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      await expectRevert(as(registry, otherAuthor).publishVersion(1n, V0, "mine now", ""), registry, "ContentRegistryNotAuthor", [
        1n,
        otherAuthor!.address,
      ]);
    });

    it("rejects a new version of an item that does not exist", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      for (const itemId of [0n, 2n]) {
        await expectRevert(as(registry, author).publishVersion(itemId, V0, "t", ""), registry, "ContentRegistryUnknownItem", [itemId]);
      }
    });

    it("rejects reading a version out of range", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      await expectRevert(registry.getVersion(1n, 0n), registry, "ContentRegistryUnknownVersion", [1n, 0n]);
      await expectRevert(registry.getVersion(1n, 2n), registry, "ContentRegistryUnknownVersion", [1n, 2n]);
      await expectRevert(registry.getVersion(7n, 1n), registry, "ContentRegistryUnknownItem", [7n]);
    });
  });

  describe("retract", () => {
    it("marks the item retracted, emits ContentRetracted and refuses new versions", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      await expectEvent(as(registry, author).retract(1n), registry, "ContentRetracted", [1n, author!.address]);
      assert.equal((await registry.getItem(1n)).retracted, true);
      assert.equal((await registry.getVersion(1n, 1n)).cid, V0, "a retracted item stays readable");
      await expectRevert(as(registry, author).publishVersion(1n, V0, "t", ""), registry, "ContentRegistryItemRetracted", [1n]);
      await expectRevert(as(registry, author).retract(1n), registry, "ContentRegistryItemRetracted", [1n]);
    });

    it("lets only the author retract", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      await expectRevert(as(registry, reader).retract(1n), registry, "ContentRegistryNotAuthor", [1n, reader!.address]);
      await expectRevert(as(registry, author).retract(5n), registry, "ContentRegistryUnknownItem", [5n]);
    });
  });

  describe("listing", () => {
    async function sixItems() {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      // author: items 1, 2, 4, 5, 6; otherAuthor: item 3
      await publishItems(registry, author!, 2);
      await publishItems(registry, otherAuthor!, 1);
      await publishItems(registry, author!, 3);
      return registry;
    }
    const ids = (page: Array<{ itemId: bigint }>) => page.map((item) => item.itemId);

    it("pages through an author's items, oldest first", async () => {
      const registry = await sixItems();
      assert.equal(await registry.itemCountOf(author!.address), 5n);
      assert.deepEqual(ids(await registry.itemsOf(author!.address, 0n, 2n)), [1n, 2n]);
      assert.deepEqual(ids(await registry.itemsOf(author!.address, 2n, 2n)), [4n, 5n]);
      assert.deepEqual(ids(await registry.itemsOf(author!.address, 4n, 2n)), [6n]);
      assert.deepEqual(ids(await registry.itemsOf(otherAuthor!.address, 0n, 10n)), [3n]);
    });

    it("returns an empty page past the end, for a zero limit and for an author with nothing", async () => {
      const registry = await sixItems();
      assert.deepEqual(ids(await registry.itemsOf(author!.address, 5n, 2n)), []);
      assert.deepEqual(ids(await registry.itemsOf(author!.address, ethers.MaxUint256, 2n)), []);
      assert.deepEqual(ids(await registry.itemsOf(author!.address, 0n, 0n)), []);
      assert.deepEqual(ids(await registry.itemsOf(reader!.address, 0n, 10n)), []);
      assert.equal(await registry.itemCountOf(reader!.address), 0n);
    });

    it("pages through all items of all authors", async () => {
      const registry = await sixItems();
      assert.deepEqual(ids(await registry.items(0n, 4n)), [1n, 2n, 3n, 4n]);
      assert.deepEqual(ids(await registry.items(4n, ethers.MaxUint256)), [5n, 6n]);
      const third = (await registry.items(2n, 1n))[0];
      assert.equal(third.author, otherAuthor!.address);
      assert.equal(third.latest.title, "item 1");
    });

    it("pages through an item's versions and caps a page at MAX_PAGE_SIZE", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await publishItems(registry, author!, 1);
      const max = (await registry.MAX_PAGE_SIZE()) as bigint;
      for (let v = 2n; v <= max + 1n; v++) await as(registry, author).publishVersion(1n, V0, `v${v}`, "");
      assert.equal(await registry.versionCount(1n), max + 1n);
      const titles = (page: Array<{ title: string }>) => page.map((version) => version.title);
      assert.deepEqual(titles(await registry.versions(1n, 1n, 2n)), ["v2", "v3"]);
      assert.deepEqual(titles(await registry.versions(1n, max, 5n)), [`v${max + 1n}`]);
      assert.equal((await registry.versions(1n, 0n, ethers.MaxUint256)).length, Number(max));
      await expectRevert(registry.versions(9n, 0n, 1n), registry, "ContentRegistryUnknownItem", [9n]);
    });

    it("rejects reading an item that does not exist", async () => {
      const { registry } = await networkHelpers.loadFixture(deployContent);
      await expectRevert(registry.getItem(1n), registry, "ContentRegistryUnknownItem", [1n]);
      await expectRevert(registry.versionCount(0n), registry, "ContentRegistryUnknownItem", [0n]);
    });
  });
});
