import type { BlockFetcher } from "../../blockFetcher.ts";
import { parseContentPath } from "../../contentPath.ts";
import { readFile } from "../../fileReader.ts";
import { IpfsError } from "../../errors.ts";
import { type ReadableEntry, readableEntry } from "../../readableEntry.ts";
import { resolveContent } from "../../resolveContent.ts";
import type { Command } from "../command.ts";

interface Slice {
  entry: ReadableEntry;
  offset: bigint;
  length: bigint;
}

/**
 * `cat`: the bytes of one or more files back to back. `offset` and `length` apply to the
 * concatenation, as in Kubo (files wholly before the offset are skipped).
 */
export const catCommand: Command = {
  argument: { name: "ipfs-path", required: true, variadic: true },
  options: {
    offset: { type: "int64", aliases: ["o"] },
    length: { type: "int64", aliases: ["l"] },
    progress: { type: "bool", aliases: ["p"] },
  },
  async run({ services, args, options, response, signal }) {
    const offset = options.int64("offset") ?? 0n;
    if (offset < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot specify negative offset");
    const max = options.int64("length");
    if (max !== undefined && max < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot specify negative length");

    const slices: Slice[] = [];
    let skip = offset;
    let total = 0n;
    if (max !== 0n) {
      for (const arg of args) {
        const { entry } = await resolveContent(parseContentPath(arg), services.blocks, signal);
        const file = readableEntry(entry);
        const size = file.size;
        if (skip > size) {
          skip -= size;
          continue;
        }
        let length = size - skip;
        total += length;
        const slice = { entry: file, offset: skip, length };
        skip = 0n;
        if (max !== undefined && total >= max) {
          slice.length = length - (total - max);
          total = max;
          slices.push(slice);
          break;
        }
        slices.push(slice);
      }
    }
    await response.bytes(content(slices, services.blocks, signal), total);
  },
};

async function* content(slices: Slice[], blocks: BlockFetcher, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  for (const slice of slices) {
    if (slice.length === 0n) continue;
    yield* readFile(slice.entry.cid, blocks.read, { offset: slice.offset, length: slice.length, signal });
  }
}
