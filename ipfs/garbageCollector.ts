/**
 * `repo/gc`: deletes the blocks nothing keeps. Kept: every pinned block, the whole DAG of every
 * recursive pin, and the whole MFS tree (Kubo keeps the MFS root as a pin of its own). Everything is
 * read locally: a pinned or MFS DAG is complete here by construction.
 */
import type { Helia } from "@helia/interface";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { walkDag } from "./dagWalker.ts";

export async function* collectGarbage(
  helia: Helia,
  local: Blockstore,
  read: (cid: CID, options: { signal?: AbortSignal }) => Promise<Uint8Array>,
  mfsRoot: CID,
  signal?: AbortSignal,
): AsyncGenerator<CID> {
  const keep = new Set<string>();
  const key = (cid: CID) => Buffer.from(cid.multihash.bytes).toString("base64");
  const keepDag = async (root: CID, maxDepth: number) => {
    for await (const block of walkDag(root, read, helia.getCodec, { maxDepth, signal })) keep.add(key(block.cid));
  };
  for await (const pin of helia.pins.ls({ signal })) await keepDag(pin.cid, pin.depth);
  await keepDag(mfsRoot, Infinity);
  const doomed: CID[] = [];
  for await (const { cid } of local.getAll({ signal })) if (!keep.has(key(cid))) doomed.push(cid);
  for (const cid of doomed) {
    await local.delete(cid, { signal });
    yield cid;
  }
}
