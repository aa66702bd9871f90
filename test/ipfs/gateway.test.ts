import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CarReader } from "@ipld/car/reader";
import { MemoryBlockstore } from "blockstore-core";
import { exporter } from "ipfs-unixfs-exporter";
import all from "it-all";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { verifiedFetchFrom } from "./helpers/gatewayVerifiedFetch.ts";
import { deterministicBuffer } from "./helpers/deterministicData.ts";

const HELLO_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Reads a CAR and checks every block against the sha2-256 digest in its CID. */
async function readVerifiedCar(bytes: Uint8Array): Promise<{ roots: CID[]; blocks: Array<{ cid: CID; bytes: Uint8Array }> }> {
  const reader = await CarReader.fromBytes(bytes);
  const blocks = await all(reader.blocks());
  for (const block of blocks) {
    assert.equal(block.cid.multihash.code, 0x12, `${block.cid} is sha2-256`);
    assert.deepEqual(Buffer.from(block.cid.multihash.digest), createHash("sha256").update(block.bytes).digest(), `${block.cid} matches its bytes`);
  }
  return { roots: await reader.getRoots(), blocks };
}

describe("HTTP gateway", () => {
  let node: IpfsNode;
  let ipfs: KuboRPCClient;
  let site: CID;
  let docs: CID;
  let big: { cid: CID; bytes: Buffer };
  const get = (path: string, init?: RequestInit) => fetch(`${node.gatewayUrl}${path}`, init);

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0 });
    ipfs = create({ url: node.apiUrl });
    await ipfs.add(encode("hello world\n"));
    site = (await all(ipfs.addAll([
      { path: "site/index.html", content: encode("<!doctype html><title>Concord</title>") },
      { path: "site/style.css", content: encode("body { color: black }") },
    ]))).at(-1)!.cid;
    docs = (await all(ipfs.addAll([
      { path: "docs/readme.md", content: encode("# Docs\n") },
      { path: "docs/data.json", content: encode('{"ok":true}') },
      { path: "docs/<script>.txt", content: encode("escaped") },
    ]))).at(-1)!.cid;
    // 1 MiB + 1: five 256 KiB leaves under one root, so ranges cross blocks.
    const bytes = deterministicBuffer(1024 * 1024 + 1, "concord-gateway");
    big = { cid: (await ipfs.add(bytes)).cid, bytes };
  });
  after(async () => {
    await node.stop();
  });

  describe("deserialized responses", () => {
    it("serves a file with its type, length, ETag and immutable caching", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(response.headers.get("content-length"), "12");
      assert.equal(response.headers.get("etag"), `"${HELLO_CID}"`);
      assert.equal(response.headers.get("cache-control"), "public, max-age=29030400, immutable");
      assert.equal(response.headers.get("x-ipfs-path"), `/ipfs/${HELLO_CID}`);
      assert.equal(await response.text(), "hello world\n");
    });

    it("answers a matching If-None-Match with 304", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`, { headers: { "If-None-Match": `"${HELLO_CID}"` } });
      assert.equal(response.status, 304);
      assert.equal(await response.text(), "");
    });

    it("answers HEAD with the headers and no body", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`, { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-length"), "12");
      assert.equal(await response.text(), "");
    });

    it("types files by extension inside directories", async () => {
      const css = await get(`/ipfs/${site}/style.css`);
      assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
      assert.equal(await css.text(), "body { color: black }");
      const json = await get(`/ipfs/${docs}/data.json`);
      assert.equal(json.headers.get("content-type"), "application/json");
    });

    it("sniffs the type of a nameless file from its bytes", async () => {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
      const { cid } = await ipfs.add(png);
      const response = await get(`/ipfs/${cid}`);
      assert.equal(response.headers.get("content-type"), "image/png");
      const binary = await ipfs.add(new Uint8Array([0, 1, 2, 3, 0xff]));
      assert.equal((await get(`/ipfs/${binary.cid}`)).headers.get("content-type"), "application/octet-stream");
    });

    it("redirects a directory to its trailing-slash URL, then serves index.html", async () => {
      const redirect = await get(`/ipfs/${site}`, { redirect: "manual" });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get("location"), `/ipfs/${site}/`);
      const index = await get(`/ipfs/${site}/`);
      assert.equal(index.status, 200);
      assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(await index.text(), "<!doctype html><title>Concord</title>");
    });

    it("lists a directory without index.html, escaping names", async () => {
      const response = await get(`/ipfs/${docs}/`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await response.text();
      assert.ok(html.includes(`<a href="/ipfs/${docs}/readme.md">readme.md</a>`));
      assert.ok(html.includes("&lt;script&gt;.txt"));
      assert.ok(!html.includes("<script>"));
    });
  });

  describe("byte ranges", () => {
    it("serves a range with 206 and Content-Range", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`, { headers: { Range: "bytes=6-10" } });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get("content-range"), "bytes 6-10/12");
      assert.equal(response.headers.get("content-length"), "5");
      assert.equal(await response.text(), "world");
    });

    it("serves a suffix range and a range across leaf blocks", async () => {
      const suffix = await get(`/ipfs/${HELLO_CID}`, { headers: { Range: "bytes=-6" } });
      assert.equal(await suffix.text(), "world\n");
      const start = 262_144 - 10;
      const response = await get(`/ipfs/${big.cid}`, { headers: { Range: `bytes=${start}-${start + 99_999}` } });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get("content-range"), `bytes ${start}-${start + 99_999}/${big.bytes.length}`);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), big.bytes.subarray(start, start + 100_000));
    });

    it("answers a range past the end with 416", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`, { headers: { Range: "bytes=12-" } });
      assert.equal(response.status, 416);
      assert.equal(response.headers.get("content-range"), "bytes */12");
    });
  });

  describe("trustless responses", () => {
    it("serves one raw block for ?format=raw, verifiable against the CID", async () => {
      const response = await get(`/ipfs/${HELLO_CID}?format=raw`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/vnd.ipld.raw");
      assert.equal(response.headers.get("content-disposition"), `attachment; filename="${HELLO_CID}.bin"`);
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.deepEqual(createHash("sha256").update(bytes).digest(), Buffer.from(CID.parse(HELLO_CID).multihash.digest));
    });

    it("serves a raw block for Accept: application/vnd.ipld.raw", async () => {
      const response = await get(`/ipfs/${big.cid}`, { headers: { Accept: "application/vnd.ipld.raw" } });
      assert.equal(response.headers.get("content-type"), "application/vnd.ipld.raw");
      const bytes = Buffer.from(await response.arrayBuffer());
      assert.deepEqual(createHash("sha256").update(bytes).digest(), Buffer.from(big.cid.multihash.digest));
    });

    it("serves the whole DAG as a CARv1 rooted at the CID, every block verified", async () => {
      const response = await get(`/ipfs/${big.cid}?format=car`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/vnd.ipld.car; version=1; order=dfs; dups=n");
      const car = await readVerifiedCar(new Uint8Array(await response.arrayBuffer()));
      assert.deepEqual(car.roots.map(String), [big.cid.toString()]);
      assert.equal(car.blocks.length, 6);
      assert.equal(car.blocks[0].cid.toString(), big.cid.toString());
      const store = new MemoryBlockstore();
      for (const block of car.blocks) await store.put(block.cid, block.bytes);
      const entry = await exporter(big.cid, store);
      assert.equal(entry.type, "file");
      assert.deepEqual(Buffer.concat(await all(entry.type === "file" ? entry.content() : [])), big.bytes);
    });

    it("includes the blocks that prove a path, then the file, for Accept: application/vnd.ipld.car", async () => {
      const response = await get(`/ipfs/${site}/style.css`, { headers: { Accept: "application/vnd.ipld.car" } });
      const car = await readVerifiedCar(new Uint8Array(await response.arrayBuffer()));
      assert.deepEqual(car.roots.map(String), [site.toString()]);
      assert.equal(car.blocks.length, 2);
      assert.equal(car.blocks[0].cid.toString(), site.toString());
    });

    it("limits the CAR to one block with dag-scope=block and to the needed leaves with entity-bytes", async () => {
      const block = await readVerifiedCar(new Uint8Array(await (await get(`/ipfs/${big.cid}?format=car&dag-scope=block`)).arrayBuffer()));
      assert.deepEqual(block.blocks.map((b) => b.cid.toString()), [big.cid.toString()]);
      // Bytes 300000..300009 live in the second 256 KiB leaf only.
      const ranged = await readVerifiedCar(new Uint8Array(await (await get(`/ipfs/${big.cid}?format=car&entity-bytes=300000:300009`)).arrayBuffer()));
      assert.equal(ranged.blocks.length, 2);
      assert.equal(ranged.blocks[0].cid.toString(), big.cid.toString());
    });

    it("is accepted by @helia/verified-fetch using this gateway as its only source", async () => {
      const client = await verifiedFetchFrom(node.gatewayUrl);
      try {
        const small = await client.fetch(`ipfs://${HELLO_CID}`);
        assert.equal(small.status, 200);
        assert.equal(await small.text(), "hello world\n");
        const large = await client.fetch(`ipfs://${big.cid}`);
        assert.equal(large.status, 200);
        assert.deepEqual(Buffer.from(await large.arrayBuffer()), big.bytes);
      } finally {
        await client.stop();
      }
    });

    it("refuses CAR version 2", async () => {
      const response = await get(`/ipfs/${HELLO_CID}?format=car&car-version=2`);
      assert.equal(response.status, 400);
      assert.equal(await response.text(), "unsupported CAR version 2: only version=1 is served\n");
    });
  });

  describe("errors", () => {
    it("answers a malformed CID with 400 and Kubo's invalid path message", async () => {
      const response = await get("/ipfs/this-is-not-a-cid");
      assert.equal(response.status, 400);
      assert.match(await response.text(), /^invalid path "\/ipfs\/this-is-not-a-cid": invalid cid: /);
    });

    it("answers /ipfs without a CID with 400", async () => {
      const response = await get("/ipfs/");
      assert.equal(response.status, 400);
      assert.equal(await response.text(), 'invalid path "/ipfs": path does not have enough components\n');
    });

    it("answers a path outside /ipfs/ with 404", async () => {
      const response = await get("/");
      assert.equal(response.status, 404);
      assert.equal(await response.text(), "404 page not found\n");
    });

    it("answers a missing path segment with 404", async () => {
      const response = await get(`/ipfs/${site}/nope.html`);
      assert.equal(response.status, 404);
      assert.equal(await response.text(), `no link named "nope.html" under ${site}\n`);
    });

    it("answers content it cannot get from anyone with 404", async () => {
      const absent = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
      const response = await get(`/ipfs/${absent}`);
      assert.equal(response.status, 404);
      assert.equal(await response.text(), `block was not found locally (offline): ipld: could not find ${absent}\n`);
    });

    it("answers an unknown format with 400", async () => {
      const response = await get(`/ipfs/${HELLO_CID}?format=dag-jose`);
      assert.equal(response.status, 400);
      assert.equal(await response.text(), 'unsupported format "dag-jose": use raw, car or tar\n');
    });

    it("answers POST with 405", async () => {
      const response = await get(`/ipfs/${HELLO_CID}`, { method: "POST" });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "GET, HEAD, OPTIONS");
    });
  });
});
