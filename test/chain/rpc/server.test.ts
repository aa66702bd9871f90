/** The transport: HTTP and WebSocket on one port, CORS, health, limits, and hostile input. */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import type { RpcBackend } from "../../../chain/rpc/backend.ts";
import { post, rpc, WsClient } from "./helpers/rpcClient.ts";
import { startTestChain, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
const internalErrors: string[] = [];

before(async () => {
  chain = await startTestChain({
    rpc: { maxBatchSize: 50, maxBodyBytes: 64 * 1024, onInternalError: (method) => internalErrors.push(method) },
    // The real node, except that one read fails the way a broken backend would.
    wrapBackend: (backend) =>
      new Proxy(backend, {
        get(target, property, receiver) {
          if (property === "getCode") {
            return async () => {
              throw new Error("disk on fire");
            };
          }
          const value = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as RpcBackend,
  });
});
after(async () => {
  await chain.close();
});

describe("HTTP transport", () => {
  it("serves JSON-RPC on the URL it reports, with port 0 resolved", async () => {
    assert.notEqual(chain.server.port, 0);
    assert.equal(chain.url, `http://127.0.0.1:${chain.server.port}`);
    const response = await rpc(chain.url, "eth_chainId");
    assert.equal(response.jsonrpc, "2.0");
    assert.equal(response.result, "0x7a69");
  });
  it("answers CORS preflights of local pages, echoing their origin", async () => {
    const preflight = await fetch(chain.url, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.equal(preflight.headers.get("vary"), "Origin");
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type");
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8080", "http://app.localhost", "chrome-extension://nkbihfbeogaeaoehlefnkodbefgpgknn"]) {
      const response = await post(chain.url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }, { Origin: origin });
      assert.equal(response.status, 200, origin);
      assert.equal(response.headers.get("access-control-allow-origin"), origin);
    }
    const noOrigin = await post(chain.url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" });
    assert.equal(noOrigin.headers.get("access-control-allow-origin"), null);
  });
  it("refuses foreign web pages with 403 before running anything, text/plain and preflight alike", async () => {
    const before = (await rpc(chain.url, "eth_blockNumber")).result;
    for (const origin of ["https://evil.example", "null", "http://localhost.evil.example", "file://"]) {
      const response = await fetch(chain.url, {
        method: "POST",
        headers: { Origin: origin, "Content-Type": "text/plain" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine" }),
      });
      assert.equal(response.status, 403, origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null);
      const body = (await response.json()) as { error: { code: number; message: string } };
      assert.equal(body.error.code, -32600);
      assert.match(body.error.message, /^origin '.*' is not allowed: .* --http-corsdomain /);
    }
    const preflight = await fetch(chain.url, { method: "OPTIONS", headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    assert.equal((await rpc(chain.url, "eth_blockNumber")).result, before);
  });
  it("refuses a Host header naming a foreign domain (DNS rebinding), accepts localhost and IP addresses", async () => {
    const withHost = (host: string) => rawPost(chain.server.port, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), { Host: host });
    const rebound = await withHost("attacker.example:8545");
    assert.equal(rebound.status, 403);
    assert.match(JSON.parse(rebound.body).error.message, /^host 'attacker.example:8545' is not allowed: .* --http-vhosts attacker.example /);
    for (const host of ["localhost:8545", "127.0.0.1", "[::1]:8545", "192.168.1.20:8545", "LOCALHOST"]) {
      const response = await withHost(host);
      assert.equal(response.status, 200, host);
      assert.equal(JSON.parse(response.body).result, "0x7a69");
    }
  });
  it("refuses a WebSocket from a foreign page, accepts one from a local page", async () => {
    const refused = new WebSocket(chain.wsUrl, { headers: { Origin: "https://evil.example" } });
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on("unexpected-response", (_request, response) => resolve(response.statusCode));
      refused.on("open", () => resolve(101));
      refused.on("error", () => resolve(undefined));
    });
    refused.terminate();
    assert.equal(status, 403);
    const local = await WsClient.connect(chain.wsUrl, { origin: "http://localhost:3000" });
    try {
      assert.equal((await local.request("eth_chainId")).result, "0x7a69");
    } finally {
      await local.close();
    }
  });
  it("answers GET / with a health document and unknown paths with 404", async () => {
    const health = await fetch(`${chain.url}/`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as Record<string, string>;
    assert.equal(body.status, "ok");
    assert.equal(body.chainId, "31337");
    assert.match(body.usage, /POST JSON-RPC 2.0/);
    assert.equal((await fetch(`${chain.url}/health`)).status, 200);
    assert.equal((await fetch(`${chain.url}/nope`)).status, 404);
    assert.equal((await fetch(chain.url, { method: "PUT", body: "{}" })).status, 405);
  });
  it("answers a body over the limit with 413 and -32600 naming the limit", async () => {
    const response = await post(chain.url, { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: ["x".repeat(70 * 1024)] });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "request body too large: the limit is 65536 bytes" },
    });
  });
  it("answers a 50 MB body with 413 the client can read (not a reset connection), and keeps serving", async () => {
    const response = await rawPost(chain.server.port, Buffer.alloc(50 * 1024 * 1024, 0x20));
    assert.equal(response.status, 413);
    assert.deepEqual(JSON.parse(response.body).error, { code: -32600, message: "request body too large: the limit is 65536 bytes" });
    // Declared up front, without Content-Length (chunked), and still the same answer.
    const chunked = await rawPost(chain.server.port, Buffer.alloc(8 * 1024 * 1024, 0x20), { "Transfer-Encoding": "chunked" });
    assert.equal(chunked.status, 413);
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
  it("answers malformed JSON with -32700 and id null", async () => {
    const response = await post(chain.url, "{ not json");
    assert.equal(response.status, 200);
    const body = (await response.json()) as { id: null; error: { code: number } };
    assert.equal(body.id, null);
    assert.equal(body.error.code, -32700);
  });
  it("answers a notification-only request with 204 and no body", async () => {
    const response = await post(chain.url, { jsonrpc: "2.0", method: "eth_blockNumber" });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
  });
  it("refuses batches over the limit and empty ones, and answers mixed batches in order", async () => {
    const request = (id: number) => ({ jsonrpc: "2.0", id, method: "eth_chainId" });
    const tooMany = (await (await post(chain.url, Array.from({ length: 51 }, (_, i) => request(i)))).json()) as { error: { code: number; message: string } };
    assert.deepEqual(tooMany.error, { code: -32600, message: "batch of 51 requests exceeds the limit of 50; split it into smaller batches" });
    const empty = (await (await post(chain.url, [])).json()) as { error: { code: number } };
    assert.equal(empty.error.code, -32600);
    const mixed = (await (await post(chain.url, [request(1), { jsonrpc: "2.0", id: 2, method: "eth_bogus" }, request(3)])).json()) as { id: number }[];
    assert.deepEqual(mixed.map((r) => r.id), [1, 2, 3]);
  });
  it("survives a 10k-element batch, invalid UTF-8, huge numbers and deep nesting", async () => {
    const big = Array.from({ length: 10_000 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_chainId" }));
    const bigChain = await startTestChain({ rpc: { maxBodyBytes: 10 * 1024 * 1024 } });
    try {
      const refused = (await (await post(bigChain.url, big)).json()) as { error: { code: number } };
      assert.equal(refused.error.code, -32600);
    } finally {
      await bigChain.close();
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["'), Buffer.from([0xff, 0xfe]), Buffer.from('","latest"]}')]);
    const utf8Response = (await (await fetch(chain.url, { method: "POST", body: invalidUtf8 })).json()) as { error: { code: number } };
    assert.equal(utf8Response.error.code, -32602);
    const huge = await rpc(chain.url, "eth_getBlockByNumber", [`0x${"f".repeat(5000)}`, false]);
    assert.equal(huge.error?.code, -32602);
    const deep = await post(chain.url, `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":${"[".repeat(30_000)}${"]".repeat(30_000)}}`);
    assert.equal(((await deep.json()) as { error: { code: number } }).error.code, -32602);
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
  it("turns a throwing backend into -32603 and keeps serving", async () => {
    internalErrors.length = 0;
    const response = await rpc(chain.url, "eth_getCode", ["0x0000000000000000000000000000000000000001", "latest"]);
    assert.deepEqual(response.error, { code: -32603, message: "internal error: disk on fire" });
    assert.deepEqual(internalErrors, ["eth_getCode"]);
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
  it("survives a client that disconnects mid-body", async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(chain.server.port, "127.0.0.1", () => {
        socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\":");
        socket.destroy();
        resolve();
      });
    });
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
});

describe("WebSocket transport", () => {
  it("serves the same methods on the same port", async () => {
    assert.equal(chain.wsUrl, `ws://127.0.0.1:${chain.server.port}`);
    const client = await WsClient.connect(chain.wsUrl);
    try {
      assert.equal(await client.call("eth_chainId"), "0x7a69");
      const batch = await new Promise<unknown>((resolve) => {
        client.socket.once("message", (raw) => resolve(JSON.parse(raw.toString())));
        client.socket.send(JSON.stringify([{ jsonrpc: "2.0", id: "a", method: "net_version" }, { jsonrpc: "2.0", id: "b", method: "eth_chainId" }]));
      });
      assert.deepEqual(batch, [
        { jsonrpc: "2.0", id: "a", result: "31337" },
        { jsonrpc: "2.0", id: "b", result: "0x7a69" },
      ]);
    } finally {
      await client.close();
    }
  });
  it("answers malformed messages with -32700 and keeps the connection", async () => {
    const client = await WsClient.connect(chain.wsUrl);
    try {
      const reply = await new Promise<{ id: null; error: { code: number } }>((resolve) => {
        client.socket.once("message", (raw) => resolve(JSON.parse(raw.toString())));
        client.socket.send("{{{");
      });
      assert.equal(reply.error.code, -32700);
      assert.equal(reply.id, null);
      assert.equal(await client.call("eth_chainId"), "0x7a69");
    } finally {
      await client.close();
    }
  });
  it("closes a connection whose message exceeds the size limit (1009) and keeps serving others", async () => {
    const socket = new WebSocket(chain.wsUrl);
    await new Promise((resolve) => socket.once("open", resolve));
    const code = await new Promise<number>((resolve) => {
      socket.once("close", (closeCode) => resolve(closeCode));
      socket.send("x".repeat(70 * 1024));
    });
    assert.equal(code, 1009);
    assert.equal((await rpc(chain.url, "eth_chainId")).result, "0x7a69");
  });
  it("refuses eth_subscribe over HTTP: notifications need a connection", async () => {
    const response = await rpc(chain.url, "eth_subscribe", ["newHeads"]);
    assert.deepEqual(response.error, { code: -32601, message: "notifications not supported: use a WebSocket connection for eth_subscribe" });
  });
});

describe("close", () => {
  it("stops listening and ends open WebSocket connections", async () => {
    const other = await startTestChain();
    const client = await WsClient.connect(other.wsUrl);
    const closed = new Promise((resolve) => client.socket.once("close", resolve));
    await other.close();
    await closed;
    await assert.rejects(fetch(other.url, { method: "POST", body: "{}" }), (error: unknown) => {
      // undici's fetch: "fetch failed", with the refused connection as the cause.
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, "fetch failed");
      assert.equal((error.cause as NodeJS.ErrnoException | undefined)?.code, "ECONNREFUSED");
      return true;
    });
  });
});

/**
 * A POST over a plain socket that writes its whole body before it reads the answer, as curl and
 * Python's clients do: a server that cuts the upload short makes its write fail (EPIPE / reset).
 */
function rawPost(port: number, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    const chunked = headers["Transfer-Encoding"] === "chunked";
    const head = { Host: `127.0.0.1:${port}`, "Content-Type": "application/json", ...(chunked ? {} : { "Content-Length": String(bytes.length) }), ...headers };
    const socket = connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    let written = false;
    const settle = () => {
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? NaN);
      if (!written || end === -1 || received.length < end + 4 + length) return;
      socket.destroy();
      resolve({ status: Number(text.slice(9, 12)), body: received.subarray(end + 4, end + 4 + length).toString("utf8") });
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      settle();
    });
    socket.on("error", reject);
    socket.write(`POST / HTTP/1.1\r\n${Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
    socket.write(chunked ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n0\r\n\r\n")]) : bytes, (error) => {
      if (error) return reject(error);
      written = true;
      settle();
    });
  });
}
