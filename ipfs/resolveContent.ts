import { exporter, type UnixFSEntry, walkPath } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import type { BlockFetcher } from "./blockFetcher.ts";
import type { ContentPath } from "./contentPath.ts";
import { IpfsError } from "./errors.ts";

export interface ResolvedContent {
  /** The CID at the end of the path. */
  cid: CID;
  entry: UnixFSEntry;
  /** Every block read to get there, root first: a trustless response must include them. */
  pathBlocks: CID[];
}

/**
 * Follows a content path through UnixFS directories (HAMT shards included) to its terminal entry.
 * A missing segment is reported like Kubo: `no link named "x" under <parent>`.
 */
export async function resolveContent(path: ContentPath, blocks: BlockFetcher, signal?: AbortSignal): Promise<ResolvedContent> {
  const pathBlocks: CID[] = [];
  const recording = {
    get: (cid: CID, options?: { signal?: AbortSignal }) => {
      pathBlocks.push(cid);
      return blocks.get(cid, options);
    },
  };
  let cid = path.root;
  let parent = path.root;
  let remainder = path.segments;
  try {
    for await (const step of walkPath([path.root.toString(), ...path.segments].join("/"), recording, { signal })) {
      parent = cid;
      cid = step.cid;
      remainder = step.remainder;
    }
    const entry = await exporter(cid, recording, { signal });
    return { cid, entry, pathBlocks: unique(pathBlocks) };
  } catch (error) {
    if (error instanceof IpfsError) throw error;
    const name = (error as Error).name;
    if (name === "NotFoundError") {
      const missing = remainder[0] ?? path.segments.at(-1) ?? "";
      throw new IpfsError("IPFS_PATH_NOT_FOUND", `no link named "${missing}" under ${remainder.length > 0 ? cid : parent}`, {
        path: path.text,
      });
    }
    if (name === "NoResolverError" || name === "NotUnixFSError") {
      throw new IpfsError("IPFS_NOT_UNIXFS", `cannot resolve ${path.text}: ${(error as Error).message}`, { path: path.text });
    }
    throw error;
  }
}

function unique(cids: CID[]): CID[] {
  const seen = new Set<string>();
  return cids.filter((cid) => {
    const key = cid.toString();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
