/** eth_call and eth_estimateGas with a state override (geth's and Hardhat's third parameter). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { call, callError } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { startTestChain, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let counter: DeployedCounter;
const STRANGER = "0x00000000000000000000000000000000000000b7";
/** PUSH1 42, return it as a word: code that answers 42 to any call. */
const ANSWER_42 = "0x602a60005260206000f3";
const word = (value: bigint) => `0x${value.toString(16).padStart(64, "0")}`;

before(async () => {
  chain = await startTestChain();
  counter = await deployCounter(chain.url);
  await counter.increment(5n);
});
after(async () => {
  await chain.close();
});

const count = (overrides?: unknown) =>
  call<string>(chain.url, "eth_call", [{ to: counter.address, data: counter.iface.encodeFunctionData("count") }, "latest", ...(overrides === undefined ? [] : [overrides])]);

describe("state overrides", () => {
  it("overrides a balance for the call only", async () => {
    // PUSH20 STRANGER BALANCE, returned as a word.
    const readBalance = `0x73${STRANGER.slice(2)}3160005260206000f3`;
    assert.equal(await call(chain.url, "eth_call", [{ data: readBalance }, "latest", { [STRANGER]: { balance: "0x1234" } }]), word(0x1234n));
    assert.equal(await call(chain.url, "eth_getBalance", [STRANGER, "latest"]), "0x0");
  });

  it("puts code at an address, for eth_call and eth_estimateGas", async () => {
    assert.equal(await call(chain.url, "eth_call", [{ to: STRANGER }, "latest", { [STRANGER]: { code: ANSWER_42 } }]), word(42n));
    const gas = BigInt(await call<string>(chain.url, "eth_estimateGas", [{ to: STRANGER, data: "0x01" }, "latest", { [STRANGER]: { code: ANSWER_42 } }]));
    assert.ok(gas > 21_000n && gas < 30_000n, `estimated ${gas}`);
    assert.equal(await call(chain.url, "eth_getCode", [STRANGER, "latest"]), "0x");
  });

  it("changes storage slots with stateDiff, and replaces the whole storage with state", async () => {
    assert.equal(BigInt(await count()), 5n);
    assert.equal(BigInt(await count({ [counter.address]: { stateDiff: { [word(0n)]: word(77n) } } })), 77n);
    // `state` replaces everything: slot 0 is not listed, so it reads zero.
    assert.equal(BigInt(await count({ [counter.address]: { state: { [word(9n)]: word(1n) } } })), 0n);
    assert.equal(BigInt(await count()), 5n);
  });

  it("names what is wrong in a malformed override, with -32602", async () => {
    const refused = async (overrides: unknown, pattern: RegExp) => {
      const error = await callError(chain.url, "eth_call", [{ to: counter.address }, "latest", overrides]);
      assert.equal(error.code, -32602);
      assert.match(error.message, pattern);
    };
    await refused({ [counter.address]: { state: {}, stateDiff: {} } }, /has both 'state' and 'stateDiff'/);
    await refused({ [counter.address]: { balanse: "0x1" } }, /unknown field balanse/);
    await refused({ "0x1234": { balance: "0x1" } }, /0x1234/);
    await refused({ [counter.address]: { stateDiff: { "0x01": word(1n) } } }, /0x01/);
    await refused([1, 2], /expected an object/);
  });
});
