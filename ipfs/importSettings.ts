import type { ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced, trickle } from "ipfs-unixfs-importer/layout";
import { IpfsError } from "./errors.ts";

/** IPIP-0499 profiles: `unixfs-v0-2015` is Kubo's `ipfs add` default, `unixfs-v1-2025` the modern one. */
export type ImportProfile = "unixfs-v0-2015" | "unixfs-v1-2025";

/** What `ipfs add` flags say about DAG shape; unset fields take the profile's value. */
export interface ImportSettings {
  profile?: ImportProfile;
  cidVersion?: number;
  rawLeaves?: boolean;
  /** `size-<bytes>` or `default`; other chunkers are refused. */
  chunker?: string;
  maxFileLinks?: number;
  trickle?: boolean;
  wrapWithDirectory?: boolean;
  hash?: string;
}

const PROFILE_DEFAULTS: Record<ImportProfile, { cidVersion: 0 | 1; rawLeaves: boolean; chunkSize: number; maxFileLinks: number }> = {
  "unixfs-v0-2015": { cidVersion: 0, rawLeaves: false, chunkSize: 262_144, maxFileLinks: 174 },
  "unixfs-v1-2025": { cidVersion: 1, rawLeaves: true, chunkSize: 1_048_576, maxFileLinks: 1024 },
};

/** boxo's limit: a chunk plus its UnixFS framing must fit the 2 MiB bitswap block limit. */
export const MAX_CHUNK_SIZE = 2 * 1024 * 1024 - 256;
/** Kubo's trickle DAG: 174 links per node, each layer repeated 4 times. */
const TRICKLE_LAYER_REPEAT = 4;

/**
 * Turns `ipfs add` settings into importer options that give Kubo's CIDs: with no settings, Kubo's
 * default `ipfs add`; `cidVersion: 1` alone implies raw leaves as in Kubo.
 */
export function importerOptionsFor(settings: ImportSettings): ImporterOptions {
  const profile = settings.profile ?? "unixfs-v0-2015";
  const base = PROFILE_DEFAULTS[profile];
  const hash = (settings.hash ?? "sha2-256").toLowerCase();
  if (hash !== "sha2-256") {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `unrecognized hash function: "${hash}" (this node hashes with sha2-256 only)`, { hash });
  }
  const cidVersion = settings.cidVersion ?? base.cidVersion;
  if (cidVersion !== 0 && cidVersion !== 1) {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `unknown CID version: ${cidVersion}`, { cidVersion });
  }
  const rawLeaves = settings.rawLeaves ?? (settings.cidVersion === 1 ? true : base.rawLeaves);
  const chunkSize = parseChunker(settings.chunker) ?? base.chunkSize;
  const maxFileLinks = settings.maxFileLinks ?? base.maxFileLinks;
  if (!Number.isInteger(maxFileLinks) || maxFileLinks < 2) {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `max-file-links must be at least 2, got ${maxFileLinks}`, { maxFileLinks });
  }
  const options: ImporterOptions = {
    profile,
    cidVersion,
    rawLeaves,
    chunker: fixedSize({ chunkSize }),
    layout: settings.trickle === true
      ? trickle({ maxChildrenPerNode: maxFileLinks, layerRepeat: TRICKLE_LAYER_REPEAT })
      : balanced({ maxChildrenPerNode: maxFileLinks }),
    wrapWithDirectory: settings.wrapWithDirectory ?? false,
    // Multipart parts arrive one after another: the next file only exists once this one is read.
    fileImportConcurrency: 1,
    // Bounds the blocks of one upload held in memory at once.
    blockWriteConcurrency: 8,
  };
  if (settings.trickle === true && !rawLeaves) {
    // Kubo's trickle builder wraps leaves as UnixFS `raw` nodes and always keeps a root above them.
    options.leafType = "raw";
    options.reduceSingleLeafToSelf = false;
  }
  return options;
}

function parseChunker(chunker: string | undefined): number | undefined {
  if (chunker === undefined || chunker === "" || chunker === "default") return undefined;
  if (chunker.startsWith("size-")) {
    const text = chunker.split("-")[1];
    if (!/^[+-]?\d+$/.test(text)) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `strconv.Atoi: parsing "${text}": invalid syntax`, { chunker });
    }
    const size = Number.parseInt(text, 10);
    if (size <= 0) throw new IpfsError("IPFS_INVALID_ARGUMENT", "chunker size must be greater than 0", { chunker });
    if (size > MAX_CHUNK_SIZE) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `chunker parameters may not exceed the maximum chunk size of ${MAX_CHUNK_SIZE}`, { chunker });
    }
    return size;
  }
  if (chunker.startsWith("rabin") || chunker === "buzhash") {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `chunker ${chunker} is not supported by this node; use size-<bytes>`, { chunker });
  }
  throw new IpfsError("IPFS_INVALID_ARGUMENT", `unrecognized chunker option: ${chunker}`, { chunker });
}
