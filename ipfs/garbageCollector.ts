/**
 * `repo/gc`: deletes the blocks nothing keeps. Kept: every pinned block, the whole DAG of every
 * recursive pin, and the MFS tree (Kubo keeps the MFS root as a best-effort root of its own).
 *
 * As Kubo, marking reads only what is here, never asks peers: a pinned DAG is complete here by
 * construction, and a missing block of one stops the collection (deleting with an incomplete mark
 * could delete what the pin needs). The MFS may reference content copied in by CID and never read
 * (`files cp /ipfs/...`): its missing blocks are skipped, as Kubo's best-effort roots are.
 * The caller holds the GC lock exclusively (gcLock.ts), so nothing is written between mark and sweep.
 */
import type { Helia } from "@helia/interface";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { createUnsafe } from "multiformats/block";
import { identity } from "multiformats/hashes/identity";
import { IpfsError } from "./errors.ts";

export async function* collectGarbage(helia: Helia, local: Blockstore, mfsRoot: CID, signal?: AbortSignal): AsyncGenerator<CID> {
  const keep = new Set<string>();
  /** Marks what `root` reaches down to `maxDepth`; a best-effort root skips what is not here. */
  const mark = async (root: CID, maxDepth: number, bestEffort: boolean): Promise<void> => {
    const stack: Array<{ cid: CID; depth: number }> = [{ cid: root, depth: 0 }];
    // Per walk, not `keep`: a block a direct pin kept alone must still be descended by a recursive one.
    const seen = new Set<string>();
    while (stack.length > 0) {
      const { cid, depth } = stack.pop()!;
      if (cid.multihash.code === identity.code || seen.has(keyOf(cid))) continue;
      seen.add(keyOf(cid));
      let bytes: Uint8Array;
      try {
        bytes = await readLocal(local, cid, signal);
      } catch (error) {
        if ((error as Error).name !== "NotFoundError") throw error;
        if (bestEffort) continue;
        throw new IpfsError("IPFS_BLOCK_NOT_FOUND", `could not retrieve links for ${root}: block ${cid} of this pinned DAG is missing here`, { cid: root.toString() }, { cause: error });
      }
      keep.add(keyOf(cid));
      if (depth >= maxDepth) continue;
      const block = createUnsafe({ cid, bytes, codec: await helia.getCodec(cid.code) });
      for (const [, link] of block.links()) stack.push({ cid: link, depth: depth + 1 });
    }
  };
  for await (const pin of helia.pins.ls({ signal })) await mark(pin.cid, pin.depth, false);
  await mark(mfsRoot, Infinity, true);
  const doomed: CID[] = [];
  for await (const { cid } of local.getAll({ signal })) if (!keep.has(keyOf(cid))) doomed.push(cid);
  for (const cid of doomed) {
    await local.delete(cid, { signal });
    yield cid;
  }
}

async function readLocal(local: Blockstore, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of local.get(cid, { signal })) parts.push(part);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Blocks are the same block whatever CID version or codec names them. */
function keyOf(cid: CID): string {
  return Buffer.from(cid.multihash.bytes).toString("base64");
}
