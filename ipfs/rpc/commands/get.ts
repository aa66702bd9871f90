import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { parseContentPath } from "../../contentPath.ts";
import { IpfsError } from "../../errors.ts";
import { readFile } from "../../fileReader.ts";
import { readableEntry } from "../../readableEntry.ts";
import { resolveContent } from "../../resolveContent.ts";
import { tarEntriesOf } from "../../tarEntries.ts";
import { writeTar } from "../../tarWriter.ts";
import type { Command } from "../command.ts";

/**
 * `get`: a tar archive of the file or directory tree (what `ipfs get` unpacks), optionally
 * gzipped; a single file with `compress` and no `archive` is sent as plain gzip, as in Kubo.
 */
export const getCommand: Command = {
  argument: { name: "ipfs-path", required: true, variadic: false },
  options: {
    output: { type: "string", aliases: ["o"] },
    archive: { type: "bool", aliases: ["a"] },
    compress: { type: "bool", aliases: ["C"] },
    "compression-level": { type: "int", aliases: ["l"] },
    progress: { type: "bool", aliases: ["p"] },
  },
  async run({ services, args, options, response, signal }) {
    const level = options.int("compression-level") ?? -1;
    if (level < -1 || level > 9) throw new IpfsError("IPFS_INVALID_ARGUMENT", "compression level must be between 1 and 9");
    const compress = options.bool("compress", false) || level > 0;
    const path = parseContentPath(args[0]);
    const { entry } = await resolveContent(path, services.blocks, signal);
    const name = path.segments.at(-1) ?? path.root.toString();

    let body: AsyncIterable<Uint8Array>;
    if (compress && !options.bool("archive", false) && entry.type !== "directory") {
      body = gzip(readFile(readableEntry(entry).cid, services.blocks.read, { signal }), level);
    } else {
      const tar = writeTar(tarEntriesOf(entry, name, services.blocks, signal));
      body = compress ? gzip(tar, level) : tar;
    }
    await response.bytes(body);
  },
};

function gzip(source: AsyncIterable<Uint8Array>, level: number): AsyncIterable<Uint8Array> {
  return Readable.from(source).pipe(createGzip({ level: level === -1 ? undefined : level }));
}
