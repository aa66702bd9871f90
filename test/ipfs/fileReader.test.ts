import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryBlockstore } from "blockstore-core";
import { importer } from "ipfs-unixfs-importer";
import all from "it-all";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import * as raw from "multiformats/codecs/raw";
import { readFile } from "../../ipfs/fileReader.ts";
import { type ImportSettings, importerOptionsFor } from "../../ipfs/importSettings.ts";
import { deterministicBuffer } from "./helpers/deterministicData.ts";

async function importInto(store: MemoryBlockstore, bytes: Uint8Array, settings: ImportSettings): Promise<CID> {
  const results = await all(importer([{ content: bytes }], store, importerOptionsFor(settings)));
  return results.at(-1)!.cid;
}

const reader = (store: MemoryBlockstore, reads: string[] = []) => async (cid: CID) => {
  reads.push(cid.toString());
  return Buffer.concat(await all(store.get(cid)));
};

describe("readFile", () => {
  it("reads any range of a three-layer DAG exactly", async () => {
    const store = new MemoryBlockstore();
    const bytes = deterministicBuffer(2000, "reader-layers");
    // 8-byte chunks, 174 per node: 250 leaves under two inner nodes under the root.
    const cid = await importInto(store, bytes, { chunker: "size-8" });
    assert.deepEqual(Buffer.concat(await all(readFile(cid, reader(store)))), bytes);
    for (const [offset, length] of [[0, 1], [7, 2], [1391, 20], [1999, 1], [500, 1500], [1990, 50]]) {
      const got = Buffer.concat(await all(readFile(cid, reader(store), { offset: BigInt(offset), length: BigInt(length) })));
      assert.deepEqual(got, bytes.subarray(offset, offset + length), `offset ${offset} length ${length}`);
    }
    assert.equal((await all(readFile(cid, reader(store), { offset: 2000n }))).length, 0);
  });

  it("fetches only the blocks a range needs, depth-first", async () => {
    const store = new MemoryBlockstore();
    const cid = await importInto(store, deterministicBuffer(40, "reader-range"), { chunker: "size-10" });
    const visited: string[] = [];
    const reads: string[] = [];
    const got = await all(readFile(cid, reader(store, reads), {
      offset: 12n,
      length: 5n,
      prefetch: 1,
      onBlock: async (block) => {
        visited.push(block.toString());
      },
    }));
    assert.equal(Buffer.concat(got).length, 5);
    // The root and the second leaf (bytes 10..19) only.
    assert.equal(visited.length, 2);
    assert.equal(visited[0], cid.toString());
    assert.deepEqual(reads, visited);
  });

  it("reads raw-leaf files and identity CIDs", async () => {
    const store = new MemoryBlockstore();
    const bytes = deterministicBuffer(3 * 1024 * 1024 + 5, "reader-raw");
    const cid = await importInto(store, bytes, { profile: "unixfs-v1-2025" });
    assert.deepEqual(Buffer.concat(await all(readFile(cid, reader(store), { offset: 1_048_570n, length: 20n }))), bytes.subarray(1_048_570, 1_048_590));
    const inline = CID.create(1, raw.code, identity.digest(new TextEncoder().encode("inline bytes")));
    assert.equal(Buffer.concat(await all(readFile(inline, reader(store)))).toString(), "inline bytes");
  });

  it("refuses a directory and a missing block with typed errors", async () => {
    const store = new MemoryBlockstore();
    const dir = (await all(importer([{ path: "d/a.txt", content: new Uint8Array([1]) }], store, importerOptionsFor({})))).at(-1)!.cid;
    await assert.rejects(all(readFile(dir, reader(store))), { code: "IPFS_IS_DIRECTORY", message: "this dag node is a directory" });
    const missing = CID.parse("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    await assert.rejects(all(readFile(missing, reader(store))), { name: "NotFoundError" });
  });
});
