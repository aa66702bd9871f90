import { exporter, type UnixFSEntry } from "ipfs-unixfs-exporter";
import type { BlockFetcher } from "./blockFetcher.ts";
import { readFile } from "./fileReader.ts";
import { readableEntry } from "./readableEntry.ts";
import type { TarEntry } from "./tarWriter.ts";

/** A UnixFS tree as tar members, depth-first, each file streamed when its turn comes. */
export async function* tarEntriesOf(entry: UnixFSEntry, path: string, blocks: BlockFetcher, signal: AbortSignal): AsyncGenerator<TarEntry> {
  if (entry.type === "directory") {
    yield { type: "directory", path };
    for await (const child of entry.entries({ signal })) {
      const childEntry = await exporter(child.cid, blocks, { signal });
      yield* tarEntriesOf(childEntry, `${path}/${child.name}`, blocks, signal);
    }
    return;
  }
  const file = readableEntry(entry);
  yield { type: "file", path, size: file.size, content: readFile(file.cid, blocks.read, { signal }) };
}
