import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BlackHoleBlockstore } from "blockstore-core";
import { type ImportCandidate, importer } from "ipfs-unixfs-importer";
import all from "it-all";
import { type ImportSettings, importerOptionsFor } from "../../ipfs/importSettings.ts";
import { IpfsClient } from "../../ipfs/client.ts";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { deterministicBuffer, deterministicBytes, deterministicNames } from "./helpers/deterministicData.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The root CID the importer gives for `candidates` under `settings` (nothing is stored). */
async function rootCid(candidates: ImportCandidate[], settings: ImportSettings = {}): Promise<string> {
  const results = await all(importer(candidates, new BlackHoleBlockstore(), importerOptionsFor(settings)));
  return results.at(-1)!.cid.toString();
}

const file = (content: Uint8Array | Iterable<Uint8Array>): ImportCandidate[] => [{ content }];

const LOREM =
  "Lorem ipsum dolor sit amet, sit enim montes aliquam. Cras non lorem, rhoncus condimentum, irure et ante. " +
  "Pulvinar suscipit odio ante, et tellus a enim, wisi ipsum, vel rhoncus eget faucibus varius, luctus turpis nibh vel odio nulla pede.";

describe("CIDs identical to Kubo's (default `ipfs add`: CIDv0, 256 KiB chunks, dag-pb leaves, 174 links)", () => {
  it('"hello world\\n" (Kubo docs, TOOLCHAIN.md)', async () => {
    assert.equal(await rootCid(file(encode("hello world\n"))), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  });

  it("the empty file (kubo test/sharness/t0040-add-and-cat.sh 'zero length file has correct hash')", async () => {
    assert.equal(await rootCid(file(new Uint8Array(0))), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  });

  it('"hello world" (kubo test/cli/cid_profiles_test.go unixfs-v0-2015 SmallFileCID)', async () => {
    assert.equal(await rootCid(file(encode("hello world"))), "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");
  });

  it('"hello\\n" (kubo test/sharness/t0114-gateway-subdomains/README.md CIDv0)', async () => {
    assert.equal(await rootCid(file(encode("hello\n"))), "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN");
  });

  it("one full 256 KiB chunk and one byte more (kubo cid_profiles_test.go, seed chunk-v0-seed)", async () => {
    assert.equal(await rootCid(file(deterministicBytes(262_144, "chunk-v0-seed"))), "QmWmRj3dFDZdb6ABvbmKhEL6TmPbAfBZ1t5BxsEyJrcZhE");
    assert.equal(await rootCid(file(deterministicBytes(262_145, "chunk-v0-seed"))), "QmYyLxtzZyW22zpoVAtKANLRHpDjZtNeDjQdJrcQNWoRkJ");
  });

  it("174 chunks fill one layer; one more chunk or byte rebalances (kubo cid_profiles_test.go, seed v0-seed; IPIP-0499 fixtures)", async () => {
    assert.equal(await rootCid(file(deterministicBytes(174 * 262_144, "v0-seed"))), "QmUbBALi174SnogsUzLpYbD4xPiBSFANF4iztWCsHbMKh2");
    assert.equal(await rootCid(file(deterministicBytes(175 * 262_144, "v0-seed"))), "QmepeWtdmS1hHXx1oZXsPUv6bMrfRRKfZcoPPU4eEfjnbf");
    assert.equal(await rootCid(file(deterministicBytes(174 * 262_144 + 1, "v0-seed"))), "QmV81WL765sC8DXsRhE5fJv2rwhS4icHRaf3J9Zk5FdRnW");
  });

  it("small custom chunkers over fixed text (rs-ipfs/rust-ipfs unixfs/src/file/adder.rs, CIDs from go-ipfs)", async () => {
    assert.equal(await rootCid(file(encode("foobar\n"))), "QmRgutAxd8t7oGkSm4wmeuByG6M51wcTso6cubDdQtuEfL");
    assert.equal(await rootCid(file(encode("foobar\n")), { chunker: "size-2" }), "QmRJHYTNvC3hmd9gJQARxLR1QMEincccBV53bBw524yyq6");
    // 239 one-byte leaves: a three-layer balanced tree with 174 links in the first child.
    assert.equal(await rootCid(file(encode(LOREM)), { chunker: "size-1" }), "QmRQ6NZNUs4JrCT2y7tmCC1wUhjqYuTssB8VXbbN3rMffg");
    assert.equal(await rootCid(file(encode(LOREM)), { chunker: "size-32" }), "QmYSLcVQqxKygiq7x9w1XGYxU29EShB8ZemiaQ8GAAw17h");
    // 174 * 2 + 1 zero bytes: a full link layer and a byte.
    assert.equal(await rootCid(file(new Uint8Array(349)), { chunker: "size-2" }), "QmcHNWF1d56uCDSfJPA7t9fadZRV9we5HGSTGSmwuqmMP9");
  });

  it("trickle DAG with -t (kubo t0040-add-and-cat.sh 'ipfs add -t output looks good')", async () => {
    assert.equal(await rootCid(file(encode("Hello Worlds!\n")), { trickle: true }), "QmUkUQgxXeggyaD5Ckv8ZqfW8wHBX6cYyeiyqvVZYzq5Bi");
  });

  it("raw leaves on the empty file (kubo t0040-add-and-cat.sh 'add zero length file with raw-leaves')", async () => {
    assert.equal(await rootCid(file(new Uint8Array(0)), { rawLeaves: true }), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  });

  it("a directory tree (kubo t0040-add-and-cat.sh 'ipfs add -r .')", async () => {
    const tree = [
      { path: "test_current_dir/hey", content: encode("Hey\n") },
      { path: "test_current_dir/hello/world", content: encode("World\n") },
    ];
    assert.equal(await rootCid(tree), "QmZQWnfcqJ6hNkkPvrY9Q5X39GP3jUnUbAV4AbmbbR3Cb1");
  });

  it("the empty directory (IPIP-0499 / UnixFS spec test vectors)", async () => {
    assert.equal(await rootCid([{ path: "emptyDir" }]), "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn");
  });

  it("a directory at the 256 KiB links-bytes threshold stays flat, one byte over becomes a HAMT (kubo cid_profiles_test.go)", async () => {
    const x = new Uint8Array([120]);
    const flat = deterministicNames(4096, 30, 30, "hamt-unixfs-v0-2015").map((name) => ({ path: `rootDir/${name}`, content: x }));
    assert.equal(await rootCid(flat), "QmX5GtRk3TSSEHtdrykgqm4eqMEn3n2XhfkFAis5fjyZmN");
    const sharded = deterministicNames(4033, 31, 31, "hamt-unixfs-v0-2015").map((name) => ({ path: `rootDir/${name}`, content: x }));
    assert.equal(await rootCid(sharded), "QmeMiJzmhpJAUgynAcxTQYek5PPKgdv3qEvFsdV3XpVnvP");
  });
});

describe("CIDs of the modern profile (IPIP-0499 unixfs-v1-2025: CIDv1, raw leaves, 1 MiB chunks, 1024 links)", () => {
  const modern: ImportSettings = { profile: "unixfs-v1-2025" };

  it('"hello world" (kubo cid_profiles_test.go unixfs-v1-2025 SmallFileCID)', async () => {
    assert.equal(await rootCid(file(encode("hello world")), modern), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  });

  it("one full 1 MiB chunk and one byte more (kubo cid_profiles_test.go, seed chunk-v1-seed)", async () => {
    assert.equal(await rootCid(file(deterministicBytes(1_048_576, "chunk-v1-seed")), modern), "bafkreiacndfy443ter6qr2tmbbdhadvxxheowwf75s6zehscklu6ezxmta");
    assert.equal(await rootCid(file(deterministicBytes(1_048_577, "chunk-v1-seed")), modern), "bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64");
  });

  it("a directory tree (kubo t0114-gateway-subdomains/README.md, `ipfs add -r --cid-version 1`)", async () => {
    // Kubo's --cid-version=1 alone: CIDv1 and raw leaves, default chunking.
    const tree = [
      { path: "testdirlisting/hello", content: encode("hello\n") },
      { path: "testdirlisting/ipfs/ipns/bar", content: encode("text-file-content\n") },
      { path: "testdirlisting/api/file.txt", content: encode("I am a txt file\n") },
      { path: "testdirlisting/ipfs/file.txt", content: encode("I am a txt file\n") },
    ];
    assert.equal(await rootCid(tree, { cidVersion: 1 }), "bafybeiht6dtwk3les7vqm6ibpvz6qpohidvlshsfyr7l5mpysdw2vmbbhe");
  });

  it("a directory at the 256 KiB block-bytes threshold stays flat, one byte over becomes a HAMT (kubo cid_profiles_test.go)", async () => {
    const x = new Uint8Array([120]);
    const flat = deterministicNames(4766, 11, 21, "hamt-unixfs-v1-2025").map((name) => ({ path: `rootDir/${name}`, content: x }));
    assert.equal(await rootCid(flat, modern), "bafybeic3h7rwruealwxkacabdy45jivq2crwz6bufb5ljwupn36gicplx4");
    const sharded = deterministicNames(4766, 11, 22, "hamt-unixfs-v1-2025").map((name) => ({ path: `rootDir/${name}`, content: x }));
    assert.equal(await rootCid(sharded, modern), "bafybeiegvuterwurhdtkikfhbxcldohmxp566vpjdofhzmnhv6o4freidu");
  });

  it("the empty directory (IPIP-0499)", async () => {
    assert.equal(await rootCid([{ path: "emptyDir" }], modern), "bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354");
  });
});

describe("import settings validation", () => {
  it("refuses hash functions other than sha2-256", () => {
    assert.throws(() => importerOptionsFor({ hash: "blake3" }), {
      code: "IPFS_INVALID_ARGUMENT",
      message: 'unrecognized hash function: "blake3" (this node hashes with sha2-256 only)',
    });
  });

  it("refuses chunks larger than a bitswap block can carry", () => {
    assert.throws(() => importerOptionsFor({ chunker: "size-2097152" }), {
      code: "IPFS_INVALID_ARGUMENT",
      message: "chunker parameters may not exceed the maximum chunk size of 2096896",
    });
  });

  it("refuses a non-numeric chunk size with Go's message", () => {
    assert.throws(() => importerOptionsFor({ chunker: "size-abc" }), { message: 'strconv.Atoi: parsing "abc": invalid syntax' });
  });

  it("refuses fewer than two links per node", () => {
    assert.throws(() => importerOptionsFor({ maxFileLinks: 1 }), { code: "IPFS_INVALID_ARGUMENT", message: "max-file-links must be at least 2, got 1" });
  });
});

describe("the same CIDs through the RPC API and the client", () => {
  let node: IpfsNode;
  let client: IpfsClient;

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0 });
    client = new IpfsClient({ apiUrl: node.apiUrl });
  });
  after(async () => {
    await node.stop();
  });

  it("adds the default profile like `ipfs add` (empty, small, multi-chunk)", async () => {
    assert.equal((await client.add(new Uint8Array(0))).cid, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
    assert.equal((await client.add(encode("hello world\n"))).cid, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    assert.equal((await client.add(deterministicBuffer(262_145, "chunk-v0-seed"))).cid, "QmYyLxtzZyW22zpoVAtKANLRHpDjZtNeDjQdJrcQNWoRkJ");
  });

  it("adds the modern profile when asked", async () => {
    const added = await client.add(deterministicBuffer(1_048_577, "chunk-v1-seed"), { profile: "unixfs-v1-2025" });
    assert.equal(added.cid, "bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64");
  });
});
