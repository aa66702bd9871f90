import { BlackHoleBlockstore } from "blockstore-core";
import { importer, type ImportResult } from "ipfs-unixfs-importer";
import { IpfsError } from "../../errors.ts";
import { type ImportProfile, importerOptionsFor } from "../../importSettings.ts";
import { readMultipartImport } from "../../multipartImport.ts";
import type { Command } from "../command.ts";
import { RequestError } from "../requestError.ts";

interface AddEvent {
  Name: string;
  Hash?: string;
  Bytes?: number;
  Size?: string;
}

const PROFILES: ReadonlySet<string> = new Set<ImportProfile>(["unixfs-v0-2015", "unixfs-v1-2025"]);

/**
 * `ipfs add`: imports the multipart files with Kubo's DAG settings and pins each top-level entry.
 * The whole upload is read before answering so a size-limit failure can still be a 413; the
 * answer is small (one line per file or directory).
 */
export const addCommand: Command = {
  gcLock: "shared",
  fileArgument: { name: "path", required: true, variadic: true },
  options: {
    quiet: { type: "bool", aliases: ["q"] },
    quieter: { type: "bool", aliases: ["Q"] },
    silent: { type: "bool" },
    progress: { type: "bool", aliases: ["p"] },
    trickle: { type: "bool", aliases: ["t"] },
    "only-hash": { type: "bool", aliases: ["n"] },
    "wrap-with-directory": { type: "bool", aliases: ["w"] },
    chunker: { type: "string", aliases: ["s"] },
    pin: { type: "bool" },
    "pin-name": { type: "string" },
    "raw-leaves": { type: "bool" },
    "cid-version": { type: "int" },
    hash: { type: "string" },
    "max-file-links": { type: "int" },
    inline: { type: "bool" },
    nocopy: { type: "bool" },
    "to-files": { type: "string" },
    // Not a Kubo flag (Kubo ignores unknown options): selects a whole IPIP-0499 profile at once.
    profile: { type: "string" },
  },

  async run({ services, options, request, response, signal }) {
    const contentType = request.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      throw new RequestError("RPC_BAD_REQUEST", "file argument 'path' is required");
    }
    const declaredLength = Number(request.headers["content-length"] ?? Number.NaN);
    if (declaredLength > services.maxUploadBytes) {
      throw new IpfsError("IPFS_UPLOAD_TOO_LARGE", `upload exceeds the maximum size of ${services.maxUploadBytes} bytes`, {
        maxBytes: services.maxUploadBytes,
      });
    }
    for (const unsupported of ["inline", "nocopy"]) {
      if (options.bool(unsupported) === true) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `${unsupported} is not supported by this node`, { option: unsupported });
      }
    }
    if (options.has("to-files")) throw new IpfsError("IPFS_INVALID_ARGUMENT", "to-files (MFS) is not supported by this node");
    const profile = options.string("profile");
    if (profile !== undefined && !PROFILES.has(profile)) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `unknown import profile "${profile}" (use unixfs-v0-2015 or unixfs-v1-2025)`);
    }
    const onlyHash = options.bool("only-hash", false);
    const pin = options.bool("pin", true) && !onlyHash;
    const pinName = options.string("pin-name");
    if (pinName !== undefined && !options.bool("pin", true)) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `pin-name option requires pin to be set`);
    }
    const wrap = options.bool("wrap-with-directory", false);
    const importerOptions = importerOptionsFor({
      profile: profile as ImportProfile | undefined,
      cidVersion: options.int("cid-version"),
      rawLeaves: options.bool("raw-leaves"),
      chunker: options.string("chunker"),
      maxFileLinks: options.int("max-file-links"),
      trickle: options.bool("trickle"),
      wrapWithDirectory: wrap,
      hash: options.string("hash"),
    });

    const events: AddEvent[] = [];
    if (options.bool("progress", false)) {
      importerOptions.onProgress = (event) => {
        if (event.type === "unixfs:importer:progress:file:read") {
          events.push({ Name: event.detail.path ?? "", Bytes: Number(event.detail.bytesRead) });
        }
      };
    }
    const upload = readMultipartImport(request, services.maxUploadBytes);
    const blockstore = onlyHash ? new BlackHoleBlockstore() : services.helia.blockstore;
    const results: ImportResult[] = [];
    try {
      for await (const result of importer(upload.candidates, blockstore, importerOptions)) {
        results.push(result);
        events.push({ Name: nameOf(result), Hash: result.cid.toString(), Size: result.size.toString() });
      }
    } catch (error) {
      upload.abort(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    if (results.length === 0) throw new IpfsError("IPFS_INVALID_ARGUMENT", "expected a file argument");

    if (pin) {
      // Kubo pins what each top-level argument became: the wrapper, or every top-level file/dir.
      const roots = wrap ? results.filter((result) => result.path === "") : results.filter(isTopLevel);
      for (const root of roots) await services.pins.add(root.cid, { recursive: true, name: pinName, signal });
    }
    response.ndjson(events);
  },
};

/** Kubo names an unnamed upload (raw bytes, stdin) after its CID. */
function nameOf(result: ImportResult): string {
  if (result.path === undefined) return result.cid.toString();
  return result.path;
}

function isTopLevel(result: ImportResult): boolean {
  return result.path === undefined || !result.path.includes("/");
}
