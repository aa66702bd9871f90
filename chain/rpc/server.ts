/**
 * The node's JSON-RPC endpoint: HTTP and WebSocket on one port, as geth and Hardhat serve it.
 *
 * HTTP: POST a request or a batch; GET answers a health document; OPTIONS answers CORS preflights of
 * the pages allowed to call it (local ones and wallets by default: httpAccess.ts). WebSocket: the same
 * requests plus eth_subscribe.
 * Limits (body size, batch size, subscriptions, a slow reader's send buffer) keep any one client from
 * hurting the node; requests on one connection run in order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { discardRestOfBody } from "../../lib/http/refuseUpload.ts";
import { createConcordCommon } from "../execution/common.ts";
import type { RpcBackend } from "./backend.ts";
import { DevSigner } from "./devSigner.ts";
import { RpcDispatcher } from "./dispatcher.ts";
import { RpcErrorCode } from "./errors.ts";
import { FilterRegistry, type FilterOptions } from "./filters.ts";
import { HttpAccessPolicy, type HttpAccessOptions } from "./httpAccess.ts";
import { DEFAULT_MAX_CRITERIA_ENTRIES, LogCriteriaBudget } from "./logCriteriaBudget.ts";
import type { RpcContext, RpcLimits } from "./method.ts";
import { rpcMethods } from "./methods/index.ts";
import { SubscriptionHub } from "./subscriptions.ts";
import type { Hex } from "../types.ts";

export interface RpcServerOptions {
  /** Interface to listen on; loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Most requests in one batch (geth: 1000). */
  maxBatchSize?: number;
  /** Largest HTTP body or WebSocket message (geth: 5 MiB). */
  maxBodyBytes?: number;
  /** Most WebSocket connections at once. */
  maxConnections?: number;
  /** Most subscriptions on one WebSocket connection. */
  maxSubscriptionsPerConnection?: number;
  /** Most addresses and topic alternatives held by all log filters and subscriptions together. */
  maxLogCriteriaEntries?: number;
  /** A WebSocket client that lets this much unsent data pile up is disconnected. */
  maxSendBufferBytes?: number;
  /** Interval of WebSocket pings; a connection that misses one pong is closed. */
  heartbeatMs?: number;
  limits?: Partial<RpcLimits>;
  filters?: Partial<FilterOptions>;
  /** Browser origins and Host names allowed besides local ones (--http-corsdomain, --http-vhosts). */
  access?: HttpAccessOptions;
  /** Errors answered as -32603 (the server's fault); stderr by default. */
  onInternalError?: (method: string, error: unknown) => void;
}

