import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import all from "it-all";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { readTar } from "./helpers/tarReader.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);

/** Kubo's CID for "hello world\n" (default `ipfs add`), the reference used throughout. */
const HELLO_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

describe("Kubo RPC API via kubo-rpc-client", () => {
  let node: IpfsNode;
  let ipfs: KuboRPCClient;
  const post = (path: string, init: RequestInit = {}) => fetch(`${node.apiUrl}/api/v0/${path}`, { method: "POST", ...init });

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0 });
    ipfs = create({ url: node.apiUrl });
  });
  after(async () => {
    await node.stop();
  });

  describe("add", () => {
    it("adds bytes with Kubo's CID and DAG size, named after the CID, and pins them", async () => {
      const result = await ipfs.add(encode("hello world\n"));
      assert.equal(result.cid.toString(), HELLO_CID);
      assert.equal(result.size, 20);
      assert.equal(result.path, HELLO_CID);
      const pins = await all(ipfs.pin.ls({ paths: [result.cid] }));
      assert.deepEqual(pins.map((pin) => [pin.cid.toString(), pin.type]), [[HELLO_CID, "recursive"]]);
    });

    it("answers newline-delimited {Name, Hash, Size} lines", async () => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("hello world\n")]), "hello.txt");
      const response = await post("add", { body: form });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("x-chunked-output"), "1");
      assert.equal(await response.text(), `{"Name":"hello.txt","Hash":"${HELLO_CID}","Size":"20"}\n`);
    });

    it("adds several files, each pinned as its own root", async () => {
      // Kubo t0040-add-and-cat.sh "ipfs add with multiple files": exact CIDs of both files.
      const results = await all(ipfs.addAll([
        { path: "hello.txt", content: encode("Hello Worlds!\n") },
        { path: "hello2.txt", content: encode("Helloo Worlds!\n") },
      ]));
      assert.deepEqual(results.map((r) => [r.path, r.cid.toString()]), [
        ["hello.txt", "QmVr26fY1tKyspEJBniVhqxQeEjhF78XerGiqWAwraVLQH"],
        ["hello2.txt", "Qmf35k66MZNW2GijohUmXQEWKZU4cCGTCwK6idfnt152wJ"],
      ]);
      const types = await all(ipfs.pin.ls({ type: "recursive" }));
      for (const result of results) assert.ok(types.some((pin) => pin.cid.equals(result.cid)), `${result.path} is pinned`);
    });

    it("adds a directory tree with Kubo's directory CID", async () => {
      // Kubo t0040-add-and-cat.sh "ipfs add -r .": hey = "Hey\n", hello/world = "World\n".
      const results = await all(ipfs.addAll([
        { path: "test_current_dir" },
        { path: "test_current_dir/hello" },
        { path: "test_current_dir/hello/world", content: encode("World\n") },
        { path: "test_current_dir/hey", content: encode("Hey\n") },
      ]));
      const root = results.at(-1)!;
      assert.equal(root.path, "test_current_dir");
      assert.equal(root.cid.toString(), "QmZQWnfcqJ6hNkkPvrY9Q5X39GP3jUnUbAV4AbmbbR3Cb1");
      assert.deepEqual(results.map((r) => r.path).sort(), ["test_current_dir", "test_current_dir/hello", "test_current_dir/hello/world", "test_current_dir/hey"]);
      assert.equal(concat(await all(ipfs.cat(`/ipfs/${root.cid}/hello/world`))).toString(), "World\n");
    });

    it("wraps files in a directory that keeps their names", async () => {
      // Kubo t0040-add-and-cat.sh "ipfs add --stdin-name file.txt -w": the file's CID.
      const results = await all(ipfs.addAll([{ path: "file.txt", content: encode("IPFS\n") }], { wrapWithDirectory: true }));
      assert.equal(results.length, 2);
      assert.deepEqual([results[0].path, results[0].cid.toString()], ["file.txt", "QmdFyxZXsFiP4csgfM5uPu99AvFiKH62CSPDw5TP92nr7w"]);
      assert.equal(results[1].path, "");
      assert.equal(concat(await all(ipfs.cat(`/ipfs/${results[1].cid}/file.txt`))).toString(), "IPFS\n");
      const pins = await all(ipfs.pin.ls({ paths: [results[1].cid] }));
      assert.equal(pins[0].type, "recursive");
    });

    it("with only-hash computes the CID but stores nothing", async () => {
      const result = await ipfs.add(encode("only hashed, never stored\n"), { onlyHash: true });
      const response = await post(`block/stat?arg=${result.cid}`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), {
        Message: `block was not found locally (offline): ipld: could not find ${result.cid}`,
        Code: 0,
        Type: "error",
      });
    });

    it("with pin=false stores without pinning", async () => {
      const result = await ipfs.add(encode("stored, not pinned\n"), { pin: false });
      await assert.rejects(all(ipfs.pin.ls({ paths: [result.cid] })), { name: "HTTPError", message: `path '/ipfs/${result.cid}' is not pinned` });
      assert.equal(concat(await all(ipfs.cat(result.cid))).toString(), "stored, not pinned\n");
    });

    it("with cid-version=1 makes a raw-leaf CIDv1 like Kubo", async () => {
      const result = await ipfs.add(encode("hello world\n"), { cidVersion: 1 });
      const expected = CID.create(1, raw.code, await sha256.digest(encode("hello world\n")));
      assert.equal(result.cid.toString(), expected.toString());
    });

    it("with chunker=size-2 builds the multi-block DAG go-ipfs builds", async () => {
      // rs-ipfs/rust-ipfs unixfs/src/file/adder.rs favourite_multi_block_file (root produced by go-ipfs).
      const result = await ipfs.add(encode("foobar\n"), { chunker: "size-2" });
      assert.equal(result.cid.toString(), "QmRJHYTNvC3hmd9gJQARxLR1QMEincccBV53bBw524yyq6");
    });

    it("without a multipart body is a 400 like Kubo's missing file argument", async () => {
      const response = await post("add");
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await response.text(), "file argument 'path' is required\n");
    });

    it("rejects an unknown CID version", async () => {
      await assert.rejects(ipfs.add(encode("x"), { cidVersion: 2 as 1 }), { name: "HTTPError", message: "unknown CID version: 2" });
    });

    it("rejects a zero chunk size and unsupported chunkers", async () => {
      await assert.rejects(ipfs.add(encode("x"), { chunker: "size-0" }), { message: "chunker size must be greater than 0" });
      await assert.rejects(ipfs.add(encode("x"), { chunker: "rabin-16-32-64" }), {
        message: "chunker rabin-16-32-64 is not supported by this node; use size-<bytes>",
      });
      await assert.rejects(ipfs.add(encode("x"), { chunker: "fastcdc" }), { message: "unrecognized chunker option: fastcdc" });
    });
  });

  describe("cat", () => {
    it("reads a byte range with offset and length", async () => {
      // Kubo t0040-add-and-cat.sh: "Hello Worlds!\n" with --offset 10 gives "ds!\n", --length 8 "Hello Wo".
      const { cid } = await ipfs.add(encode("Hello Worlds!\n"));
      assert.equal(concat(await all(ipfs.cat(cid, { offset: 10 }))).toString(), "ds!\n");
      assert.equal(concat(await all(ipfs.cat(cid, { length: 8 }))).toString(), "Hello Wo");
      assert.equal(concat(await all(ipfs.cat(cid, { length: 0 }))).toString(), "");
      assert.equal(concat(await all(ipfs.cat(cid, { length: 100 }))).toString(), "Hello Worlds!\n");
    });

    it("applies offset and length across several files, as Kubo does", async () => {
      const { cid } = await ipfs.add(encode("Hello Worlds!\n"));
      const params = `arg=${cid}&arg=${cid}&arg=${cid}&offset=5&length=15`;
      const response = await post(`cat?${params}`);
      assert.equal(response.headers.get("x-content-length"), "15");
      assert.equal(response.headers.get("x-stream-output"), "1");
      assert.equal(await response.text(), " Worlds!\nHello ");
    });

    it("refuses a negative offset or length with Kubo's messages", async () => {
      const response = await post(`cat?arg=${HELLO_CID}&offset=-102`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { Message: "cannot specify negative offset", Code: 0, Type: "error" });
      await assert.rejects(all(ipfs.cat(HELLO_CID, { length: -1 })), { message: "cannot specify negative length" });
    });

    it("refuses a directory", async () => {
      const results = await all(ipfs.addAll([{ path: "d/a.txt", content: encode("a") }]));
      await assert.rejects(all(ipfs.cat(results.at(-1)!.cid)), { name: "HTTPError", message: "this dag node is a directory" });
    });

    it("reports a path segment that does not exist", async () => {
      const results = await all(ipfs.addAll([{ path: "e/a.txt", content: encode("a") }]));
      const dir = results.at(-1)!.cid;
      await assert.rejects(all(ipfs.cat(`/ipfs/${dir}/missing.txt`)), { message: `no link named "missing.txt" under ${dir}` });
    });
  });

  describe("get", () => {
    it("returns a tar of a directory tree", async () => {
      const results = await all(ipfs.addAll([
        { path: "tree/a.txt", content: encode("alpha\n") },
        { path: "tree/sub/b.txt", content: encode("beta\n") },
      ]));
      const root = results.at(-1)!.cid;
      const members = readTar(concat(await all(ipfs.get(root))));
      assert.deepEqual(members.map((m) => [m.name, m.type, m.content.toString()]), [
        [root.toString(), "directory", ""],
        [`${root}/a.txt`, "file", "alpha\n"],
        [`${root}/sub`, "directory", ""],
        [`${root}/sub/b.txt`, "file", "beta\n"],
      ]);
    });

    it("gzips the tar when asked", async () => {
      const members = readTar(gunzipSync(concat(await all(ipfs.get(HELLO_CID, { compress: true, archive: true })))));
      assert.deepEqual(members.map((m) => [m.name, m.content.toString()]), [[HELLO_CID, "hello world\n"]]);
    });

    it("refuses a compression level outside 1..9", async () => {
      await assert.rejects(all(ipfs.get(HELLO_CID, { compress: true, compressionLevel: 12 as 9 })), { message: "compression level must be between 1 and 9" });
    });
  });

  describe("pin", () => {
    it("pins recursively by default, lists by type and unpins", async () => {
      const results = await all(ipfs.addAll([{ path: "p/one.txt", content: encode("one\n") }], { pin: false }));
      const [file, dir] = [results[0].cid, results[1].cid];
      assert.deepEqual((await all(ipfs.pin.addAll([dir]))).map(String), [dir.toString()]);
      const recursive = await all(ipfs.pin.ls({ type: "recursive" }));
      assert.ok(recursive.some((pin) => pin.cid.equals(dir)));
      const indirect = await all(ipfs.pin.ls({ type: "indirect" }));
      assert.ok(indirect.some((pin) => pin.cid.equals(file)));
      assert.deepEqual((await all(ipfs.pin.ls({ paths: [file] }))).map((pin) => pin.type), [`indirect through ${dir}`]);
      assert.deepEqual((await all(ipfs.pin.rmAll([{ cid: dir }]))).map(String), [dir.toString()]);
      await assert.rejects(all(ipfs.pin.ls({ paths: [dir] })), { message: `path '/ipfs/${dir}' is not pinned` });
    });

    it("pins directly, upgrades to recursive, and refuses to downgrade", async () => {
      const { cid } = await ipfs.add(encode("direct pin\n"), { pin: false });
      await ipfs.pin.add(cid, { recursive: false });
      assert.deepEqual((await all(ipfs.pin.ls({ paths: [cid] }))).map((pin) => pin.type), ["direct"]);
      await ipfs.pin.add(cid);
      assert.deepEqual((await all(ipfs.pin.ls({ paths: [cid] }))).map((pin) => pin.type), ["recursive"]);
      await assert.rejects(ipfs.pin.add(cid, { recursive: false }), { message: `pin: ${cid} already pinned recursively` });
      await assert.rejects(ipfs.pin.rm(cid, { recursive: false }), { message: `${cid} is pinned recursively` });
    });

    it("refuses to unpin what is not pinned", async () => {
      const { cid } = await ipfs.add(encode("never pinned\n"), { pin: false });
      await assert.rejects(ipfs.pin.rm(cid), { name: "HTTPError", message: "not pinned or pinned indirectly" });
    });

    it("refuses an unknown pin type", async () => {
      const response = await post("pin/ls?type=sideways");
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), {
        Message: "invalid type 'sideways', must be one of {direct, indirect, recursive, all}",
        Code: 0,
        Type: "error",
      });
    });

    it("answers pin ls without stream as a Keys map", async () => {
      const response = await post(`pin/ls?arg=${HELLO_CID}`);
      assert.deepEqual(await response.json(), { Keys: { [HELLO_CID]: { Type: "recursive", Name: "" } } });
    });
  });

  describe("block", () => {
    it("returns the block whose sha2-256 is the CID's digest", async () => {
      const block = await ipfs.block.get(CID.parse(HELLO_CID));
      assert.equal(block.length, 20);
      const digest = createHash("sha256").update(block).digest();
      assert.deepEqual(Buffer.from(CID.parse(HELLO_CID).multihash.digest), digest);
    });

    it("stats a block", async () => {
      const stat = await ipfs.block.stat(CID.parse(HELLO_CID));
      assert.deepEqual([stat.cid.toString(), stat.size], [HELLO_CID, 20]);
    });
  });

  describe("id, version and swarm", () => {
    it("reports the node's peer id, key and addresses", async () => {
      const id = await ipfs.id();
      assert.equal(id.id.toString(), node.peerId);
      assert.deepEqual(id.addresses.map(String), node.getMultiaddrs());
      assert.ok(id.publicKey.length > 0);
      assert.ok(id.protocols.map(String).includes("/ipfs/bitswap/1.2.0"));
    });

    it("reports a version", async () => {
      const version = await ipfs.version();
      assert.match(version.version, /^\d+\.\d+\.\d+$/);
    });

    it("lists no swarm peers when alone", async () => {
      const response = await post("swarm/peers");
      assert.deepEqual(await response.json(), { Peers: null });
    });
  });

  describe("request errors (go-ipfs-cmds shapes)", () => {
    it("answers GET with 405 and the allowed methods", async () => {
      const response = await fetch(`${node.apiUrl}/api/v0/version`);
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "OPTIONS, POST");
      assert.equal(await response.text(), "405 - Method Not Allowed\n");
    });

    it("answers an unknown command with 404 page not found", async () => {
      for (const command of ["frobnicate", "constructor", "__proto__", "pin"]) {
        const response = await post(command);
        assert.equal(response.status, 404, command);
        assert.equal(await response.text(), "404 page not found\n");
      }
    });

    it("answers a missing argument with 400", async () => {
      const response = await post("cat");
      assert.equal(response.status, 400);
      assert.equal(await response.text(), 'argument "ipfs-path" is required\n');
    });

    it("answers an option of the wrong type with 400", async () => {
      const response = await post(`cat?arg=${HELLO_CID}&offset=abc`);
      assert.equal(response.status, 400);
      assert.equal(await response.text(), 'could not convert value "abc" to type "int64" (for option "-offset")\n');
    });

    it("answers a string that is no CID with Kubo's invalid path error", async () => {
      const response = await post("cat?arg=notacid");
      assert.equal(response.status, 500);
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.deepEqual(await response.json(), {
        Message: 'invalid path "notacid": path does not have enough components',
        Code: 0,
        Type: "error",
      });
    });

    it("answers a malformed CID in an /ipfs/ path as an invalid cid", async () => {
      await assert.rejects(all(ipfs.cat("/ipfs/QmNotReallyACid")), (error: Error) => {
        assert.equal(error.name, "HTTPError");
        assert.match(error.message, /^invalid path "\/ipfs\/QmNotReallyACid": invalid cid: /);
        return true;
      });
    });

    it("answers a browser origin it does not trust with 403", async () => {
      const response = await post("version", { headers: { Origin: "https://evil.example" } });
      assert.equal(response.status, 403);
      assert.equal(await response.text(), "403 - Forbidden\n");
    });

    it("answers a foreign Referer with 403 as Kubo does, and a request with neither header normally", async () => {
      const foreign = await post("version", { headers: { Referer: "https://evil.example/page.html" } });
      assert.equal(foreign.status, 403);
      assert.equal(await foreign.text(), "403 - Forbidden\n");
      const garbled = await post("version", { headers: { Referer: "not a url" } });
      assert.equal(garbled.status, 403);
      await garbled.text();
      const plain = await post("version");
      assert.equal(plain.status, 200);
      assert.match(await plain.text(), /"Version"/);
    });

    it("answers a malformed timeout with 400", async () => {
      const response = await post("version?timeout=soon");
      assert.equal(response.status, 400);
      assert.equal(await response.text(), 'time: invalid duration "soon"\n');
    });
  });
});

