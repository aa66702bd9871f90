/** `ls`, `pin/update`, `dag/put` / `dag/get` and `repo/gc` through kubo-rpc-client. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("ls, pin/update, dag, repo/gc", () => {
  let node: IpfsNode;
  let ipfs: KuboRPCClient;

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0 });
    ipfs = create({ url: node.apiUrl });
  });
  after(async () => {
    await node.stop();
  });

  it("ls lists a directory's links with their type and size", async () => {
    const added = await all(ipfs.addAll([{ path: "site/index.html", content: encode("<h1>hi</h1>") }, { path: "site/assets/a.css", content: encode("p{}") }], { wrapWithDirectory: false }));
    const site = added.find((entry) => entry.path === "site")!;
    const links = await all(ipfs.ls(site.cid));
    assert.deepEqual(
      links.map((link) => [link.name, link.type, link.size]),
      [["assets", "dir", 0], ["index.html", "file", 11]],
    );
    assert.equal(links[1]!.cid.toString(), added.find((entry) => entry.path === "site/index.html")!.cid.toString());
  });

  it("pin/update moves a recursive pin to a new version, and refuses a root that is not pinned", async () => {
    const v1 = (await ipfs.add(encode("version 1"))).cid;
    const v2 = (await ipfs.add(encode("version 2"), { pin: false })).cid;
    const pins = await ipfs.pin.update(v1, v2);
    assert.deepEqual(pins.map(String), [v1.toString(), v2.toString()]);
    const pinned = new Set((await all(ipfs.pin.ls({ type: "recursive" }))).map((pin) => pin.cid.toString()));
    assert.ok(pinned.has(v2.toString()) && !pinned.has(v1.toString()));
    await assert.rejects(ipfs.pin.update(v1, v2), /'from' cid was not recursively pinned already/);
  });

  it("dag/put stores dag-json input as dag-cbor; dag/get reads it back and follows links", async () => {
    // dag-json text, as `ipfs dag put` reads it from a file.
    const leaf = await ipfs.dag.put(encode('{"name":"leaf"}'), { storeCodec: "dag-cbor", inputCodec: "dag-json" });
    assert.equal(leaf.code, 0x71, "dag-cbor");
    // An object: kubo-rpc-client encodes it in the store codec itself.
    const root = await ipfs.dag.put({ title: "root", child: leaf }, { storeCodec: "dag-cbor", pin: true });
    assert.deepEqual((await ipfs.dag.get(root)).value, { title: "root", child: leaf });
    assert.deepEqual((await ipfs.dag.get(root, { path: "child" })).value, { name: "leaf" });
    await assert.rejects(ipfs.dag.get(root, { path: "missing" }), /no link named "missing"/);
    // The CID is fixed by the encoding: the same node as dag-cbor, sha2-256, CIDv1, whatever the input codec.
    assert.equal((await ipfs.dag.put({ name: "leaf" }, { storeCodec: "dag-cbor" })).toString(), leaf.toString());
    await assert.rejects(ipfs.dag.put(encode("{not json"), { storeCodec: "dag-cbor", inputCodec: "dag-json" }), /the data is not valid dag-json/);
  });

  it("repo/gc deletes unpinned blocks only, keeping pins, their DAGs and the MFS tree", async () => {
    const loose = (await ipfs.add(encode("nobody keeps this"), { pin: false })).cid;
    const kept = (await ipfs.add(encode("pinned, kept"))).cid;
    const inMfs = (await ipfs.add(encode("kept by MFS"), { pin: false })).cid;
    await ipfs.files.cp(`/ipfs/${inMfs}`, "/kept.txt");
    // The blockstore keys blocks by multihash: gc names them as CIDv1 raw, as Kubo does.
    const removed = (await all(ipfs.repo.gc())).map((entry) => Buffer.from(entry.cid!.multihash.bytes).toString("hex"));
    const hashOf = (cid: CID) => Buffer.from(cid.multihash.bytes).toString("hex");
    assert.ok(removed.includes(hashOf(loose)), "the unpinned block is collected");
    assert.ok(!removed.includes(hashOf(kept)) && !removed.includes(hashOf(inMfs)));
    assert.equal(Buffer.concat(await all(ipfs.cat(kept))).toString(), "pinned, kept");
    assert.equal(Buffer.concat(await all(ipfs.files.read("/kept.txt"))).toString(), "kept by MFS");
    await assert.rejects(all(ipfs.cat(loose, { timeout: 2000 })), /not found|could not find/);
  });

  it("repo/gc skips MFS content that is not here instead of failing (a lazy files/cp)", async () => {
    const added = await all(ipfs.addAll([{ path: "lazy/gone.txt", content: encode("deleted below") }, { path: "lazy/here.txt", content: encode("still here") }], { pin: false }));
    const dir = added.find((entry) => entry.path === "lazy")!.cid;
    const gone = added.find((entry) => entry.path === "lazy/gone.txt")!.cid;
    await ipfs.files.cp(`/ipfs/${dir}`, "/lazy");
    // As if /lazy had been copied from a peer and gone.txt never read: its block is not here.
    await node.helia.blockstore.delete(gone);
    await all(ipfs.repo.gc());
    assert.equal(Buffer.concat(await all(ipfs.files.read("/lazy/here.txt"))).toString(), "still here");
  });
});
