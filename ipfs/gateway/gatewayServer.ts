import { createHash } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { UnixFSDirectoryEntry, UnixFSEntry } from "ipfs-unixfs-exporter";
import { type ContentPath, parseContentPath } from "../contentPath.ts";
import type { BlockFetcher } from "../blockFetcher.ts";
import { IpfsError, type IpfsErrorCode } from "../errors.ts";
import { readFile } from "../fileReader.ts";
import type { IpfsServices } from "../ipfsServices.ts";
import { type ResolvedContent, resolveContent } from "../resolveContent.ts";
import { tarEntriesOf } from "../tarEntries.ts";
import { writeTar } from "../tarWriter.ts";
import { parseRange } from "./byteRange.ts";
import { type DagScope, exportCar, parseEntityBytes } from "./carExport.ts";
import { contentTypeFor, SNIFF_LENGTH } from "./contentType.ts";
import { renderDirectoryListing } from "./directoryListing.ts";

type ResponseFormat = "unixfs" | "raw" | "car" | "tar";

const IMMUTABLE = "public, max-age=29030400, immutable";
const CAR_CONTENT_TYPE = "application/vnd.ipld.car; version=1; order=dfs";
const ERROR_STATUS: Partial<Record<IpfsErrorCode, number>> = {
  IPFS_INVALID_PATH: 400,
  IPFS_INVALID_ARGUMENT: 400,
  IPFS_PATH_NOT_FOUND: 404,
  IPFS_BLOCK_NOT_FOUND: 404,
  IPFS_TIMEOUT: 504,
  IPFS_NOT_UNIXFS: 501,
  IPFS_IS_DIRECTORY: 400,
};

/**
 * Path gateway + trustless gateway for `/ipfs/<cid>[/path]`: deserialized files (content type,
 * ETag, single byte ranges), directory index.html or listing, and verifiable responses:
 * `?format=raw` / `application/vnd.ipld.raw` (one block) and `?format=car` /
 * `application/vnd.ipld.car` (CARv1, `dag-scope`, `entity-bytes`, `dups`).
 */
export function createGatewayHandler(services: IpfsServices) {
  return async function handleGatewayRequest(request: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    res.setHeader("Access-Control-Expose-Headers", "Content-Range, Content-Length, X-Ipfs-Path, X-Ipfs-Roots, Etag");
    if (request.method === "OPTIONS") {
      res.writeHead(200, { Allow: "GET, HEAD, OPTIONS", "Access-Control-Allow-Headers": "Content-Type, Range" });
      res.end();
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      sendText(res, 405, "405 - Method Not Allowed", { Allow: "GET, HEAD, OPTIONS" });
      return;
    }
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new Error("client closed the connection"));
    });
    try {
      await serve(services, request, res, controller.signal);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof IpfsError ? (ERROR_STATUS[error.code] ?? 500) : 500;
      sendText(res, status, error instanceof Error ? error.message.split("\n")[0] : String(error));
    }
  };
}

async function serve(services: IpfsServices, request: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const url = new URL(request.url ?? "/", "http://gateway.invalid");
  if (url.pathname !== "/ipfs" && !url.pathname.startsWith("/ipfs/") && !url.pathname.startsWith("/ipns/")) {
    sendText(res, 404, "404 page not found");
    return;
  }
  const contentPath = parseContentPath(`/${decodeSegments(url.pathname).join("/")}`);
  const format = negotiateFormat(url.searchParams.get("format"), request.headers.accept);
  const head = request.method === "HEAD";
  const common: OutgoingHttpHeaders = { "X-Ipfs-Path": contentPath.text, "Cache-Control": IMMUTABLE };

  if (format === "raw" && contentPath.segments.length === 0) {
    const cid = contentPath.root;
    const etag = `"${cid}.raw"`;
    if (notModified(request, res, etag, common)) return;
    const bytes = await services.blocks.getBytes(cid, { signal });
    res.writeHead(200, {
      ...common,
      "Content-Type": "application/vnd.ipld.raw",
      "Content-Length": bytes.length,
      "Content-Disposition": `attachment; filename="${cid}.bin"`,
      "X-Content-Type-Options": "nosniff",
      Etag: etag,
      Vary: "Accept",
    });
    res.end(head ? undefined : bytes);
    return;
  }

  const resolved = await resolveContent(contentPath, services.blocks, signal);
  common["X-Ipfs-Roots"] = resolved.pathBlocks.map(String).join(",");
  switch (format) {
    case "raw": {
      const bytes = await services.blocks.getBytes(resolved.cid, { signal });
      res.writeHead(200, {
        ...common,
        "Content-Type": "application/vnd.ipld.raw",
        "Content-Length": bytes.length,
        "Content-Disposition": `attachment; filename="${resolved.cid}.bin"`,
        "X-Content-Type-Options": "nosniff",
        Etag: `"${resolved.cid}.raw"`,
        Vary: "Accept",
      });
      res.end(head ? undefined : bytes);
      return;
    }
    case "car":
      await serveCar(services, request, res, url, contentPath, resolved, common, signal);
      return;
    case "tar":
      await serveTar(services, res, contentPath, resolved, common, head, signal);
      return;
    case "unixfs":
      await serveUnixfs(services, request, res, url, contentPath, resolved, common, signal);
      return;
  }
}

