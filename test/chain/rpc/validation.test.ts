import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ParamError,
  address,
  blockCount,
  blockSelector,
  blockTag,
  data,
  filterCriteria,
  hash,
  quantity,
  rewardPercentiles,
  storageSlot,
  transactionRequest,
  uint64,
} from "../../../chain/rpc/validation.ts";

function rejects(run: () => unknown, reason: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ParamError, `expected ParamError, got ${String(error)}`);
    if (typeof reason === "string") assert.equal(error.reason, reason);
    else assert.match(error.reason, reason);
    return true;
  });
}

const ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const HASH = `0x${"ab".repeat(32)}`;

describe("quantity", () => {
  it("parses hex quantities, with or without leading zeros", () => {
    assert.equal(quantity("0x0"), 0n);
    assert.equal(quantity("0x1f"), 31n);
    assert.equal(quantity("0x001f"), 31n);
    assert.equal(quantity(`0x${"f".repeat(64)}`), (1n << 256n) - 1n);
  });
  it("rejects a missing prefix, empty digits, non-hex, numbers and values over 256 bits", () => {
    rejects(() => quantity("12"), "hex string without 0x prefix");
    rejects(() => quantity("0x"), 'hex string "0x" is not a quantity');
    rejects(() => quantity("0xzz"), "invalid hex string");
    rejects(() => quantity(12), "expected a hex string, got a number");
    rejects(() => quantity(`0x1${"0".repeat(64)}`), "hex number > 256 bits");
    rejects(() => quantity(`0x${"1".repeat(10_000)}`), /hex string too long/);
  });
  it("bounds uint64 at 2^64-1", () => {
    assert.equal(uint64("0xffffffffffffffff"), 2n ** 64n - 1n);
    rejects(() => uint64("0x10000000000000000"), "hex number > 64 bits");
  });
});

describe("data, address, hash", () => {
  it("decodes even-length hex data and refuses odd lengths", () => {
    assert.deepEqual(data("0x"), new Uint8Array());
    assert.deepEqual(data("0x0aff"), Uint8Array.from([0x0a, 0xff]));
    rejects(() => data("0xabc"), "hex string has odd length");
  });
  it("lowercases a 20-byte address and names the wrong length", () => {
    assert.equal(address(ADDRESS), ADDRESS.toLowerCase());
    rejects(() => address("0x1234"), "hex string has length 4, want 40 for an address");
    rejects(() => address(null), "expected a hex string, got null");
  });
  it("requires 32 bytes for a hash", () => {
    assert.equal(hash(HASH.toUpperCase().replace("0X", "0x")), HASH);
    rejects(() => hash("0xab"), "hex string has length 2, want 64 for a 32-byte hash");
  });
  it("pads a storage slot to 32 bytes", () => {
    assert.equal(storageSlot("0x1"), `0x${"0".repeat(63)}1`);
    rejects(() => storageSlot(`0x1${"0".repeat(64)}`), "storage slot > 32 bytes");
  });
});

describe("block tags and EIP-1898 selectors", () => {
  it("accepts named tags and numbers", () => {
    for (const tag of ["latest", "pending", "earliest", "safe", "finalized"]) assert.equal(blockTag(tag), tag);
    assert.equal(blockTag("0x10"), 16n);
  });
  it("rejects unknown tags with the list of valid ones", () => {
    rejects(() => blockTag("newest"), /invalid block tag "newest": want latest, pending, earliest, safe, finalized or a hex number/);
  });
  it("reads a hash string, { blockHash } and { blockNumber }", () => {
    assert.deepEqual(blockSelector(HASH), { hash: HASH, requireCanonical: false });
    assert.deepEqual(blockSelector({ blockHash: HASH, requireCanonical: true }), { hash: HASH, requireCanonical: true });
    assert.deepEqual(blockSelector({ blockNumber: "0x2" }), { tag: 2n });
    assert.deepEqual(blockSelector("latest"), { tag: "latest" });
  });
  it("refuses a selector with both a hash and a number, or neither", () => {
    rejects(() => blockSelector({ blockHash: HASH, blockNumber: "0x1" }), /cannot specify both blockHash and blockNumber/);
    rejects(() => blockSelector({}), "block object needs blockHash or blockNumber");
    rejects(() => blockSelector({ blockHash: "0x12" }), /^blockHash: hex string has length 2/);
  });
});

