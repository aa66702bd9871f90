/**
 * JSON-RPC framing over a method table of test methods: the dispatcher needs no node for this, and
 * the same dispatcher serves the real node in server.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RpcDispatcher } from "../../../chain/rpc/dispatcher.ts";
import { RpcError } from "../../../chain/rpc/errors.ts";
import { defineMethod, type RpcContext } from "../../../chain/rpc/method.ts";
import { bool, optional, quantity } from "../../../chain/rpc/validation.ts";

const internalErrors: string[] = [];
const calls: string[] = [];
const dispatcher = new RpcDispatcher(
  {
    test_add: defineMethod([quantity, quantity], (_c, [a, b]) => a + b),
    test_flag: defineMethod([bool, optional(bool)], (_c, [a, b]) => [a, b ?? null]),
    test_record: defineMethod([], () => {
      calls.push("record");
    }),
    test_typed: defineMethod([], () => {
      throw new RpcError(-32042, "typed failure", { detail: 1 });
    }),
    test_crash: defineMethod([], () => {
      throw new Error("backend exploded");
    }),
    test_bytes: defineMethod([], () => ({ big: 255n, bytes: Uint8Array.from([1, 2]) })),
  },
  { maxBatchSize: 3, onInternalError: (method) => internalErrors.push(method) },
);
const context = {} as RpcContext;

async function call(body: unknown): Promise<unknown> {
  const text = await dispatcher.handleText(typeof body === "string" ? body : JSON.stringify(body), context);
  return text === undefined ? undefined : JSON.parse(text);
}

describe("RpcDispatcher", () => {
  it("answers a request with its id and result", async () => {
    assert.deepEqual(await call({ jsonrpc: "2.0", id: 7, method: "test_add", params: ["0x1", "0x2"] }), {
      jsonrpc: "2.0",
      id: 7,
      result: "0x3",
    });
    assert.deepEqual(await call({ jsonrpc: "2.0", id: "abc", method: "test_record" }), { jsonrpc: "2.0", id: "abc", result: null });
  });
  it("serialises stray bigints and bytes as hex", async () => {
    assert.deepEqual(await call({ jsonrpc: "2.0", id: 1, method: "test_bytes" }), {
      jsonrpc: "2.0",
      id: 1,
      result: { big: "0xff", bytes: "0x0102" },
    });
  });
  it("answers malformed JSON with -32700 and id null", async () => {
    const response = (await call('{"jsonrpc":"2.0","id":1,')) as { id: null; error: { code: number; message: string } };
    assert.equal(response.id, null);
    assert.equal(response.error.code, -32700);
    assert.match(response.error.message, /^parse error/);
  });
  it("answers invalid request objects with -32600", async () => {
    const cases: [unknown, number | string | null, RegExp][] = [
      [42, null, /expected a JSON-RPC request object/],
      [{ jsonrpc: "1.0", id: 1, method: "test_record" }, 1, /jsonrpc must be "2.0"/],
      [{ jsonrpc: "2.0", id: 1 }, 1, /method must be a non-empty string of at most 128 characters/],
      [{ jsonrpc: "2.0", id: { nested: true }, method: "test_record" }, null, /id must be a string, a number or null/],
    ];
    for (const [request, id, message] of cases) {
      const response = (await call(request)) as { id: unknown; error: { code: number; message: string } };
      assert.equal(response.error.code, -32600);
      assert.equal(response.id, id);
      assert.match(response.error.message, message);
    }
  });
  it("names an unknown method in -32601, also for prototype names", async () => {
    for (const method of ["eth_nothing", "constructor", "__proto__", "hasOwnProperty"]) {
      const response = (await call({ jsonrpc: "2.0", id: 1, method })) as { error: { code: number; message: string } };
      assert.equal(response.error.code, -32601);
      assert.equal(response.error.message, `the method ${method} does not exist/is not available`);
    }
  });
  it("checks parameter count and each parameter, naming the argument", async () => {
    const cases: [unknown, string][] = [
      [["0x1"], "missing value for required argument 1"],
      [["0x1", "0x2", "0x3"], "too many arguments, want at most 2"],
      [["0x1", "0xg"], "invalid argument 1: invalid hex string"],
      [["1", "0x1"], "invalid argument 0: hex string without 0x prefix"],
      [{ a: "0x1" }, "invalid params: params must be an array (named parameters are not supported)"],
    ];
    for (const [params, message] of cases) {
      const response = (await call({ jsonrpc: "2.0", id: 1, method: "test_add", params })) as {
        error: { code: number; message: string };
      };
      assert.deepEqual(response.error, { code: -32602, message });
    }
  });
  it("accepts absent and null optional parameters", async () => {
    assert.deepEqual(((await call({ jsonrpc: "2.0", id: 1, method: "test_flag", params: [true] })) as { result: unknown }).result, [true, null]);
    assert.deepEqual(
      ((await call({ jsonrpc: "2.0", id: 1, method: "test_flag", params: [true, null] })) as { result: unknown }).result,
      [true, null],
    );
  });
  it("passes typed errors through with code, message and data", async () => {
    assert.deepEqual(await call({ jsonrpc: "2.0", id: 1, method: "test_typed" }), {
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32042, message: "typed failure", data: { detail: 1 } },
    });
  });
  it("turns an unexpected throw into -32603 and reports it", async () => {
    internalErrors.length = 0;
    const response = (await call({ jsonrpc: "2.0", id: 1, method: "test_crash" })) as { error: { code: number; message: string } };
    assert.deepEqual(response.error, { code: -32603, message: "internal error: backend exploded" });
    assert.deepEqual(internalErrors, ["test_crash"]);
  });
  it("runs notifications without answering them", async () => {
    calls.length = 0;
    assert.equal(await call({ jsonrpc: "2.0", method: "test_record" }), undefined);
    assert.deepEqual(calls, ["record"]);
  });
  it("answers a batch in order, skipping notifications", async () => {
    const response = await call([
      { jsonrpc: "2.0", id: 1, method: "test_add", params: ["0x1", "0x1"] },
      { jsonrpc: "2.0", method: "test_record" },
      { jsonrpc: "2.0", id: 2, method: "eth_nothing" },
    ]);
    assert.deepEqual(response, [
      { jsonrpc: "2.0", id: 1, result: "0x2" },
      { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "the method eth_nothing does not exist/is not available" } },
    ]);
    assert.equal(await call([{ jsonrpc: "2.0", method: "test_record" }]), undefined);
  });
  it("answers an invalid entry inside a batch on its own", async () => {
    const response = (await call([1, { jsonrpc: "2.0", id: 3, method: "test_record" }])) as { id: unknown; error?: { code: number } }[];
    assert.equal(response.length, 2);
    assert.equal(response[0]!.error!.code, -32600);
    assert.deepEqual(response[1], { jsonrpc: "2.0", id: 3, result: null });
  });
  it("refuses an empty batch and one over the limit with a single -32600", async () => {
    assert.deepEqual(await call([]), { jsonrpc: "2.0", id: null, error: { code: -32600, message: "empty batch" } });
    const request = { jsonrpc: "2.0", id: 1, method: "test_record" };
    assert.deepEqual(await call([request, request, request, request]), {
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "batch of 4 requests exceeds the limit of 3; split it into smaller batches" },
    });
  });
  it("survives deeply nested JSON", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const response = (await call(`{"jsonrpc":"2.0","id":1,"method":"test_flag","params":${deep}}`)) as { error: { code: number } };
    assert.equal(response.error.code, -32602);
  });
});
