/**
 * A minimal JSON-RPC client over HTTP/1.1 on raw keep-alive TCP sockets, for benchmarks.
 *
 * Why not fetch or node:http: on a 2-core machine shared with the node under test, every
 * microsecond the client spends is taken from the node, and the benchmark ends up measuring its own
 * client. undici's fetch builds Request/Headers objects and body streams per call; node:http's
 * client goes through the Agent, header validation and stream machinery (a profile of this
 * benchmark showed ~0.3 ms of client CPU per transaction with node:http). Here a call writes one
 * pre-built request string to an idle socket and parses the one response that comes back
 * (Content-Length or chunked), with no pipelining: a socket carries one request at a time.
 */
import { connect, type Socket } from "node:net";

export class JsonRpcCallError extends Error {
  override readonly name = "JsonRpcCallError";
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

export class HttpResponseError extends Error {
  override readonly name = "HttpResponseError";
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

const CRLF_CRLF = Buffer.from("\r\n\r\n");

/** One keep-alive connection; `request` must not be called again before the previous one settled. */
class HttpConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: { resolve: (body: string) => void; reject: (error: Error) => void } | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    const onEnd = (error?: Error) => {
      this.closed = true;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(Object.assign(error ?? new Error("connection closed by the server"), { retryable: true }));
    };
    socket.on("error", onEnd);
    socket.on("close", () => onEnd());
  }

  static open(host: string, port: number): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new HttpConnection(socket));
      });
      socket.once("error", reject);
    });
  }

  request(head: string, body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(`${head}${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const parsed = parseResponse(this.buffer);
    if (parsed === undefined) return;
    this.buffer = Buffer.alloc(0);
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    if (parsed.status !== 200) pending.reject(new HttpResponseError(parsed.status, parsed.body));
    else pending.resolve(parsed.body);
  }
}

/** A complete response in `data`, or undefined when more bytes are needed. */
function parseResponse(data: Buffer): { status: number; body: string } | undefined {
  const headerEnd = data.indexOf(CRLF_CRLF);
  if (headerEnd < 0) return undefined;
  const head = data.toString("latin1", 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length !== null) {
    const end = bodyStart + Number(length[1]);
    return data.length < end ? undefined : { status, body: data.toString("utf8", bodyStart, end) };
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    return status === 204 || status === 304 ? { status, body: "" } : undefined;
  }
  const parts: Buffer[] = [];
  let at = bodyStart;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at, "latin1");
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.toString("latin1", at, lineEnd), 16);
    const chunkStart = lineEnd + 2;
    if (size === 0) {
      // The last chunk, then (no trailers from these servers) a final CRLF.
      return data.length < chunkStart + 2 ? undefined : { status, body: Buffer.concat(parts).toString("utf8") };
    }
    if (data.length < chunkStart + size + 2) return undefined;
    parts.push(data.subarray(chunkStart, chunkStart + size));
    at = chunkStart + size + 2;
  }
}

export class JsonRpcHttpClient {
  private readonly host: string;
  private readonly port: number;
  private readonly head: string;
  private readonly idle: HttpConnection[] = [];
  private readonly all = new Set<HttpConnection>();
  private nextId = 1;

  constructor(url: string) {
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port || 80);
    this.head =
      `POST ${parsed.pathname || "/"} HTTP/1.1\r\nHost: ${parsed.host}\r\nConnection: keep-alive\r\n` +
      "Content-Type: application/json\r\nContent-Length: ";
  }

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const body = await this.post(JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params }));
    const reply = JSON.parse(body) as { result?: T; error?: { code: number; message: string } };
    if (reply.error !== undefined) throw new JsonRpcCallError(method, reply.error.code, reply.error.message);
    return reply.result as T;
  }

  /** Several calls in one HTTP request; results in call order. */
  async batch<T = unknown>(calls: readonly { method: string; params: unknown[] }[]): Promise<T[]> {
    if (calls.length === 0) return [];
    const body = await this.post(JSON.stringify(calls.map((call, id) => ({ jsonrpc: "2.0", id, ...call }))));
    const replies = JSON.parse(body) as { id: number; result?: T; error?: { code: number; message: string } }[];
    const results = new Array<T>(calls.length);
    for (const reply of replies) {
      if (reply.error !== undefined) throw new JsonRpcCallError(calls[reply.id].method, reply.error.code, reply.error.message);
      results[reply.id] = reply.result as T;
    }
    return results;
  }

  close(): void {
    for (const connection of this.all) connection.close();
    this.all.clear();
    this.idle.length = 0;
  }

  /** POSTs `body` on an idle connection (or a new one) and resolves with the response body. */
  private async post(body: string, retry = true): Promise<string> {
    let connection: HttpConnection | undefined;
    while ((connection = this.idle.pop()) !== undefined && connection.closed) this.all.delete(connection);
    if (connection === undefined) {
      connection = await HttpConnection.open(this.host, this.port);
      this.all.add(connection);
    }
    try {
      const text = await connection.request(this.head, body);
      this.idle.push(connection);
      return text;
    } catch (error) {
      this.all.delete(connection);
      connection.close();
      // A server may close an idle keep-alive socket just as it is reused: one retry on a new one.
      if (retry && (error as { retryable?: boolean }).retryable === true) return this.post(body, false);
      throw error;
    }
  }
}
