import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { create, type KuboRPCClient } from "kubo-rpc-client";
import { CID } from "multiformats/cid";
import { DEFAULT_IPFS_API_URL } from "./defaults.ts";
import { IpfsError } from "./errors.ts";
import type { ImportProfile } from "./importSettings.ts";

/**
 * The one way Concord's parts talk to IPFS: the embedded node by default, any Kubo daemon when
 * `CONCORD_IPFS_API` (or `IPFS_API_URL`) is set. Only documented Kubo RPC calls are used, so the
 * same code runs against either.
 */
export function resolveIpfsApiUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const configured = env.CONCORD_IPFS_API ?? env.IPFS_API_URL;
  return configured !== undefined && configured.trim() !== "" ? configured.trim().replace(/\/+$/, "") : DEFAULT_IPFS_API_URL;
}

export interface IpfsClientOptions {
  /** Defaults to resolveIpfsApiUrl(). */
  apiUrl?: string;
  /** Per-request timeout in milliseconds (none by default: big uploads take time). */
  timeoutMs?: number;
}

export interface AddContentOptions {
  /**
   * `unixfs-v0-2015` (default): Kubo's `ipfs add`, CIDv0, the same CIDs as the public network.
   * `unixfs-v1-2025`: CIDv1, raw leaves, 1 MiB chunks, 1024 links per node (IPIP-0499).
   */
  profile?: ImportProfile;
  /** Pin what was added (default true). */
  pin?: boolean;
  /** Compute the CID without storing anything. */
  onlyHash?: boolean;
  /** Wrap in a directory so names are kept; the last entry returned is the wrapper. */
  wrapWithDirectory?: boolean;
  signal?: AbortSignal;
}

export interface AddedEntry {
  /** Path inside the upload ('' for a wrapping directory, the CID for unnamed content). */
  path: string;
  cid: string;
  /** Cumulative DAG size in bytes, as Kubo reports it. */
  size: number;
}

export interface FileToAdd {
  /** Relative path; directories are implied by `a/b.txt`, or given alone for an empty one. */
  path: string;
  content?: Uint8Array | string | AsyncIterable<Uint8Array>;
}

export type PinType = "recursive" | "direct" | "indirect";

export interface PinInfo {
  cid: string;
  type: PinType | string;
}

/** Kubo's `add` flags for each profile, sent explicitly so a Kubo daemon's own Import config cannot change the CIDs. */
const PROFILE_FLAGS: Record<ImportProfile, Record<string, string | number | boolean>> = {
  "unixfs-v0-2015": { cidVersion: 0, rawLeaves: false, chunker: "size-262144", maxFileLinks: 174 },
  "unixfs-v1-2025": { cidVersion: 1, rawLeaves: true, chunker: "size-1048576", maxFileLinks: 1024, profile: "unixfs-v1-2025" },
};

export class IpfsClient {
  readonly apiUrl: string;
  readonly rpc: KuboRPCClient;

  constructor(options: IpfsClientOptions = {}) {
    this.apiUrl = options.apiUrl ?? resolveIpfsApiUrl();
    try {
      this.rpc = create({ url: this.apiUrl, timeout: options.timeoutMs });
    } catch (error) {
      throw new IpfsError("IPFS_API_UNREACHABLE", `invalid IPFS API URL "${this.apiUrl}": ${(error as Error).message}`, { apiUrl: this.apiUrl });
    }
  }

