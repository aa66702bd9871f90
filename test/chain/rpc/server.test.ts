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
  it("answers CORS preflights and allows any origin", async () => {
    const preflight = await fetch(chain.url, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(preflight.headers.get("access-control-allow-headers"), "content-type");
    const response = await post(chain.url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }, { Origin: "http://localhost:3000" });
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
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
