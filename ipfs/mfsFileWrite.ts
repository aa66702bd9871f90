/**
 * files/write as Kubo's MFS writes (boxo's DagModifier), so the CIDs match Kubo's for the files
 * people write through files/*: a new file starts as an empty UnixFS file node, and each write
 *   1. (with truncate) cuts the file to zero: the leaves before the first non-empty one stay, that
 *      one is kept emptied (dagTruncate);
 *   2. pads with zeros up to `offset` in 4096-byte leaves (expandSparse);
 *   3. overwrites the bytes the file already has in place, leaf by leaf (modifyDag);
 *   4. appends the rest as 256 KiB leaves (trickle.Append on the first layer).
 * Leaves are UnixFS `raw` dag-pb nodes under a root that keeps no data of its own.
 * Checked against Kubo's t0250-files-api vectors (offset write, truncate then write).
 *
 * Only files of that shape whose leaves fit one trickle layer (174 leaves, ~43 MiB) are edited
 * this way; `undefined` tells the caller to re-import the whole file instead (content copied in
 * from `ipfs add`, deeper trickle trees). Kubo also syncs a write larger than 1 MiB in parts
 * whose boundaries depend on how the upload arrived, so such writes cannot be matched anyway.
 */
import * as dagPb from "@ipld/dag-pb";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";

const TYPE_RAW = 0;
const TYPE_FILE = 2;
const CHUNK_SIZE = 262_144;
const SPARSE_CHUNK_SIZE = 4096;
const MAX_LINKS = 174;

interface Leaf {
  cid: CID;
  size: number;
  /** The leaf's encoded block length: its link's Tsize. */
  blockLength: number;
}

export interface LeafStore {
  getBytes(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  put(cid: CID, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<unknown>;
}

export async function writeMfsFile(
  store: LeafStore,
  existing: CID | undefined,
  content: Uint8Array,
  options: { offset: number; truncate: boolean; signal?: AbortSignal },
): Promise<CID | undefined> {
  const leaves = existing === undefined ? [] : await readLeaves(store, existing, options.signal);
  if (leaves === undefined) return undefined;
  const put = async (data: Uint8Array): Promise<Leaf> => {
    const bytes = dagPb.encode({ Data: unixfsBytes(TYPE_RAW, data, data.length, []), Links: [] });
    const cid = CID.createV0(await sha256.digest(bytes));
    await store.put(cid, bytes, { signal: options.signal });
    return { cid, size: data.length, blockLength: bytes.length };
  };
  const leafData = async (leaf: Leaf): Promise<Uint8Array> => {
    const unixfs = dagPb.decode(await store.getBytes(leaf.cid, { signal: options.signal })).Data!;
    return parseUnixfs(unixfs)!.data ?? new Uint8Array();
  };

  if (options.truncate && leaves.some((leaf) => leaf.size > 0)) {
    const cut = leaves.findIndex((leaf) => leaf.size > 0);
    leaves.splice(cut, leaves.length - cut, await put(new Uint8Array()));
  }
  let size = leaves.reduce((total, leaf) => total + leaf.size, 0);
  for (let padding = options.offset - size; padding > 0; padding -= SPARSE_CHUNK_SIZE) {
    leaves.push(await put(new Uint8Array(Math.min(padding, SPARSE_CHUNK_SIZE))));
  }
  size = Math.max(size, options.offset);

  let start = 0;
  for (const [index, leaf] of leaves.entries()) {
    const end = start + leaf.size;
    if (end > options.offset && start < options.offset + content.length) {
      const data = Uint8Array.from(await leafData(leaf));
      const from = Math.max(options.offset, start);
      const to = Math.min(end, options.offset + content.length);
      data.set(content.subarray(from - options.offset, to - options.offset), from - start);
      leaves[index] = await put(data);
    }
    start = end;
  }
  const appended = content.subarray(Math.max(0, size - options.offset));
  for (let at = 0; at < appended.length; at += CHUNK_SIZE) leaves.push(await put(appended.subarray(at, at + CHUNK_SIZE)));
  if (leaves.length > MAX_LINKS) return undefined;

  const total = leaves.reduce((sum, leaf) => sum + leaf.size, 0);
  const root = dagPb.encode({
    Data: unixfsBytes(TYPE_FILE, undefined, total, leaves.map((leaf) => leaf.size)),
    Links: leaves.map((leaf) => ({ Hash: leaf.cid, Name: "", Tsize: leaf.blockLength })),
  });
  const cid = CID.createV0(await sha256.digest(root));
  await store.put(cid, root, { signal: options.signal });
  return cid;
}

/** The leaves of a file in Kubo's MFS shape, or undefined for any other shape. */
async function readLeaves(store: LeafStore, root: CID, signal?: AbortSignal): Promise<Leaf[] | undefined> {
  if (root.code !== dagPb.code) return undefined;
  const node = dagPb.decode(await store.getBytes(root, { signal }));
  const unixfs = node.Data === undefined ? undefined : parseUnixfs(node.Data);
  if (unixfs?.type !== TYPE_FILE || unixfs.data !== undefined || unixfs.other || node.Links.length > MAX_LINKS) return undefined;
  const leaves: Leaf[] = [];
  for (const link of node.Links) {
    if (link.Hash.code !== dagPb.code) return undefined;
    const bytes = await store.getBytes(link.Hash, { signal });
    const leaf = dagPb.decode(bytes);
    const leafUnixfs = leaf.Data === undefined ? undefined : parseUnixfs(leaf.Data);
    if (leaf.Links.length > 0 || leafUnixfs?.type !== TYPE_RAW || leafUnixfs.other) return undefined;
    leaves.push({ cid: link.Hash, size: leafUnixfs.data?.length ?? 0, blockLength: bytes.length });
  }
  return leaves;
}

/** UnixFS protobuf as Go's proto2 writes it: Type, Data (when set, even empty), filesize, blocksizes. */
function unixfsBytes(type: number, data: Uint8Array | undefined, fileSize: number, blockSizes: number[]): Uint8Array {
  const head: number[] = [0x08, type];
  if (data !== undefined) head.push(0x12, ...varint(data.length));
  const tail: number[] = [0x18, ...varint(fileSize)];
  for (const blockSize of blockSizes) tail.push(0x20, ...varint(blockSize));
  return Buffer.concat([Uint8Array.from(head), data ?? new Uint8Array(), Uint8Array.from(tail)]);
}

/** The fields this writer handles; `other` is set when anything else (mode, mtime, ...) is present. */
function parseUnixfs(bytes: Uint8Array): { type: number; data?: Uint8Array; other: boolean } | undefined {
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      if (byte === undefined) throw new RangeError("truncated varint");
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  let type: number | undefined;
  let data: Uint8Array | undefined;
  let other = false;
  try {
    while (at < bytes.length) {
      const tag = readVarint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (wire === 0) {
        const value = readVarint();
        if (field === 1) type = value;
        else if (field !== 3 && field !== 4) other = true;
      } else if (wire === 2) {
        const length = readVarint();
        if (field === 2) data = bytes.subarray(at, at + length);
        else other = true;
        at += length;
      } else {
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return type === undefined ? undefined : { type, data, other };
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}