describe("upload size limit", () => {
  let node: IpfsNode;
  let ipfs: KuboRPCClient;
  const limit = 256 * 1024;

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0, maxUploadBytes: limit });
    ipfs = create({ url: node.apiUrl });
  });
  after(async () => {
    await node.stop();
  });

  it("answers 413 while a streamed upload passes the limit", async () => {
    async function* chunks() {
      for (let i = 0; i < 16; i++) yield new Uint8Array(64 * 1024).fill(i);
    }
    await assert.rejects(ipfs.add(chunks()), (error: Error & { response?: Response }) => {
      assert.equal(error.name, "HTTPError");
      assert.equal(error.response?.status, 413);
      assert.equal(error.message, `upload exceeds the maximum size of ${limit} bytes`);
      return true;
    });
  });

  it("answers 413 up front when Content-Length is already too large", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(limit + 1)]), "big.bin");
    const response = await fetch(`${node.apiUrl}/api/v0/add`, { method: "POST", body: form });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), { Message: `upload exceeds the maximum size of ${limit} bytes`, Code: 1, Type: "error" });
  });

  it("keeps serving after refusing an upload, and stored nothing of it", async () => {
    const { cid } = await ipfs.add(encode("small enough\n"));
    assert.equal(concat(await all(ipfs.cat(cid))).toString(), "small enough\n");
    const pins = await all(ipfs.pin.ls({ type: "recursive" }));
    assert.deepEqual(pins.map((pin) => pin.cid.toString()), [cid.toString()]);
  });
});
