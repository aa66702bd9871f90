import { extname } from "node:path";

const BY_EXTENSION: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".ogg": "audio/ogg",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".car": "application/vnd.ipld.car",
};

/** Bytes a sniffer looks at, as Go's http.DetectContentType. */
export const SNIFF_LENGTH = 512;

/**
 * The Content-Type of a file: from its name's extension when it has a known one, otherwise from
 * its first bytes (magic numbers, then text vs. binary), like Kubo's gateway.
 */
export function contentTypeFor(name: string | undefined, head: Uint8Array): string {
  if (name !== undefined) {
    const byName = BY_EXTENSION[extname(name).toLowerCase()];
    if (byName !== undefined) return byName;
  }
  return sniffContentType(head);
}

export function sniffContentType(head: Uint8Array): string {
  const bytes = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, SNIFF_LENGTH));
  const startsWith = (...signature: number[]): boolean => signature.every((byte, i) => bytes[i] === byte);
  if (startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (startsWith(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (bytes.subarray(0, 6).toString("latin1") === "GIF87a" || bytes.subarray(0, 6).toString("latin1") === "GIF89a") return "image/gif";
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "image/webp";
  if (bytes.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  if (startsWith(0x1f, 0x8b, 0x08)) return "application/x-gzip";
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) return "application/zip";
  if (startsWith(0x00, 0x61, 0x73, 0x6d)) return "application/wasm";

  const text = bytes.toString("utf8").replace(/^[\t\n\x0c\r ]+/, "").toLowerCase();
  if (text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<head") || text.startsWith("<body")) {
    return "text/html; charset=utf-8";
  }
  if (text.startsWith("<svg")) return "image/svg+xml";
  if (text.startsWith("<?xml")) return "text/xml; charset=utf-8";
  return looksLikeText(bytes) ? "text/plain; charset=utf-8" : "application/octet-stream";
}

/** Text if it decodes as UTF-8 (a sequence cut at the sniff boundary is fine) with no binary control bytes. */
function looksLikeText(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return false;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(trimIncompleteUtf8(bytes));
    return true;
  } catch {
    return false;
  }
}

function trimIncompleteUtf8(bytes: Buffer): Buffer {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back];
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end -= back;
    break;
  }
  return bytes.subarray(0, end);
}
