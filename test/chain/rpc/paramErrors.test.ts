/**
 * Every method refuses a malformed parameter with -32602 naming the argument and the reason, and a
 * missing required one with geth's "missing value for required argument N".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rpcMethods } from "../../../chain/rpc/methods/index.ts";
import { callError } from "./helpers/rpcClient.ts";
import { DEV_ADDRESSES, startTestChain, type TestChain } from "./helpers/testChain.ts";
import { MALFORMED_DEV_PARAMS } from "../dev/helpers/malformedDevParams.ts";

let chain: TestChain;
before(async () => {
  chain = await startTestChain();
});
after(async () => {
  await chain.close();
});

const A = DEV_ADDRESSES[0];
const H = `0x${"ab".repeat(32)}`;
const BAD_ADDRESS = "invalid argument 0: hex string has length 4, want 40 for an address";
const BAD_HASH = "invalid argument 0: hex string has length 2, want 64 for a 32-byte hash";
const BAD_TAG = 'invalid argument 0: invalid block tag "soon": want latest, pending, earliest, safe, finalized or a hex number';

/** [method, params, message]: one malformed call per method that takes parameters. */
const MALFORMED: [string, unknown[], string][] = [
  ["web3_sha3", ["0x1"], "invalid argument 0: hex string has odd length"],
  ["eth_getBlockByNumber", ["soon", false], BAD_TAG],
  ["eth_getBlockByHash", ["0xab", false], BAD_HASH],
  ["eth_getBlockTransactionCountByNumber", ["soon"], BAD_TAG],
  ["eth_getBlockTransactionCountByHash", ["0xab"], BAD_HASH],
  ["eth_getUncleCountByBlockNumber", ["soon"], BAD_TAG],
  ["eth_getUncleCountByBlockHash", ["0xab"], BAD_HASH],
  ["eth_getUncleByBlockNumberAndIndex", ["latest", "zero"], "invalid argument 1: hex string without 0x prefix"],
  ["eth_getUncleByBlockHashAndIndex", ["0xab", "0x0"], BAD_HASH],
  ["eth_getTransactionByBlockNumberAndIndex", ["latest", "0x1ffffffffffffffff"], "invalid argument 1: hex number > 64 bits"],
  ["eth_getTransactionByBlockHashAndIndex", [H, 1], "invalid argument 1: expected a hex string, got a number"],
  ["eth_getTransactionByHash", ["0xab"], BAD_HASH],
  ["eth_getRawTransactionByHash", ["0xab"], BAD_HASH],
  ["eth_getTransactionReceipt", ["0xab"], BAD_HASH],
  ["eth_getBlockReceipts", [{}], "invalid argument 0: block object needs blockHash or blockNumber"],
  ["eth_getBalance", ["0x1234", "latest"], BAD_ADDRESS],
  ["eth_getCode", [A, "soon"], 'invalid argument 1: invalid block tag "soon": want latest, pending, earliest, safe, finalized or a hex number'],
  ["eth_getStorageAt", [A, "slot", "latest"], "invalid argument 1: hex string without 0x prefix"],
  ["eth_getTransactionCount", ["0x1234", "pending"], BAD_ADDRESS],
  ["eth_call", [{ value: "-1" }, "latest"], "invalid argument 0: value: hex string without 0x prefix"],
  ["eth_estimateGas", [{ gas: "0x" }], 'invalid argument 0: gas: hex string "0x" is not a quantity'],
  ["eth_sendRawTransaction", [42], "invalid argument 0: expected a hex string, got a number"],
  ["eth_feeHistory", ["0x1", "latest", "all"], "invalid argument 2: expected an array, got a string"],
  ["eth_getLogs", [{ address: 7 }], "invalid argument 0: address: expected an array, got a number"],
  ["eth_newFilter", [[]], "invalid argument 0: expected an object, got an array"],
  ["eth_newPendingTransactionFilter", ["yes"], "invalid argument 0: expected a boolean, got a string"],
  ["eth_getFilterChanges", [1], "invalid argument 0: expected a string, got a number"],
  ["eth_getFilterLogs", [{}], "invalid argument 0: expected a string, got an object"],
  ["eth_uninstallFilter", [true], "invalid argument 0: expected a string, got a boolean"],
  ["eth_subscribe", [7], "invalid argument 0: expected a string, got a number"],
  ["eth_unsubscribe", [[]], "invalid argument 0: expected a string, got an array"],
  ["eth_sendTransaction", ["0x00"], "invalid argument 0: expected an object, got a string"],
  ["eth_signTransaction", [{ from: "0x1234" }], "invalid argument 0: from: hex string has length 4, want 40 for an address"],
  ["eth_fillTransaction", [{ nonce: "0xg" }], "invalid argument 0: nonce: invalid hex string"],
  ["eth_sign", ["0x1234", "0x00"], BAD_ADDRESS],
  ["personal_sign", ["0x00", "0x1234"], "invalid argument 1: hex string has length 4, want 40 for an address"],
  ["eth_signTypedData_v4", [A, 5], "invalid argument 1: typed data needs types, primaryType, domain and message"],
  ["debug_traceTransaction", [H, { tracer: 5 }], "invalid argument 1: tracer: expected a string, got a number"],
  ["eth_createAccessList", [{ to: "0x12" }], "invalid argument 0: to: hex string has length 2, want 40 for an address"],
  ["eth_getProof", ["0x00000000000000000000000000000000000000aa", "0x0"], "invalid argument 1: expected an array of storage keys"],
  ["debug_traceBlockByNumber", ["0x1", { tracerConfig: [] }], "invalid argument 1: tracerConfig: expected an object, got an array"],
  ["debug_traceBlockByHash", ["0x01"], "invalid argument 0: hex string has length 2, want 64 for a 32-byte hash"],
  ["debug_traceCall", [{}, "latest", { blockOverrides: { time: "soon" } }], "invalid argument 2: blockOverrides: time: hex string without 0x prefix"],
  ["concord_validators", ["soon"], BAD_TAG],
  ["concord_commitCertificate", ["soon"], BAD_TAG],
  // The dev methods check their parameters before they check for dev mode, so this node answers them too.
  ...MALFORMED_DEV_PARAMS,
];

describe("malformed parameters", () => {
  for (const [method, params, message] of MALFORMED) {
    it(`${method} names the bad argument`, async () => {
      assert.deepEqual(await callError(chain.url, method, params), { code: -32602, message });
    });
  }
  it("covers every method that takes a required or optional parameter", () => {
    const tested = new Set(MALFORMED.map(([method]) => method));
    const untested = Object.entries(rpcMethods)
      .filter(([name, method]) => method.params.length > 0 && !tested.has(name))
      .map(([name]) => name);
    assert.deepEqual(untested, []);
  });
});

describe("parameter count", () => {
  it("refuses missing required and surplus arguments for every method", async () => {
    for (const [name, method] of Object.entries(rpcMethods)) {
      const required = method.params.findIndex((validator) => validator.optional === true);
      const requiredCount = required === -1 ? method.params.length : required;
      if (requiredCount > 0) {
        assert.deepEqual(await callError(chain.url, name, []), { code: -32602, message: "missing value for required argument 0" }, name);
      }
      const surplus = Array.from({ length: method.params.length + 1 }, () => "0x0");
      assert.deepEqual(
        await callError(chain.url, name, surplus),
        { code: -32602, message: `too many arguments, want at most ${method.params.length}` },
        name,
      );
    }
  });
});
