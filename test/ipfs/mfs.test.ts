/** Kubo's Mutable File System API (`ipfs files`) through kubo-rpc-client, as a script uses it. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = async (chunks: AsyncIterable<Uint8Array>) => Buffer.concat(await all(chunks)).toString("utf8");
/** Kubo's empty MFS root. */
const EMPTY_DIRECTORY = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";
/** Kubo's test/sharness/t0250-files-api.sh, default settings: FILE_HASH and TRUNC_HASH. */
const KUBO_OFFSET_WRITE = "QmQdQt9qooenjeaNhiKHF3hBvmNteB4MQBtgu3jxgf9c7i";
const KUBO_TRUNCATED_WRITE = "QmPVnT9gocPbqzN4G6SMp8vAPyzcjDbUJrNdKgzQquuDg4";

describe("files/* (MFS)", () => {
  let dataDir: string;
  let node: IpfsNode;
  let ipfs: KuboRPCClient;

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "concord-mfs-"));
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0, dataDir });
    ipfs = create({ url: node.apiUrl });
  });
  after(async () => {
    await node.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts as Kubo's empty directory", async () => {
    assert.equal((await ipfs.files.stat("/")).cid.toString(), EMPTY_DIRECTORY);
  });

  it("makes directories (with parents), writes and reads files", async () => {
    await ipfs.files.mkdir("/docs/drafts", { parents: true });
    await ipfs.files.write("/docs/hello.txt", encode("hello world\n"), { create: true });
    assert.equal(await text(ipfs.files.read("/docs/hello.txt")), "hello world\n");
    const stat = await ipfs.files.stat("/docs/hello.txt");
    assert.equal(stat.type, "file");
    assert.equal(stat.size, 12);
    assert.equal(stat.blocks, 1, "Kubo's MFS keeps even one chunk under a root node");
    assert.equal(await text(ipfs.files.read("/docs/hello.txt", { offset: 6, length: 5 })), "world");
    const listing = await all(ipfs.files.ls("/docs"));
    assert.deepEqual(listing.map((entry) => [entry.name, entry.type, entry.size]).sort(), [["drafts", "directory", 0], ["hello.txt", "file", 12]]);
  });

  it("edits files as Kubo's MFS does: the same CIDs after an offset write and after truncate", async () => {
    await ipfs.files.write("/cats-ipfs", encode("ipfs rocks\n"), { create: true });
    await ipfs.files.write("/cats-ipfs", encode("is super cool\n"), { offset: 5 });
    assert.equal(await text(ipfs.files.read("/cats-ipfs")), "ipfs is super cool\n");
    assert.equal((await ipfs.files.stat("/cats-ipfs")).cid.toString(), KUBO_OFFSET_WRITE);
    await ipfs.files.write("/cats", encode("some content\n"), { create: true });
    await ipfs.files.write("/cats", encode("fish\n"), { truncate: true });
    assert.equal(await text(ipfs.files.read("/cats")), "fish\n");
    assert.equal((await ipfs.files.stat("/cats")).cid.toString(), KUBO_TRUNCATED_WRITE);
    await ipfs.files.rm(["/cats-ipfs", "/cats"]);
  });

  it("pads with zeros up to an offset past the end, and writes over many chunks", async () => {
    await ipfs.files.write("/sparse", encode("x"), { create: true, offset: 5000 });
    const sparse = Buffer.concat(await all(ipfs.files.read("/sparse")));
    assert.equal(sparse.length, 5001);
    assert.ok(sparse.subarray(0, 5000).every((byte) => byte === 0) && sparse[5000] === "x".charCodeAt(0));
    assert.equal((await ipfs.files.stat("/sparse")).blocks, 3, "4096-byte zero leaves, then the data's leaf");
    const big = new Uint8Array(600_000).map((_, i) => i % 251);
    await ipfs.files.write("/big", big, { create: true });
    assert.equal((await ipfs.files.stat("/big")).blocks, 3, "256 KiB chunks");
    await ipfs.files.write("/big", encode("EDIT"), { offset: 262_142 });
    const edited = Buffer.concat(await all(ipfs.files.read("/big")));
    big.set(encode("EDIT"), 262_142);
    assert.ok(edited.equals(big), "an edit across two chunks lands in both");
    await ipfs.files.rm(["/sparse", "/big"]);
  });

  it("writes at an offset, and truncates", async () => {
    await ipfs.files.write("/notes.txt", encode("aaaaaa"), { create: true });
    await ipfs.files.write("/notes.txt", encode("BB"), { offset: 2 });
    assert.equal(await text(ipfs.files.read("/notes.txt")), "aaBBaa");
    await ipfs.files.write("/notes.txt", encode("c"), { truncate: true });
    assert.equal(await text(ipfs.files.read("/notes.txt")), "c");
  });

  it("copies from /ipfs/<cid> and within MFS, moves and removes", async () => {
    const { cid } = await ipfs.add(encode("pinned content\n"));
    await ipfs.files.cp(`/ipfs/${cid}`, "/copied.txt");
    assert.equal((await ipfs.files.stat("/copied.txt")).cid.toString(), cid.toString(), "cp keeps the CID");
    await ipfs.files.write("/copied.txt", encode("PINNED"), { offset: 0 });
    assert.equal(await text(ipfs.files.read("/copied.txt")), "PINNED content\n", "a file added elsewhere is edited too");
    assert.equal(await text(ipfs.cat(cid)), "pinned content\n", "the original is untouched");
    await ipfs.files.cp("/copied.txt", "/docs/drafts/copy.txt");
    await ipfs.files.mv("/copied.txt", "/moved.txt");
    assert.equal(await text(ipfs.files.read("/docs/drafts/copy.txt")), "PINNED content\n");
    assert.deepEqual((await all(ipfs.files.ls("/"))).map((entry) => entry.name).sort(), ["docs", "moved.txt", "notes.txt"]);
    await ipfs.files.rm("/docs", { recursive: true });
    assert.deepEqual((await all(ipfs.files.ls("/"))).map((entry) => entry.name).sort(), ["moved.txt", "notes.txt"]);
    // The root CID is what flush answers and stat reports.
    assert.equal((await ipfs.files.flush("/")).toString(), (await ipfs.files.stat("/")).cid.toString());
  });

  it("answers Kubo's errors", async () => {
    const message = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (error) {
        return (error as Error).message;
      }
      assert.fail(`succeeded: ${String(work)}`);
    };
    assert.equal(await message(ipfs.files.stat("/nothing-here")), "file does not exist");
    assert.equal(await message(ipfs.files.write("/missing.txt", encode("x"))), "file does not exist");
    assert.equal(await message(ipfs.files.mkdir("/a/b/c")), "file does not exist");
    assert.equal(await message(ipfs.files.mkdir("/moved.txt")), "file already exists");
    await ipfs.files.mkdir("/full");
    await ipfs.files.write("/full/x", encode("x"), { create: true });
    assert.equal(await message(ipfs.files.rm("/full")), "/full is a directory, use -r to remove directories");
    assert.equal(await message(ipfs.files.rm("/")), "cannot delete root");
    assert.equal(await message(text(ipfs.files.read("/full"))), "/full is a directory, not a file");
    assert.equal(await message(ipfs.files.stat("relative/path")), "paths must start with a leading slash: relative/path");
  });

  it("counts a directory's entries as its Blocks, as Kubo's stat does", async () => {
    await ipfs.files.mkdir("/counted/inner", { parents: true });
    await ipfs.files.write("/counted/a.txt", encode("a"), { create: true });
    assert.equal((await ipfs.files.stat("/counted")).blocks, 2);
    assert.equal((await ipfs.files.stat("/counted/inner")).blocks, 0);
  });

  it("reads nothing at the end of a file and refuses an offset past it", async () => {
    await ipfs.files.write("/short.txt", encode("12345"), { create: true });
    assert.equal(await text(ipfs.files.read("/short.txt", { offset: 5 })), "");
    await assert.rejects(text(ipfs.files.read("/short.txt", { offset: 6 })), { message: "offset was past end of file (6 > 5)" });
  });

  it("moves into an existing directory, and a failed move keeps its source", async () => {
    await ipfs.files.write("/mover.txt", encode("move me"), { create: true });
    await ipfs.files.mkdir("/target");
    await assert.rejects(ipfs.files.mv("/mover.txt", "/no/such/dir/mover.txt"), { message: "file does not exist" });
    assert.equal(await text(ipfs.files.read("/mover.txt")), "move me");
    await ipfs.files.mv("/mover.txt", "/target");
    assert.equal(await text(ipfs.files.read("/target/mover.txt")), "move me");
    await assert.rejects(ipfs.files.stat("/mover.txt"), { message: "file does not exist" });
  });

  it("fails a copy of content nobody has at once, and keeps serving changes after it", async () => {
    const unknown = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nm"; // not the empty directory: one letter off
    await assert.rejects(ipfs.files.cp(`/ipfs/${unknown}`, "/ghost"), /could not find/);
    await ipfs.files.write("/after-ghost.txt", encode("still here"), { create: true });
    assert.equal(await text(ipfs.files.read("/after-ghost.txt")), "still here");
    await assert.rejects(ipfs.files.stat("/ghost"), { message: "file does not exist" });
  });

  it("keeps the tree across a restart", async () => {
    const before = (await ipfs.files.stat("/")).cid.toString();
    await node.stop();
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0, dataDir });
    ipfs = create({ url: node.apiUrl });
    assert.equal((await ipfs.files.stat("/")).cid.toString(), before);
    assert.equal(await text(ipfs.files.read("/notes.txt")), "c");
  });
});