describe("transactionRequest", () => {
  it("reads every field and prefers input over data when both agree", () => {
    const request = transactionRequest({
      from: ADDRESS,
      to: ADDRESS,
      gas: "0x5208",
      maxFeePerGas: "0x10",
      maxPriorityFeePerGas: "0x1",
      value: "0x1",
      input: "0xab",
      data: "0xab",
      nonce: "0x3",
      type: "0x2",
      chainId: "0x7a69",
      accessList: [{ address: ADDRESS, storageKeys: [HASH] }],
    });
    assert.deepEqual(request, {
      from: ADDRESS.toLowerCase(),
      to: ADDRESS.toLowerCase(),
      gas: 21000n,
      maxFeePerGas: 16n,
      maxPriorityFeePerGas: 1n,
      value: 1n,
      data: Uint8Array.from([0xab]),
      nonce: 3n,
      type: 2,
      chainId: 31337n,
      accessList: [{ address: ADDRESS.toLowerCase(), storageKeys: [HASH] }],
    });
  });
  it("keeps an explicit null `to` (contract creation)", () => {
    assert.deepEqual(transactionRequest({ to: null }), { to: null });
  });
  it("names the field that is wrong", () => {
    rejects(() => transactionRequest({ to: "0x12" }), "to: hex string has length 2, want 40 for an address");
    rejects(() => transactionRequest({ gas: "0x1ffffffffffffffff" }), "gas: hex number > 64 bits");
    rejects(() => transactionRequest("0x12"), "expected an object, got a string");
  });
  it("refuses conflicting data and input, and mixed fee modes", () => {
    rejects(() => transactionRequest({ data: "0x01", input: "0x02" }), /both "data" and "input" are set and not equal/);
    rejects(() => transactionRequest({ gasPrice: "0x1", maxFeePerGas: "0x1" }), /both gasPrice and \(maxFeePerGas or maxPriorityFeePerGas\)/);
    rejects(() => transactionRequest({ maxFeePerGas: "0x1", maxPriorityFeePerGas: "0x2" }), "maxFeePerGas (1) < maxPriorityFeePerGas (2)");
    rejects(() => transactionRequest({ type: "0x7" }), "type: unsupported transaction type 7");
  });
});

describe("filterCriteria", () => {
  it("accepts one address or a list, and topic alternatives with wildcards", () => {
    const criteria = filterCriteria({
      fromBlock: "0x1",
      toBlock: "latest",
      address: ADDRESS,
      topics: [HASH, null, [HASH, HASH], null],
    });
    assert.deepEqual(criteria, {
      fromBlock: 1n,
      toBlock: "latest",
      addresses: [ADDRESS.toLowerCase()],
      topics: [[HASH], null, [HASH, HASH]],
    });
    assert.deepEqual(filterCriteria({ address: [ADDRESS] }).addresses, [ADDRESS.toLowerCase()]);
  });
  it("treats a null among alternatives as a wildcard", () => {
    assert.deepEqual(filterCriteria({ topics: [[HASH, null], HASH] }).topics, [null, [HASH]]);
  });
  it("refuses blockHash with a range, more than four topics and bad topics", () => {
    rejects(() => filterCriteria({ blockHash: HASH, fromBlock: "0x1" }), /cannot specify both BlockHash and FromBlock\/ToBlock/);
    rejects(() => filterCriteria({ topics: [null, null, null, null, null] }), "topics: too many topics (5), at most 4 allowed");
    rejects(() => filterCriteria({ topics: ["0x12"] }), /^topics: \[0\]: hex string has length 2/);
    rejects(() => filterCriteria({ address: ["0x12"] }), /^address: \[0\]: hex string has length 2/);
  });
});

describe("eth_feeHistory arguments", () => {
  it("takes a block count as hex or decimal", () => {
    assert.equal(blockCount("0x4"), 4);
    assert.equal(blockCount(4), 4);
    rejects(() => blockCount(-1), "invalid block count -1");
  });
  it("requires increasing percentiles within [0, 100]", () => {
    assert.deepEqual(rewardPercentiles([10, 50, 90]), [10, 50, 90]);
    rejects(() => rewardPercentiles([50, 10]), "invalid reward percentile: #0:50 > #1:10");
    rejects(() => rewardPercentiles([101]), "[0]: percentile 101 out of range [0, 100]");
  });
});