export interface RpcServer {
  url: string;
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULTS = {
  host: "127.0.0.1",
  maxBatchSize: 1_000,
  maxBodyBytes: 5 * 1024 * 1024,
  maxConnections: 1_000,
  maxSubscriptionsPerConnection: 1_000,
  maxLogCriteriaEntries: DEFAULT_MAX_CRITERIA_ENTRIES,
  maxSendBufferBytes: 64 * 1024 * 1024,
  heartbeatMs: 30_000,
};

export const DEFAULT_LIMITS: RpcLimits = {
  maxLogResults: 100_000,
  maxLogBlockRange: 0,
  maxFeeHistoryBlocks: 1_024,
};

/** CORS headers for a request whose origin the access policy allowed (none when it sent no Origin). */
function corsHeaders(allowOrigin: string | undefined): Record<string, string> {
  if (allowOrigin === undefined) return {};
  return {
    "Access-Control-Allow-Origin": allowOrigin,
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
}

function defaultInternalErrorLog(method: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`concord rpc: ${method} failed: ${detail}\n`);
}

export async function startRpcServer(backend: RpcBackend, options: RpcServerOptions): Promise<RpcServer> {
  const settings = { ...DEFAULTS, ...options };
  const common = await createConcordCommon({ chainId: backend.chainId });
  // One budget for the addresses and topics of every log filter and subscription (logCriteriaBudget.ts).
  const criteriaBudget = new LogCriteriaBudget(settings.maxLogCriteriaEntries);
  const filters = new FilterRegistry(backend, options.filters, criteriaBudget);
  const subscriptions = new SubscriptionHub(backend, settings.maxSubscriptionsPerConnection, criteriaBudget);
  const baseContext: RpcContext = {
    backend,
    filters,
    subscriptions,
    signer: new DevSigner(backend, common),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  const access = new HttpAccessPolicy(options.access);
  const dispatcher = new RpcDispatcher(rpcMethods, {
    maxBatchSize: settings.maxBatchSize,
    onInternalError: options.onInternalError ?? defaultInternalErrorLog,
  });

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      (options.onInternalError ?? defaultInternalErrorLog)("(http)", error);
      if (!response.headersSent) sendJson(response, 500, internalErrorBody());
      else response.destroy();
    });
  });
  // Idle keep-alive sockets must not hold close() up.
  server.keepAliveTimeout = 5_000;

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const decision = access.check({ host: request.headers.host, origin: request.headers.origin });
    if (!decision.allowed) {
      sendJson(response, 403, { jsonrpc: "2.0", id: null, error: { code: RpcErrorCode.InvalidRequest, message: decision.reason } });
      discardRestOfBody(request);
      return;
    }
    const cors = corsHeaders(decision.allowOrigin);
    if (request.method === "OPTIONS") {
      response.writeHead(204, {
        ...cors,
        "Access-Control-Allow-Headers": request.headers["access-control-request-headers"] ?? "Content-Type",
      });
      response.end();
      return;
    }
    if (request.method === "GET" || request.method === "HEAD") {
      const path = (request.url ?? "/").split("?")[0];
      if (path !== "/" && path !== "/health") {
        sendJson(response, 404, { error: `not found: ${path}; POST JSON-RPC requests to /` }, cors);
        return;
      }
      sendJson(response, 200, {
        name: "Concord JSON-RPC",
        status: "ok",
        clientVersion: backend.clientVersion,
        chainId: backend.chainId.toString(10),
        blockNumber: backend.latestBlockNumber().toString(10),
        usage: "POST JSON-RPC 2.0 requests (single or batch) to this URL; open a WebSocket on it for eth_subscribe",
      }, cors);
      return;
    }
    if (request.method !== "POST") {
      response.setHeader("Allow", "POST, GET, OPTIONS");
      sendJson(response, 405, { error: `method ${request.method} not allowed; POST JSON-RPC requests` }, cors);
      return;
    }
    const body = await readBody(request, settings.maxBodyBytes);
    if (body === undefined) {
      sendJson(response, 413, {
        jsonrpc: "2.0",
        id: null,
        error: { code: RpcErrorCode.InvalidRequest, message: `request body too large: the limit is ${settings.maxBodyBytes} bytes` },
      }, cors);
      discardRestOfBody(request);
      return;
    }
    const text = await dispatcher.handleText(body, baseContext);
    if (text === undefined) {
      response.writeHead(204, cors);
      response.end();
      return;
    }
    response.writeHead(200, { ...cors, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxBodyBytes });
  let nextConnectionId = 1;
  const alive = new WeakMap<WebSocket, boolean>();

  server.on("upgrade", (request, socket, head) => {
    socket.on("error", () => socket.destroy());
    const decision = access.check({ host: request.headers.host, origin: request.headers.origin });
    if (!decision.allowed) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${decision.reason}\n`);
      return;
    }
    if (wss.clients.size >= settings.maxConnections) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
  });

  wss.on("connection", (ws: WebSocket) => {
    const connectionId = nextConnectionId++;
    const context: RpcContext = { ...baseContext, connectionId };
    alive.set(ws, true);
    const send = (text: string) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > settings.maxSendBufferBytes) {
        // A client that does not read its notifications would otherwise grow the node's memory.
        ws.close(1008, "send buffer limit exceeded: the client reads too slowly");
        return;
      }
      ws.send(text);
    };
    subscriptions.attach(connectionId, (subscription: Hex, result: unknown) =>
      send(JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription, result } })),
    );
    // Messages are handled in the order they arrived: each starts once the one before is answered or
    // its transaction admitted (answers may then come out of order, matched by id as JSON-RPC allows).
    let queue: Promise<void> = Promise.resolve();
    // Transactions sent back to back without waiting are a burst, as a batch is: blocks wait for them.
    let queuedSubmissions = 0;
    let burstOver: (() => void) | undefined;
    ws.on("message", (raw: RawData) => {
      const text = rawToBuffer(raw).toString("utf8");
      const submission = text.includes('"eth_send');
      if (submission && ++queuedSubmissions > 1) burstOver ??= backend.beginBurst?.();
      queue = queue.then(async () => {
        const [reply] = await dispatcher.handleTextInTurn(text, context).finally(() => {
          if (submission && --queuedSubmissions <= 1) {
            burstOver?.();
            burstOver = undefined;
          }
        });
        reply.then(
          (answer) => {
            if (answer !== undefined) send(answer);
          },
          (error: unknown) => {
            (options.onInternalError ?? defaultInternalErrorLog)("(ws)", error);
            send(JSON.stringify(internalErrorBody()));
          },
        );
      });
    });
    ws.on("pong", () => alive.set(ws, true));
    ws.on("error", () => ws.terminate());
    ws.on("close", () => {
      subscriptions.detach(connectionId);
      burstOver?.();
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, settings.heartbeatMs).unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = settings.host.includes(":") ? `[${settings.host}]` : settings.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    wsUrl: `ws://${hostForUrl}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        filters.close();
        subscriptions.close();
        await closeHttpServer(server);
      })();
      return closing;
    },
  };
}

function rawToBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

function internalErrorBody() {
  return { jsonrpc: "2.0", id: null, error: { code: RpcErrorCode.InternalError, message: "internal error" } };
}

function sendJson(response: ServerResponse, status: number, body: unknown, cors: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...cors, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The body as text, or undefined when it exceeds `maxBytes` (declared up front or found while
 * reading). Reading stops there; the caller answers 413 and discards the rest of the body.
 */
function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolve(undefined);
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off("data", onData);
      request.off("end", onEnd);
      request.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", reject);
  });
}

async function closeHttpServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
