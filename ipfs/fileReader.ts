import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { IpfsError } from "./errors.ts";

export type ReadBlockBytes = (cid: CID, options: { signal?: AbortSignal }) => Promise<Uint8Array>;

export interface ReadFileOptions {
  /** First byte to read (default 0). */
  offset?: bigint;
  /** Bytes to read (default: to the end). */
  length?: bigint;
  signal?: AbortSignal;
  /** Most sibling blocks fetched ahead of the reader (default 32), for parallel fetches from peers. */
  prefetch?: number;
  /** Most file bytes those blocks may hold together (default 8 MiB): what bounds memory. */
  prefetchBytes?: number;
  /** Called with every block the read touches, in depth-first order, before its bytes are yielded. */
  onBlock?: (cid: CID, bytes: Uint8Array) => Promise<void>;
}

/**
 * Streams a byte range of a UnixFS file (or raw / identity block) with backpressure: a block is
 * only fetched when the reader is within `prefetch` siblings of it, so a slow consumer holds a
 * few blocks in memory, not the file. Subtrees outside the range are never fetched.
 *
 * (ipfs-unixfs-exporter's reader queues the whole file ahead of the consumer and leaves a
 * rejected promise unhandled when a block is missing, which would crash the process.)
 */
export async function* readFile(root: CID, read: ReadBlockBytes, options: ReadFileOptions = {}): AsyncGenerator<Uint8Array> {
  const window = Math.max(1, options.prefetch ?? 32);
  const windowBytes = BigInt(options.prefetchBytes ?? 8 * 1024 * 1024);
  const load = (cid: CID): Promise<Uint8Array> =>
    cid.multihash.code === identity.code ? Promise.resolve(cid.multihash.digest) : read(cid, { signal: options.signal });

  const rootBytes = await load(root);
  const size = fileSizeOf(root, rootBytes);
  const start = options.offset ?? 0n;
  const end = options.length === undefined ? size : start + options.length > size ? size : start + options.length;
  if (start < 0n || (options.length !== undefined && options.length < 0n)) {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", "offset and length must not be negative", { offset: start, length: options.length });
  }
  if (start >= end) return;

  let produced = 0n;
  async function* visit(cid: CID, bytes: Uint8Array, position: bigint): AsyncGenerator<Uint8Array> {
    await options.onBlock?.(cid, bytes);
    if (cid.code === raw.code || (cid.multihash.code === identity.code && cid.code !== dagPb.code)) {
      yield* slice(bytes, position);
      return;
    }
    const node = decodeFileNode(cid, bytes);
    if (node.unixfs.data !== undefined && node.unixfs.data.length > 0) {
      yield* slice(node.unixfs.data, position);
      position += BigInt(node.unixfs.data.length);
    }
    if (node.links.length !== node.unixfs.blockSizes.length) {
      throw new IpfsError("IPFS_NOT_UNIXFS", `${cid} is corrupt: ${node.links.length} links but ${node.unixfs.blockSizes.length} block sizes`, { cid: cid.toString() });
    }
    const wanted: Array<{ cid: CID; position: bigint; size: bigint }> = [];
    for (let i = 0; i < node.links.length; i++) {
      const childEnd = position + node.unixfs.blockSizes[i];
      if (childEnd > start && position < end) wanted.push({ cid: node.links[i], position, size: node.unixfs.blockSizes[i] });
      position = childEnd;
    }
    const pending = new Map<number, Promise<Uint8Array>>();
    for (let index = 0; index < wanted.length; index++) {
      // Read ahead by count and by bytes: leaves of 1 MiB get fewer siblings in flight than 256 KiB ones.
      let bytesAhead = 0n;
      for (let ahead = index; ahead < Math.min(wanted.length, index + window); ahead++) {
        if (ahead > index && bytesAhead + wanted[ahead].size > windowBytes) break;
        bytesAhead += wanted[ahead].size;
        if (pending.has(ahead)) continue;
        const promise = load(wanted[ahead].cid);
        // Surfaces when that child is visited; one left behind by an early stop is dropped.
        promise.catch(() => {});
        pending.set(ahead, promise);
      }
      const childBytes = await pending.get(index)!;
      pending.delete(index);
      yield* visit(wanted[index].cid, childBytes, wanted[index].position);
    }
  }

  function* slice(data: Uint8Array, position: bigint): Generator<Uint8Array> {
    const from = start > position ? start - position : 0n;
    const to = end - position < BigInt(data.length) ? end - position : BigInt(data.length);
    if (from >= to) return;
    produced += to - from;
    yield data.subarray(Number(from), Number(to));
  }

  yield* visit(root, rootBytes, 0n);
  if (produced !== end - start) {
    throw new IpfsError("IPFS_NOT_UNIXFS", `${root} is corrupt: read ${produced} bytes where its sizes promise ${end - start}`, { cid: root.toString() });
  }
}

function fileSizeOf(cid: CID, bytes: Uint8Array): bigint {
  if (cid.code === raw.code || (cid.multihash.code === identity.code && cid.code !== dagPb.code)) return BigInt(bytes.length);
  return decodeFileNode(cid, bytes).unixfs.fileSize();
}

function decodeFileNode(cid: CID, bytes: Uint8Array): { unixfs: UnixFS; links: CID[] } {
  if (cid.code !== dagPb.code) throw new IpfsError("IPFS_NOT_UNIXFS", "operation not supported", { cid: cid.toString() });
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (node.Data === undefined) throw new Error("no UnixFS data");
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (error) {
    throw new IpfsError("IPFS_NOT_UNIXFS", `${cid} is not a UnixFS node: ${(error as Error).message}`, { cid: cid.toString() });
  }
  if (unixfs.isDirectory()) throw new IpfsError("IPFS_IS_DIRECTORY", "this dag node is a directory", { cid: cid.toString() });
  return { unixfs, links: node.Links.map((link) => link.Hash) };
}