async function serveCar(
  services: IpfsServices,
  request: IncomingMessage,
  res: ServerResponse,
  url: URL,
  contentPath: ContentPath,
  resolved: ResolvedContent,
  common: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<void> {
  const accept = request.headers.accept ?? "";
  const version = url.searchParams.get("car-version") ?? /version=(\d+)/.exec(accept)?.[1] ?? "1";
  if (version !== "1") throw new IpfsError("IPFS_INVALID_ARGUMENT", `unsupported CAR version ${version}: only version=1 is served`);
  const dupsParam = url.searchParams.get("car-dups") ?? /dups=([yn])/.exec(accept)?.[1] ?? "n";
  const duplicates = dupsParam === "y";
  const entityBytesText = url.searchParams.get("entity-bytes");
  const entityBytes = entityBytesText === null ? undefined : parseEntityBytes(entityBytesText);
  const scopeText = url.searchParams.get("dag-scope") ?? (entityBytes !== undefined ? "entity" : "all");
  if (scopeText !== "all" && scopeText !== "entity" && scopeText !== "block") {
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid dag-scope "${scopeText}": expected block, entity or all`);
  }
  const scope: DagScope = scopeText;
  const variant = createHash("sha256").update(`${contentPath.text}|${scope}|${entityBytesText ?? ""}|${dupsParam}`).digest("hex").slice(0, 16);
  const etag = `W/"${resolved.cid}.car.${variant}"`;
  if (notModified(request, res, etag, common)) return;
  res.writeHead(200, {
    ...common,
    "Content-Type": `${CAR_CONTENT_TYPE}; dups=${duplicates ? "y" : "n"}`,
    "Content-Disposition": `attachment; filename="${resolved.cid}.car"`,
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "none",
    Etag: etag,
    Vary: "Accept",
  });
  if (request.method === "HEAD") {
    res.end();
    return;
  }
  const car = exportCar({ root: contentPath.root, resolved, scope, entityBytes, duplicates }, services.blocks, services.helia.getCodec, signal);
  await pipeline(Readable.from(car), res);
}

async function serveTar(
  services: IpfsServices,
  res: ServerResponse,
  contentPath: ContentPath,
  resolved: ResolvedContent,
  common: OutgoingHttpHeaders,
  head: boolean,
  signal: AbortSignal,
): Promise<void> {
  const name = contentPath.segments.at(-1) ?? contentPath.root.toString();
  res.writeHead(200, {
    ...common,
    "Content-Type": "application/x-tar",
    "Content-Disposition": `attachment; filename="${name}.tar"`,
    "X-Content-Type-Options": "nosniff",
    Etag: `W/"${resolved.cid}.x-tar"`,
  });
  if (head) {
    res.end();
    return;
  }
  await pipeline(Readable.from(writeTar(tarEntriesOf(resolved.entry, name, services.blocks, signal))), res);
}

async function serveUnixfs(
  services: IpfsServices,
  request: IncomingMessage,
  res: ServerResponse,
  url: URL,
  contentPath: ContentPath,
  resolved: ResolvedContent,
  common: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<void> {
  const { entry } = resolved;
  if (entry.type === "directory") {
    if (!url.pathname.endsWith("/")) {
      res.writeHead(301, { ...common, Location: `${url.pathname}/${url.search}` });
      res.end();
      return;
    }
    const index = await resolveContent({ ...contentPath, segments: [...contentPath.segments, "index.html"] }, services.blocks, signal).catch(
      (error: unknown) => {
        if (error instanceof IpfsError && error.code === "IPFS_PATH_NOT_FOUND") return undefined;
        throw error;
      },
    );
    if (index !== undefined && index.entry.type !== "directory" && index.entry.type !== "object") {
      await serveFile(services.blocks, request, res, url, index.entry, "index.html", common, signal);
      return;
    }
    const entries: UnixFSDirectoryEntry[] = [];
    for await (const child of entry.entries({ signal })) entries.push(child);
    const html = renderDirectoryListing(url.pathname, entries);
    const etag = `"DirIndex-v1_CID-${resolved.cid}"`;
    if (notModified(request, res, etag, common)) return;
    res.writeHead(200, { ...common, "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html), Etag: etag });
    res.end(request.method === "HEAD" ? undefined : html);
    return;
  }
  if (entry.type === "object") throw new IpfsError("IPFS_NOT_UNIXFS", `${resolved.cid} is not UnixFS: request it with ?format=raw or ?format=car`);
  await serveFile(services.blocks, request, res, url, entry, contentPath.segments.at(-1), common, signal);
}

async function serveFile(
  blocks: BlockFetcher,
  request: IncomingMessage,
  res: ServerResponse,
  url: URL,
  entry: Extract<UnixFSEntry, { type: "file" | "raw" | "identity" }>,
  name: string | undefined,
  common: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<void> {
  const etag = `"${entry.cid}"`;
  if (notModified(request, res, etag, common)) return;
  const size = entry.size;
  const filename = url.searchParams.get("filename") ?? undefined;
  const head: Uint8Array[] = [];
  for await (const chunk of readFile(entry.cid, blocks.read, { length: BigInt(SNIFF_LENGTH), signal })) head.push(chunk);
  const headers: OutgoingHttpHeaders = {
    ...common,
    "Content-Type": contentTypeFor(filename ?? name, Buffer.concat(head)),
    "Accept-Ranges": "bytes",
    Etag: etag,
  };
  if (filename !== undefined || url.searchParams.get("download") === "true") {
    const disposition = url.searchParams.get("download") === "true" ? "attachment" : "inline";
    const chosen = filename ?? name ?? entry.cid.toString();
    headers["Content-Disposition"] = `${disposition}; filename="${chosen.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(chosen)}`;
  }
  const range = parseRange(request.headers.range, size);
  if (range.kind === "unsatisfiable") {
    sendText(res, 416, `requested range not satisfiable: file is ${size} bytes`, { ...headers, "Content-Range": `bytes */${size}` });
    return;
  }
  const start = range.kind === "partial" ? range.range.start : 0n;
  const length = range.kind === "partial" ? range.range.end - range.range.start + 1n : size;
  if (range.kind === "partial") headers["Content-Range"] = `bytes ${start}-${start + length - 1n}/${size}`;
  res.writeHead(range.kind === "partial" ? 206 : 200, { ...headers, "Content-Length": length.toString() });
  if (request.method === "HEAD" || length === 0n) {
    res.end();
    return;
  }
  await pipeline(Readable.from(readFile(entry.cid, blocks.read, { offset: start, length, signal })), res);
}

function negotiateFormat(format: string | null, accept: string | undefined): ResponseFormat {
  if (format !== null) {
    if (format === "raw" || format === "car" || format === "tar") return format;
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `unsupported format "${format}": use raw, car or tar`, { format });
  }
  const types = (accept ?? "").split(",").map((part) => part.split(";")[0].trim().toLowerCase());
  for (const type of types) {
    if (type === "application/vnd.ipld.raw") return "raw";
    if (type === "application/vnd.ipld.car") return "car";
    if (type === "application/x-tar") return "tar";
  }
  return "unixfs";
}

/** If-None-Match against an immutable representation: a match is a 304 with the same headers. */
function notModified(request: IncomingMessage, res: ServerResponse, etag: string, common: OutgoingHttpHeaders): boolean {
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifNoneMatch === undefined) return false;
  const tags = ifNoneMatch.split(",").map((tag) => tag.trim());
  if (!tags.includes(etag) && !tags.includes("*")) return false;
  res.writeHead(304, { ...common, Etag: etag });
  res.end();
  return true;
}

function decodeSegments(pathname: string): string[] {
  try {
    return pathname.split("/").filter((segment) => segment !== "").map((segment) => decodeURIComponent(segment));
  } catch {
    throw new IpfsError("IPFS_INVALID_PATH", `invalid path "${pathname}": bad percent-encoding`, { path: pathname });
  }
}

function sendText(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
