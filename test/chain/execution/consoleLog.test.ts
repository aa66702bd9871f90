/** Decoding Solidity's console.log calls (hardhat/console.sol) as Hardhat's node prints them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { AbiCoder, id } from "ethers";
import { decodeConsoleLog, formatConsoleArguments } from "../../../chain/execution/consoleLog.ts";
import { formatConsoleOutput, parseConsoleLine } from "../../../devnet/consoleOutput.ts";

const require = createRequire(import.meta.url);
const encode = (signature: string, types: string[], values: unknown[]) =>
  Buffer.from(id(signature).slice(2, 10) + AbiCoder.defaultAbiCoder().encode(types, values).slice(2), "hex");

test("every call console.sol makes is decoded", () => {
  const source = readFileSync(require.resolve("hardhat/console.sol"), "utf8");
  const signatures = [...new Set([...source.matchAll(/encodeWithSignature\("(log\([^"]*\))"/g)].map((match) => match[1]!))];
  assert.ok(signatures.length > 370, `${signatures.length} signatures found`);
  for (const signature of signatures) {
    const types = signature.slice(4, -1) === "" ? [] : signature.slice(4, -1).split(",");
    const values = types.map((type) =>
      type === "string" ? "s" : type === "bool" ? true : type === "address" ? "0x000000000000000000000000000000000000dEaD" : type.startsWith("bytes") && type !== "bytes" ? `0x${"ab".repeat(Number(type.slice(5)))}` : type === "bytes" ? "0x01" : 1n,
    );
    assert.notEqual(decodeConsoleLog(encode(signature, types, values)), undefined, signature);
  }
});

test("formats values as Hardhat does: decimal numbers, checksummed addresses, format strings", () => {
  assert.equal(decodeConsoleLog(encode("log(string,uint256)", ["string", "uint256"], ["balance %d wei", 10n ** 18n])), "balance 1000000000000000000 wei");
  assert.equal(
    decodeConsoleLog(encode("log(string,address,bool)", ["string", "address", "bool"], ["owner %s ok", "0x000000000000000000000000000000000000dead", false])),
    "owner 0x000000000000000000000000000000000000dEaD ok false",
  );
  assert.equal(decodeConsoleLog(encode("log(int256)", ["int256"], [-5n])), "-5");
  assert.equal(decodeConsoleLog(encode("log(bytes4)", ["bytes4"], ["0xdeadbeef"])), "0xdeadbeef");
  // The old `uint` spelling has another selector and the same encoding.
  assert.equal(decodeConsoleLog(encode("log(uint)", ["uint256"], [7n])), "7");
  assert.equal(decodeConsoleLog(encode("log()", [], [])), "");
  assert.equal(formatConsoleArguments(["100%% sure: %s and %d", "a"]), "100% sure: a and %d");
});

test("ignores what console.sol never sends, and malformed arguments", () => {
  assert.equal(decodeConsoleLog(new Uint8Array([1, 2])), undefined);
  assert.equal(decodeConsoleLog(encode("transfer(address,uint256)", ["address", "uint256"], ["0x000000000000000000000000000000000000dEaD", 1n])), undefined);
  const truncated = encode("log(string)", ["string"], ["hello"]).subarray(0, 40);
  assert.equal(decodeConsoleLog(truncated), undefined);
});

test("the devnet prints one line per logged line, and passes on a validator's", () => {
  const tx = formatConsoleOutput({ source: "transaction", txHash: "0xab", lines: ["one", "two"] });
  assert.equal(tx, "console.log (tx 0xab): one\nconsole.log (tx 0xab): two\n");
  assert.deepEqual(parseConsoleLine("console.log (tx 0xab): one"), { transaction: true });
  assert.deepEqual(parseConsoleLine(formatConsoleOutput({ source: "eth_call", lines: ["x"] }).trimEnd()), { transaction: false });
  assert.equal(parseConsoleLine("consensus: something"), undefined);
});
