import type { CodecLoader } from "@helia/interface";
import { createUnsafe } from "multiformats/block";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";

export interface DagBlock {
  cid: CID;
  bytes: Uint8Array;
  links: CID[];
  depth: number;
  /** An identity CID carries its bytes inline: it is never stored or sent as a block. */
  inline: boolean;
}

export interface WalkDagOptions {
  /** 0 = the root only; Infinity (default) = the whole DAG. */
  maxDepth?: number;
  /** Visit each block once (CAR `dups=n`, pin bookkeeping). Default true. */
  skipDuplicates?: boolean;
  signal?: AbortSignal;
  /** Children fetched ahead of the traversal, so peers are asked in parallel. Default 8. */
  prefetch?: number;
}

export type ReadBlock = (cid: CID, options: { signal?: AbortSignal }) => Promise<Uint8Array>;

/**
 * Depth-first, link-order traversal (the `order=dfs` of trustless CAR responses). Siblings are
 * fetched a few at a time ahead of the cursor; what is yielded stays in DFS order.
 */
export async function* walkDag(root: CID, readBlock: ReadBlock, getCodec: CodecLoader, options: WalkDagOptions = {}): AsyncGenerator<DagBlock> {
  const maxDepth = options.maxDepth ?? Infinity;
  const skipDuplicates = options.skipDuplicates ?? true;
  const window = Math.max(1, options.prefetch ?? 8);
  const seen = new Set<string>();
  const read = (cid: CID): Promise<Uint8Array> =>
    cid.multihash.code === identity.code ? Promise.resolve(cid.multihash.digest) : readBlock(cid, { signal: options.signal });

  async function* visit(cid: CID, depth: number, bytes: Promise<Uint8Array>): AsyncGenerator<DagBlock> {
    const data = await bytes;
    const codec = await getCodec(cid.code);
    const block = createUnsafe({ cid, bytes: data, codec });
    const links = [...block.links()].map(([, link]) => link);
    yield { cid, bytes: data, links, depth, inline: cid.multihash.code === identity.code };
    if (depth >= maxDepth) return;

    const children = links.filter((link) => {
      if (!skipDuplicates) return true;
      const key = keyOf(link);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const pending = new Map<number, Promise<Uint8Array>>();
    const start = (index: number): void => {
      if (index >= children.length || pending.has(index)) return;
      const promise = read(children[index]);
      // Rejections surface when the child is visited; one left behind by an early stop is dropped.
      promise.catch(() => {});
      pending.set(index, promise);
    };
    for (let index = 0; index < children.length; index++) {
      for (let ahead = index; ahead < Math.min(children.length, index + window); ahead++) start(ahead);
      const child = pending.get(index)!;
      pending.delete(index);
      yield* visit(children[index], depth + 1, child);
    }
  }

  seen.add(keyOf(root));
  yield* visit(root, 0, read(root));
}

/** Blocks are the same block whatever CID version or codec names them: key by multihash. */
function keyOf(cid: CID): string {
  return Buffer.from(cid.multihash.bytes).toString("base64");
}
