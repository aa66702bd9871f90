/**
 * The Mutable File System (Kubo's `ipfs files`): a directory tree whose root is a CID that every
 * change replaces, on top of @helia/unixfs's immutable directory operations. A change to /a/b/c
 * rebuilds c's parent b, then a, then the root, and the new root is saved (to `mfs-root` in the data
 * directory: written to a temporary file, then renamed, so a crash leaves the old root or the new one).
 *
 * Why not @helia/mfs: its latest release (4.0.3) is built on @helia/unixfs 4, three majors behind
 * the Helia this node runs; mixing them would bring a second copy of the whole IPLD stack.
 *
 * Changes are serialized (one at a time): two concurrent writes would each rebuild from the same
 * root and the second would drop the first's change.
 *
 * Blocks are read through the node's BlockFetcher, not Helia's blockstore: a block nobody has (a
 * `files cp /ipfs/<cid>` of unknown content) must fail by the fetch deadline, not wait forever on
 * bitswap while holding the queue every later change waits behind.
 */
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Helia } from "@helia/interface";
import { unixfs, type UnixFS } from "@helia/unixfs";
import * as dagPb from "@ipld/dag-pb";
import type { Blockstore } from "interface-blockstore";
import type { BlockFetcher } from "./blockFetcher.ts";
import { CID } from "multiformats/cid";
import { IpfsError } from "./errors.ts";
import { importerOptionsFor } from "./importSettings.ts";
import { writeMfsFile } from "./mfsFileWrite.ts";

export interface MfsStat {
  cid: CID;
  type: "file" | "directory";
  /** File size (a directory: 0, as Kubo). */
  size: bigint;
  /** The DAG's bytes with all its blocks. */
  cumulativeSize: bigint;
  /** Links of the node itself (Kubo's `Blocks`): a directory's entries, a file's chunks; 0 for a raw block. */
  blocks: number;
}

export interface MfsEntry {
  name: string;
  type: "file" | "directory";
  size: bigint;
  cid: CID;
}

const ROOT_FILE = "mfs-root";

type PutBlock = (cid: CID, bytes: Uint8Array, options?: { signal?: AbortSignal }) => Promise<CID>;

