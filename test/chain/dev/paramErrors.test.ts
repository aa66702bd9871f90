/** Every dev method's bad parameters: -32602 naming the parameter, with or without dev mode. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { devMethods } from "../../../chain/rpc/methods/dev.ts";
import { callError } from "../rpc/helpers/rpcClient.ts";
import { startDevNode, type DevNode } from "./helpers/devNode.ts";
import { MALFORMED_DEV_PARAMS } from "./helpers/malformedDevParams.ts";

let devnet: DevNode;
let plain: DevNode;

before(async () => {
  [devnet, plain] = await Promise.all([startDevNode(), startDevNode({ devMode: false })]);
});
after(() => Promise.all([devnet.close(), plain.close()]));

describe("malformed parameters of the dev methods", () => {
  for (const [method, params, message] of MALFORMED_DEV_PARAMS) {
    it(`${method} names the bad argument`, async () => {
      assert.deepEqual(await callError(devnet.url, method, params), { code: -32602, message });
      assert.deepEqual(await callError(plain.url, method, params), { code: -32602, message });
    });
  }

  it("covers every dev method that takes parameters (the two standard ones extended aside)", () => {
    const covered = new Set(MALFORMED_DEV_PARAMS.map(([method]) => method));
    const uncovered = Object.entries(devMethods)
      .filter(([name, method]) => method.params.length > 0 && !covered.has(name) && name !== "eth_sendTransaction" && name !== "eth_estimateGas")
      .map(([name]) => name);
    assert.deepEqual(uncovered, []);
  });

  it("refuses surplus arguments on every dev method", async () => {
    for (const [name, method] of Object.entries(devMethods)) {
      const surplus = Array.from({ length: method.params.length + 1 }, () => "0x0");
      assert.deepEqual(await callError(devnet.url, name, surplus), { code: -32602, message: `too many arguments, want at most ${method.params.length}` }, name);
    }
  });
});