  /** Adds one piece of content; returns its CID. */
  async add(content: Uint8Array | string | AsyncIterable<Uint8Array>, options: AddContentOptions = {}): Promise<AddedEntry> {
    return this.#call(async () => {
      const result = await this.rpc.add(content, this.#addOptions(options));
      return { path: result.path, cid: result.cid.toString(), size: result.size };
    });
  }

  /** Adds several files (and directories) in one upload; roots come last, as Kubo returns them. */
  async addAll(files: Iterable<FileToAdd> | AsyncIterable<FileToAdd>, options: AddContentOptions = {}): Promise<AddedEntry[]> {
    return this.#call(async () => {
      const added: AddedEntry[] = [];
      for await (const result of this.rpc.addAll(files, this.#addOptions(options))) {
        added.push({ path: result.path, cid: result.cid.toString(), size: result.size });
      }
      return added;
    });
  }

  /**
   * Adds a local file or directory tree, streaming from disk. Dot-files are left out unless
   * `hidden` (Kubo's default); the last entry is the root named after `localPath`.
   */
  async addPath(localPath: string, options: AddContentOptions & { hidden?: boolean } = {}): Promise<AddedEntry[]> {
    const info = await stat(localPath).catch((error: NodeJS.ErrnoException) => {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `cannot read ${localPath}: ${error.code === "ENOENT" ? "no such file or directory" : error.message}`, {
        path: localPath,
      });
    });
    const name = basename(localPath);
    if (info.isFile()) return this.addAll([{ path: name, content: createReadStream(localPath) }], options);
    if (!info.isDirectory()) throw new IpfsError("IPFS_INVALID_ARGUMENT", `${localPath} is neither a file nor a directory`, { path: localPath });
    return this.addAll(walkLocalDirectory(localPath, name, options.hidden ?? false), options);
  }

  /** The whole content at a CID or `/ipfs/` path. */
  async cat(path: string | CID, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): Promise<Uint8Array> {
    return this.#call(async () => {
      const parts: Uint8Array[] = [];
      for await (const part of this.rpc.cat(path, options)) parts.push(part);
      return Buffer.concat(parts);
    });
  }

  /** Content as it streams in; errors surface on iteration. */
  async *catStream(path: string | CID, options: { offset?: number; length?: number; signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
    try {
      yield* this.rpc.cat(path, options);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  async catText(path: string | CID, options: { signal?: AbortSignal } = {}): Promise<string> {
    return new TextDecoder().decode(await this.cat(path, options));
  }

  async pin(cid: string | CID, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    return this.#call(async () => (await this.rpc.pin.add(toCid(cid), options)).toString());
  }

  async unpin(cid: string | CID, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    return this.#call(async () => (await this.rpc.pin.rm(toCid(cid), options)).toString());
  }

  async listPins(options: { type?: PinType | "all"; paths?: Array<string | CID>; signal?: AbortSignal } = {}): Promise<PinInfo[]> {
    return this.#call(async () => {
      const pins: PinInfo[] = [];
      const paths = options.paths?.map((path) => (typeof path === "string" ? toCid(path) : path));
      for await (const pin of this.rpc.pin.ls({ type: options.type, paths, signal: options.signal })) {
        pins.push({ cid: pin.cid.toString(), type: pin.type });
      }
      return pins;
    });
  }

  async id(): Promise<{ id: string; addresses: string[]; agentVersion: string }> {
    return this.#call(async () => {
      const result = await this.rpc.id();
      return { id: result.id.toString(), addresses: (result.addresses ?? []).map(String), agentVersion: result.agentVersion };
    });
  }

  async version(): Promise<{ version: string }> {
    return this.#call(async () => ({ version: (await this.rpc.version()).version }));
  }

  #addOptions(options: AddContentOptions): Record<string, unknown> {
    return {
      ...PROFILE_FLAGS[options.profile ?? "unixfs-v0-2015"],
      pin: options.pin ?? true,
      onlyHash: options.onlyHash ?? false,
      wrapWithDirectory: options.wrapWithDirectory ?? false,
      signal: options.signal,
    };
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.#translate(error);
    }
  }

  #translate(error: unknown): unknown {
    if (error instanceof IpfsError) return error;
    const name = (error as Error | undefined)?.name;
    if (name === "HTTPError") {
      const status = (error as { response?: { status?: number } }).response?.status;
      return new IpfsError("IPFS_API_ERROR", (error as Error).message, { apiUrl: this.apiUrl, status }, { cause: error });
    }
    if (name === "TimeoutError") {
      return new IpfsError("IPFS_API_ERROR", `the IPFS API at ${this.apiUrl} did not answer in time`, { apiUrl: this.apiUrl }, { cause: error });
    }
    if (name === "AbortError") return error;
    if (hasErrorCode(error, CUT_OFF_CODES)) {
      return new IpfsError("IPFS_API_ERROR", `the IPFS API at ${this.apiUrl} closed the connection before the response was complete`, { apiUrl: this.apiUrl }, {
        cause: error,
      });
    }
    if (hasErrorCode(error, UNREACHABLE_CODES)) {
      return new IpfsError(
        "IPFS_API_UNREACHABLE",
        `cannot reach the IPFS API at ${this.apiUrl}: start the devnet with npm start or set CONCORD_IPFS_API`,
        { apiUrl: this.apiUrl },
        { cause: error },
      );
    }
    return error;
  }
}

/** The client for the configured API (embedded node or `CONCORD_IPFS_API`). */
export function createIpfsClient(options: IpfsClientOptions = {}): IpfsClient {
  return new IpfsClient(options);
}

function toCid(value: string | CID): CID {
  if (typeof value !== "string") return value;
  const text = value.startsWith("/ipfs/") ? value.slice(6).split("/")[0] : value;
  try {
    return CID.parse(text);
  } catch (error) {
    throw new IpfsError("IPFS_INVALID_PATH", `invalid CID "${value}": ${(error as Error).message}`, { cid: value });
  }
}

/** No connection could be made: nothing listens there, or the host does not resolve. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
/** A connection was made and then cut (the server aborted a response it could not finish). */
const CUT_OFF_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/** fetch wraps socket errors as causes, and Happy Eyeballs as an AggregateError. */
function hasErrorCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let current = error as { code?: string; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; current != null && depth < 5; depth++) {
    if (current.code !== undefined && codes.has(current.code)) return true;
    if (Array.isArray(current.errors) && current.errors.some((inner) => codes.has((inner as { code?: string }).code ?? ""))) return true;
    current = current.cause as typeof current;
  }
  return false;
}

async function* walkLocalDirectory(directory: string, prefix: string, hidden: boolean): AsyncGenerator<FileToAdd> {
  const entries = (await readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  yield { path: prefix };
  for (const entry of entries) {
    if (!hidden && entry.name.startsWith(".")) continue;
    const local = join(directory, entry.name);
    const path = `${prefix}/${entry.name}`;
    const info = await stat(local);
    if (info.isDirectory()) yield* walkLocalDirectory(local, path, hidden);
    else if (info.isFile()) yield { path, content: createReadStream(local) };
  }
}
