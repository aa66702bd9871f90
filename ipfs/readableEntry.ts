import type { UnixFSEntry } from "ipfs-unixfs-exporter";
import { IpfsError } from "./errors.ts";

/** An entry whose bytes can be read: a UnixFS file, a raw block, or an identity CID. */
export type ReadableEntry = Extract<UnixFSEntry, { type: "file" | "raw" | "identity" }>;

/** Kubo's errors for reading bytes out of something else (`ErrIsDir`, `ErrNotSupported`). */
export function readableEntry(entry: UnixFSEntry): ReadableEntry {
  if (entry.type === "directory") throw new IpfsError("IPFS_IS_DIRECTORY", "this dag node is a directory", { cid: entry.cid.toString() });
  if (entry.type === "object") throw new IpfsError("IPFS_NOT_UNIXFS", "operation not supported", { cid: entry.cid.toString() });
  return entry;
}
