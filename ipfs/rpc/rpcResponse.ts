import type { ServerResponse } from "node:http";
import { IpfsError, type IpfsErrorCode } from "../errors.ts";
import { RequestError } from "./requestError.ts";

const EXPOSED_HEADERS = "X-Stream-Output, X-Chunked-Output, X-Content-Length";

/** go-ipfs-cmds error codes: 0 = ErrNormal (HTTP 500), 1 = ErrClient (HTTP 400 unless said otherwise). */
type KuboErrorCode = 0 | 1;

const ERROR_STATUS: Partial<Record<IpfsErrorCode, { status: number; code: KuboErrorCode }>> = {
  IPFS_UPLOAD_TOO_LARGE: { status: 413, code: 1 },
};

/**
 * Writes responses the way Kubo's RPC does: single JSON values, newline-delimited JSON for
 * channel outputs (`X-Chunked-Output: 1`), byte streams (`X-Stream-Output: 1`), and the
 * `{"Message","Code","Type":"error"}` object for command errors.
 */
export class RpcResponse {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get started(): boolean {
    return this.#res.headersSent;
  }

  /** 200 with nothing in it: what Kubo answers for commands without output (files/mkdir, files/rm...). */
  empty(): void {
    this.#begin(200, "text/plain");
    this.#res.end();
  }

  json(value: unknown): void {
    this.#begin(200, "application/json");
    this.#res.end(`${JSON.stringify(value)}\n`);
  }

  ndjson(values: Iterable<unknown>): void {
    this.#begin(200, "application/json", { "X-Chunked-Output": "1" });
    for (const value of values) this.#res.write(`${JSON.stringify(value)}\n`);
    this.#res.end();
  }

  /** Streams channel output as it is produced; a failure after the first line aborts the response. */
  async ndjsonStream(values: AsyncIterable<unknown>): Promise<void> {
    const iterator = values[Symbol.asyncIterator]();
    const first = await iterator.next();
    this.#begin(200, "application/json", { "X-Chunked-Output": "1" });
    if (first.done !== true) {
      await this.#write(`${JSON.stringify(first.value)}\n`);
      try {
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
          await this.#write(`${JSON.stringify(next.value)}\n`);
        }
      } catch (error) {
        this.#abort(error);
        return;
      }
    }
    this.#res.end();
  }

  /**
   * Streams bytes. Errors before the first chunk become a normal error response; after it, Kubo
   * can only report them in a trailer that fetch-based clients never see, so the connection is
   * cut instead and the client sees a failed body rather than silently truncated data.
   */
  async bytes(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, length?: bigint): Promise<void> {
    const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source);
    const first = await iterator.next();
    const headers: Record<string, string> = { "X-Stream-Output": "1" };
    if (length !== undefined) headers["X-Content-Length"] = length.toString();
    this.#begin(200, "text/plain", headers);
    if (first.done !== true) {
      await this.#write(first.value);
      try {
        for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) await this.#write(next.value);
      } catch (error) {
        this.#abort(error);
        return;
      }
    }
    this.#res.end();
  }

  /** A command failed: the JSON error object with Kubo's status, or an aborted stream if already started. */
  error(error: unknown): void {
    if (this.#res.headersSent) {
      this.#abort(error);
      return;
    }
    if (error instanceof RequestError) {
      this.requestError(error);
      return;
    }
    const mapped = error instanceof IpfsError ? ERROR_STATUS[error.code] : undefined;
    const status = mapped?.status ?? 500;
    const body = { Message: errorMessage(error), Code: mapped?.code ?? 0, Type: "error" };
    this.#begin(status, "application/json");
    this.#res.end(`${JSON.stringify(body)}\n`);
  }

  /** Parse-level failures are plain text in Kubo, like Go's http.Error. */
  requestError(error: RequestError): void {
    const headers: Record<string, string> = {
      "Content-Type": "text/plain; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
    };
    if (error.code === "RPC_METHOD_NOT_ALLOWED") headers.Allow = "OPTIONS, POST";
    this.#res.writeHead(error.status, headers);
    this.#res.end(`${error.message}\n`);
  }

  #begin(status: number, contentType: string, extra: Record<string, string> = {}): void {
    this.#res.writeHead(status, {
      "Content-Type": contentType,
      "Access-Control-Allow-Headers": EXPOSED_HEADERS,
      "Access-Control-Expose-Headers": EXPOSED_HEADERS,
      Trailer: "X-Stream-Error",
      ...extra,
    });
  }

  #write(chunk: Uint8Array | string): Promise<void> {
    if (this.#res.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.#res.off("close", onClose);
        resolve();
      };
      const onClose = (): void => {
        this.#res.off("drain", onDrain);
        reject(new Error("client closed the connection"));
      };
      this.#res.once("drain", onDrain);
      this.#res.once("close", onClose);
    });
  }

  #abort(_error: unknown): void {
    // Destroying with the error would surface it as an unhandled socket error on the server side.
    this.#res.destroy();
  }
}

async function* toAsync<T>(source: Iterable<T>): AsyncGenerator<T> {
  yield* source;
}

/** Go's errors print one line; so do ours. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\r?\n/)[0];
}
