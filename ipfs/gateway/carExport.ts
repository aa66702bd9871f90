import type { CodecLoader } from "@helia/interface";
import { CarWriter } from "@ipld/car/writer";
import { exporter } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import type { BlockFetcher } from "../blockFetcher.ts";
import { walkDag } from "../dagWalker.ts";
import { IpfsError } from "../errors.ts";
import { readFile } from "../fileReader.ts";
import type { ResolvedContent } from "../resolveContent.ts";

export type DagScope = "all" | "entity" | "block";

export interface CarExport {
  /** The CAR header's single root: the CID the request path starts from. */
  root: CID;
  resolved: ResolvedContent;
  scope: DagScope;
  /** `entity-bytes=from:to`, already checked for syntax. */
  entityBytes?: { from: bigint; to: bigint | "*" };
  /** `dups=y`: repeat a block every time the walk meets it. */
  duplicates: boolean;
}

/** Parses `entity-bytes` (`from:to`, negatives count from the end, `*` is end of file). */
export function parseEntityBytes(text: string): { from: bigint; to: bigint | "*" } {
  const match = /^(-?\d+):(-?\d+|\*)$/.exec(text);
  if (match === null) {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid entity-bytes "${text}": expected from:to with integers or *`, { entityBytes: text });
  }
  const from = BigInt(match[1]);
  const to = match[2] === "*" ? "*" : BigInt(match[2]);
  if (from >= 0n && to !== "*" && to >= 0n && to < from) {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid entity-bytes "${text}": range ends before it starts`, { entityBytes: text });
  }
  return { from, to };
}

/**
 * A CARv1 stream (trustless gateway spec): the blocks that prove the path, then the blocks of the
 * requested scope in depth-first order. Every block is a verbatim store block, so a client checks
 * each against its CID and trusts nothing else.
 */
export async function* exportCar(request: CarExport, blocks: BlockFetcher, getCodec: CodecLoader, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const { writer, out } = CarWriter.create([request.root]);
  const emitted = new Set<string>();
  const put = async (cid: CID, bytes?: Uint8Array): Promise<void> => {
    if (cid.multihash.code === identity.code) return; // never sent: the bytes are in the CID
    const key = cid.toString();
    if (!request.duplicates && emitted.has(key)) return;
    emitted.add(key);
    await writer.put({ cid, bytes: bytes ?? (await blocks.getBytes(cid, { signal })) });
  };

  const producer = (async () => {
    try {
      for (const cid of request.resolved.pathBlocks) await put(cid);
      await writeScope(request, blocks, getCodec, signal, put);
    } finally {
      await writer.close();
    }
  })();
  // A failure surfaces after the bytes already produced: the client sees a truncated CAR.
  producer.catch(() => {});
  for await (const chunk of out) yield chunk;
  await producer;
}

async function writeScope(
  request: CarExport,
  blocks: BlockFetcher,
  getCodec: CodecLoader,
  signal: AbortSignal,
  put: (cid: CID, bytes?: Uint8Array) => Promise<void>,
): Promise<void> {
  const { entry, cid } = request.resolved;
  if (request.scope === "block") return;
  if (request.scope === "all") {
    for await (const block of walkDag(cid, (c, o) => blocks.getBytes(c, o), getCodec, { signal, skipDuplicates: !request.duplicates })) {
      await put(block.cid, block.bytes);
    }
    return;
  }
  // entity: exactly the blocks a reader touches to read the file (range) or list the directory.
  const touched: CID[] = [];
  const recording = {
    get: (c: CID, options?: { signal?: AbortSignal }) => {
      touched.push(c);
      return blocks.get(c, options);
    },
  };
  if (entry.type === "file" || entry.type === "raw" || entry.type === "identity") {
    const range = resolveEntityBytes(request.entityBytes, entry.size);
    if (range === undefined) return;
    const reading = readFile(cid, blocks.read, { offset: range.start, length: range.length, signal, onBlock: (block, bytes) => put(block, bytes) });
    for await (const _ of reading) {
      // the blocks are the answer; the bytes are not needed
    }
  } else if (entry.type === "directory") {
    const directory = await exporter(cid, recording, { signal });
    if (directory.type === "directory") {
      for await (const _ of directory.entries({ signal })) {
        while (touched.length > 0) await put(touched.shift()!);
      }
    }
  }
  while (touched.length > 0) await put(touched.shift()!);
}

/** The byte span `entity-bytes` selects in an entity of `size` bytes; undefined = no bytes (block scope). */
function resolveEntityBytes(spec: CarExport["entityBytes"], size: bigint): { start: bigint; length: bigint } | undefined {
  if (spec === undefined) return { start: 0n, length: size };
  const absolute = (value: bigint): bigint => (value < 0n ? size + value : value);
  const start = absolute(spec.from) < 0n ? 0n : absolute(spec.from);
  let end = spec.to === "*" ? size - 1n : absolute(spec.to);
  if (end > size - 1n) end = size - 1n;
  if (size === 0n || start > end || start >= size) return undefined;
  return { start, length: end - start + 1n };
}
