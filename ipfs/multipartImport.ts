import type { IncomingMessage } from "node:http";
import { type Readable, Transform, type TransformCallback } from "node:stream";
import busboy from "busboy";
import type { ImportCandidate } from "ipfs-unixfs-importer";
import { IpfsError } from "./errors.ts";

export interface MultipartImport {
  /** Files and directories in upload order; each file's content must be read before the next appears. */
  candidates: AsyncGenerator<ImportCandidate>;
  /** Stops reading the request (after an import error) without leaving it half-consumed. */
  abort(error: Error): void;
}

const DIRECTORY_PART = "application/x-directory";

/**
 * Streams the parts of a Kubo `add` multipart body (kubo-rpc-client: one part per file, directory
 * parts typed `application/x-directory`, URI-encoded relative paths as filenames) straight into the
 * importer. Nothing is buffered beyond stream high-water marks; the body size is counted as it
 * arrives and the upload fails with IPFS_UPLOAD_TOO_LARGE the moment it passes `maxBytes`.
 */
export function readMultipartImport(request: IncomingMessage, maxBytes: number): MultipartImport {
  const parser = busboy({ headers: request.headers, preservePath: true, defParamCharset: "utf8" });
  const counter = new ByteLimit(maxBytes);
  const queue: Array<ImportCandidate | Error | typeof END> = [];
  let wake: (() => void) | undefined;
  let currentFile: Readable | undefined;
  let failed: Error | undefined;

  const push = (item: ImportCandidate | Error | typeof END): void => {
    queue.push(item);
    wake?.();
  };
  const fail = (error: Error): void => {
    if (failed !== undefined) return;
    failed = error;
    currentFile?.destroy(error);
    request.unpipe(counter);
    counter.unpipe(parser);
    // Keep reading what the client still sends so it gets to see our answer.
    request.resume();
    push(error);
  };

  parser.on("file", (_field, stream, info) => {
    if (failed !== undefined) {
      stream.resume();
      return;
    }
    const path = decodePartPath(info.filename ?? "");
    if (path instanceof Error) {
      stream.resume();
      fail(path);
      return;
    }
    if (info.mimeType === DIRECTORY_PART) {
      stream.resume();
      push({ path });
      return;
    }
    currentFile = stream;
    push({ path: path === "" ? undefined : path, content: stream });
  });
  parser.on("close", () => push(END));
  parser.on("error", (error) => fail(new IpfsError("IPFS_INVALID_ARGUMENT", `malformed multipart body: ${(error as Error).message}`)));
  counter.on("error", fail);
  request.on("error", fail);
  request.pipe(counter).pipe(parser);

  async function* candidates(): AsyncGenerator<ImportCandidate> {
    while (true) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const item = queue.shift()!;
      if (item === END) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }

  return { candidates: candidates(), abort: fail };
}

const END = Symbol("end of multipart body");

/** kubo-rpc-client sends `encodeURIComponent(path)`; Kubo rejects names that escape the upload. */
function decodePartPath(filename: string): string | IpfsError {
  let path: string;
  try {
    path = decodeURIComponent(filename);
  } catch {
    path = filename;
  }
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    return new IpfsError("IPFS_INVALID_ARGUMENT", `invalid file path "${path}": ".." is not allowed`, { path });
  }
  return segments.join("/");
}

class ByteLimit extends Transform {
  readonly #max: number;
  #seen = 0;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#max) {
      callback(
        new IpfsError("IPFS_UPLOAD_TOO_LARGE", `upload exceeds the maximum size of ${this.#max} bytes`, { maxBytes: this.#max }),
      );
      return;
    }
    callback(null, chunk);
  }
}

/**
 * The first file of a multipart body, whole (files/write, dag/put: one small payload), bounded by
 * `maxBytes` as it arrives. `argument` names the missing argument when the body holds no file.
 */
export async function readSingleUpload(request: IncomingMessage, maxBytes: number, argument: string): Promise<Uint8Array> {
  const upload = readMultipartImport(request, maxBytes);
  const chunks: Uint8Array[] = [];
  let found = false;
  for await (const candidate of upload.candidates) {
    if (found || !("content" in candidate) || candidate.content === undefined) continue;
    found = true;
    const content = candidate.content as AsyncIterable<Uint8Array> | Uint8Array;
    if (content instanceof Uint8Array) chunks.push(content);
    else for await (const chunk of content) chunks.push(chunk);
  }
  if (!found) throw new IpfsError("IPFS_INVALID_ARGUMENT", `argument "${argument}" is required`);
  return Buffer.concat(chunks);
}