export class MutableFileSystem {
  readonly #fs: UnixFS;
  readonly #blocks: BlockFetcher;
  readonly #rootFile: string | undefined;
  readonly #put: PutBlock;
  #root: CID;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(fs: UnixFS, blocks: BlockFetcher, put: PutBlock, root: CID, rootFile: string | undefined) {
    this.#fs = fs;
    this.#put = put;
    this.#blocks = blocks;
    this.#root = root;
    this.#rootFile = rootFile;
  }

  /** Opens the MFS of a node: the saved root in `dataDir`, or an empty directory. */
  static async open(helia: Helia, blocks: BlockFetcher, local: Blockstore, dataDir: string | undefined): Promise<MutableFileSystem> {
    const put: PutBlock = async (cid, bytes, options) => helia.blockstore.put(cid, bytes, options);
    const fs = unixfs({
      blockstore: {
        get: (cid, options) => blocks.get(cid, options),
        put,
        has: (cid, options) => local.has(cid, options),
      },
    });
    const rootFile = dataDir === undefined ? undefined : join(dataDir, ROOT_FILE);
    let root: CID | undefined;
    if (rootFile !== undefined) {
      const saved = await readFile(rootFile, "utf8").catch(() => undefined);
      if (saved !== undefined) root = CID.parse(saved.trim());
    }
    // Kubo's MFS root is a CIDv0 directory (QmUNLLs... when empty).
    root ??= await fs.addDirectory({}, { cidVersion: 0 });
    return new MutableFileSystem(fs, blocks, put, root, rootFile);
  }

  get root(): CID {
    return this.#root;
  }

  async stat(path: string, signal?: AbortSignal): Promise<MfsStat> {
    const cid = await this.#resolve(path, signal);
    const stats = await this.#fs.stat(cid, { extended: true, signal });
    const type = stats.type === "directory" ? "directory" : "file";
    return {
      cid,
      type,
      size: type === "directory" ? 0n : stats.size,
      cumulativeSize: stats.dagSize,
      blocks: cid.code === dagPb.code ? dagPb.decode(await this.#blocks.getBytes(cid, { signal })).Links.length : 0,
    };
  }

  async *ls(path: string, signal?: AbortSignal): AsyncGenerator<MfsEntry> {
    const target = await this.stat(path, signal);
    if (target.type !== "directory") {
      yield { name: basename(path), type: "file", size: target.size, cid: target.cid };
      return;
    }
    for await (const entry of this.#fs.ls(target.cid, { signal })) {
      // A directory entry names its link only: its type is in the child's own node.
      const stats = await this.#fs.stat(entry.cid, { signal });
      const directory = stats.type === "directory";
      yield { name: entry.name, type: directory ? "directory" : "file", size: directory ? 0n : stats.size, cid: entry.cid };
    }
  }

  async read(path: string, options: { offset?: number; count?: number; signal?: AbortSignal }): Promise<AsyncIterable<Uint8Array>> {
    const target = await this.stat(path, options.signal);
    if (target.type === "directory") throw new IpfsError("IPFS_IS_DIRECTORY", `${path} is a directory, not a file`, { path });
    const offset = options.offset ?? 0;
    if (offset > target.size) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `offset was past end of file (${offset} > ${target.size})`, { path, offset });
    }
    // Kubo answers an empty body for a read at the very end (the exporter refuses that offset).
    if (offset === Number(target.size) || options.count === 0) return empty();
    return this.#fs.cat(target.cid, { offset, length: options.count, signal: options.signal });
  }

  mkdir(path: string, options: { parents: boolean; signal?: AbortSignal }): Promise<void> {
    return this.#change(async () => {
      const segments = split(path);
      if (segments.length === 0) {
        if (options.parents) return;
        throw new IpfsError("IPFS_INVALID_ARGUMENT", "file already exists", { path });
      }
      if (await this.#exists(segments, options.signal)) {
        if (options.parents) return;
        throw new IpfsError("IPFS_INVALID_ARGUMENT", "file already exists", { path });
      }
      const empty = await this.#fs.addDirectory({}, { cidVersion: 0 });
      await this.#place(segments, empty, options.parents, options.signal);
    });
  }

  /**
   * files/write: `content` at `offset` of the file (created with `create`, emptied first with
   * `truncate`), edited as Kubo edits it (mfsFileWrite.ts) so the CIDs are Kubo's; a file of
   * another shape (copied in from `ipfs add`) is re-imported whole, which suits a devnet's documents.
   */
  write(path: string, content: Uint8Array, options: { create: boolean; truncate: boolean; parents: boolean; offset?: number; signal?: AbortSignal }): Promise<void> {
    return this.#change(async () => {
      const segments = split(path);
      if (segments.length === 0) throw new IpfsError("IPFS_IS_DIRECTORY", "/ is a directory, not a file", { path });
      let existing: CID | undefined;
      if (await this.#exists(segments, options.signal)) {
        const target = await this.stat(path, options.signal);
        if (target.type === "directory") throw new IpfsError("IPFS_IS_DIRECTORY", `${path} is a directory, not a file`, { path });
        existing = target.cid;
      } else if (!options.create) {
        throw new IpfsError("IPFS_PATH_NOT_FOUND", "file does not exist", { path });
      }
      const offset = options.offset ?? 0;
      const store = { getBytes: this.#blocks.getBytes.bind(this.#blocks), put: this.#put };
      const file =
        (await writeMfsFile(store, existing, content, { offset, truncate: options.truncate, signal: options.signal })) ??
        (await this.#reimport(existing, content, offset, options.truncate, options.signal));
      await this.#place(segments, file, options.parents, options.signal);
    });
  }

  async #reimport(existing: CID | undefined, content: Uint8Array, offset: number, truncate: boolean, signal?: AbortSignal): Promise<CID> {
    const before = existing === undefined || truncate ? new Uint8Array() : await collect(this.#fs.cat(existing, { signal }));
    const bytes = new Uint8Array(Math.max(before.length, offset + content.length));
    bytes.set(before);
    bytes.set(content, offset);
    const { onProgress: _, ...kubo } = importerOptionsFor({ trickle: true });
    return this.#fs.addBytes(bytes, { ...kubo, signal });
  }

  /** files/cp: `source` is /ipfs/<cid>[/path] or an MFS path; the destination must not exist. */
  cp(source: string, destination: string, options: { parents: boolean; signal?: AbortSignal; resolveIpfsPath: (path: string) => Promise<CID> }): Promise<void> {
    return this.#change(async () => {
      const cid = source.startsWith("/ipfs/") ? await options.resolveIpfsPath(source) : await this.#resolve(source, options.signal);
      const segments = split(destination);
      if (segments.length === 0 || (await this.#exists(segments, options.signal))) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `cp: cannot put node in path ${destination}: directory already has entry by that name`, { destination });
      }
      await this.#place(segments, cid, options.parents, options.signal);
    });
  }

  /**
   * files/mv as boxo's mfs.Mv: a destination ending in "/" or naming a directory receives the
   * source under its own name; an existing file at the destination is replaced.
   */
  mv(source: string, destination: string, signal?: AbortSignal): Promise<void> {
    return this.#change(async () => {
      const from = split(source);
      if (from.length === 0) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot move root", { source });
      const cid = await this.#resolve(source, signal);
      let to = split(destination);
      if (destination.endsWith("/") || (await this.#isDirectory(to, signal))) to = [...to, from.at(-1)!];
      if (to.length === from.length && to.every((segment, i) => segment === from[i])) return;
      if (from.every((segment, i) => segment === to[i])) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `cannot move ${source} into itself`, { source, destination });
      }
      if (await this.#isDirectory(to, signal)) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", "directory already has entry by that name", { destination });
      }
      await this.#place(to, cid, false, signal);
      await this.#remove(from, signal);
    });
  }

  rm(path: string, options: { recursive: boolean; force: boolean; signal?: AbortSignal }): Promise<void> {
    return this.#change(async () => {
      const segments = split(path);
      if (segments.length === 0) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot delete root", { path });
      if (!(await this.#exists(segments, options.signal))) {
        if (options.force) return;
        throw new IpfsError("IPFS_PATH_NOT_FOUND", "file does not exist", { path });
      }
      const target = await this.stat(path, options.signal);
      if (target.type === "directory" && !options.recursive && !options.force) {
        throw new IpfsError("IPFS_IS_DIRECTORY", `${path} is a directory, use -r to remove directories`, { path });
      }
      await this.#remove(segments, options.signal);
    });
  }

  /** The CID of a path (files/flush answers it; everything is already written). */
  flush(path: string, signal?: AbortSignal): Promise<CID> {
    return this.#resolve(path, signal);
  }

  // ------------------------------------------------------------------ internals

  async #resolve(path: string, signal?: AbortSignal): Promise<CID> {
    const segments = split(path);
    if (segments.length === 0) return this.#root;
    try {
      return (await this.#fs.stat(this.#root, { path: segments.join("/"), signal })).cid;
    } catch (error) {
      if (isMissing(error)) throw new IpfsError("IPFS_PATH_NOT_FOUND", "file does not exist", { path });
      throw error;
    }
  }

  async #isDirectory(segments: string[], signal?: AbortSignal): Promise<boolean> {
    if (segments.length === 0) return true;
    if (!(await this.#exists(segments, signal))) return false;
    return (await this.stat(`/${segments.join("/")}`, signal)).type === "directory";
  }

  async #exists(segments: string[], signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#resolve(`/${segments.join("/")}`, signal);
      return true;
    } catch (error) {
      if (error instanceof IpfsError && error.code === "IPFS_PATH_NOT_FOUND") return false;
      throw error;
    }
  }

  /** Puts `child` at `segments`, creating missing parent directories when `parents`. */
  async #place(segments: string[], child: CID, parents: boolean, signal?: AbortSignal): Promise<void> {
    this.#root = await this.#rebuild(this.#root, segments, child, parents, signal, "");
  }

  async #remove(segments: string[], signal?: AbortSignal): Promise<void> {
    this.#root = await this.#rebuild(this.#root, segments, undefined, false, signal, "");
  }

  /** The directory `dir` with `segments` set to `child` (undefined: removed), rebuilt bottom-up. */
  async #rebuild(dir: CID, segments: string[], child: CID | undefined, parents: boolean, signal: AbortSignal | undefined, at: string): Promise<CID> {
    const [name, ...rest] = segments as [string, ...string[]];
    const options = { signal, force: true, cidVersion: 0 as const };
    if (rest.length === 0) {
      const without = (await this.#hasEntry(dir, name, signal)) ? await this.#fs.rm(dir, name, { signal }) : dir;
      return child === undefined ? without : this.#fs.cp(child, without, name, options);
    }
    let sub: CID;
    if (await this.#hasEntry(dir, name, signal)) {
      const stats = await this.#fs.stat(dir, { path: name, signal });
      if (stats.type !== "directory") throw new IpfsError("IPFS_INVALID_ARGUMENT", `${at}/${name} is not a directory`, { path: `${at}/${name}` });
      sub = stats.cid;
    } else if (parents) {
      sub = await this.#fs.addDirectory({}, { cidVersion: 0 });
    } else {
      throw new IpfsError("IPFS_PATH_NOT_FOUND", "file does not exist", { path: `${at}/${name}` });
    }
    const rebuilt = await this.#rebuild(sub, rest, child, parents, signal, `${at}/${name}`);
    // `force` replaces the old entry; a failure here (a block that cannot be read) is the change's failure.
    return this.#fs.cp(rebuilt, dir, name, options);
  }

  async #hasEntry(dir: CID, name: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#fs.stat(dir, { path: name, signal });
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** One change at a time, all or nothing: a step that fails leaves the root it started from. */
  #change(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      const before = this.#root;
      try {
        await task();
        await this.#save();
      } catch (error) {
        this.#root = before;
        throw error;
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #save(): Promise<void> {
    if (this.#rootFile === undefined) return;
    const partial = `${this.#rootFile}.partial`;
    // Synced before the rename: after a power cut the name must not point at an empty file.
    const file = await open(partial, "w");
    try {
      await file.writeFile(`${this.#root.toString()}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, this.#rootFile);
  }
}

/** "/a/b/" -> ["a", "b"]; an MFS path is absolute. */
function split(path: string): string[] {
  if (!path.startsWith("/")) throw new IpfsError("IPFS_INVALID_PATH", `paths must start with a leading slash: ${path}`, { path });
  const segments = path.split("/").filter((segment) => segment !== "");
  for (const segment of segments) {
    if (segment === "." || segment === "..") throw new IpfsError("IPFS_INVALID_PATH", `invalid path segment '${segment}' in ${path}`, { path });
  }
  return segments;
}

function basename(path: string): string {
  return split(path).at(-1) ?? "";
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === "DoesNotExistError" || name === "NotFoundError" || name === "NotADirectoryError";
}

async function* empty(): AsyncGenerator<Uint8Array> {}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}
