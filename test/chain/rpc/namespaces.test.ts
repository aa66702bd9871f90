/** web3_*, net_*, txpool_*, debug_traceTransaction, concord_*, and methods the node does not have. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { call, callError } from "./helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { DEV_ADDRESSES, DEV_KEYS, sendSigned, startTestChain, type Receipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
let counter: DeployedCounter;
let increment: Receipt;

before(async () => {
  chain = await startTestChain();
  counter = await deployCounter(chain.url);
  increment = await counter.increment(4n);
});
after(async () => {
  await chain.close();
});

describe("web3_* / net_*", () => {
  it("identifies the client and hashes with keccak-256", async () => {
    assert.equal(await call(chain.url, "web3_clientVersion"), chain.backend.clientVersion);
    assert.equal(await call(chain.url, "web3_sha3", ["0x68656c6c6f"]), keccak256(toUtf8Bytes("hello")));
    assert.deepEqual(await callError(chain.url, "web3_sha3", ["hello"]), { code: -32602, message: "invalid argument 0: hex string without 0x prefix" });
  });
  it("reports the network id in decimal, listening, and the peer count", async () => {
    assert.equal(await call(chain.url, "net_version"), "31337");
    assert.equal(await call(chain.url, "net_listening"), true);
    assert.equal(await call(chain.url, "net_peerCount"), `0x${chain.backend.peers().length.toString(16)}`);
  });
});

describe("txpool_*", () => {
  it("shows a transaction waiting on a nonce gap as queued, keyed by checksummed sender and decimal nonce", async () => {
    const nonce = Number(BigInt(await call<string>(chain.url, "eth_getTransactionCount", [DEV_ADDRESSES[2], "pending"])));
    const hash = await sendSigned(chain.url, DEV_KEYS[2], { to: DEV_ADDRESSES[0], value: 1n, nonce: nonce + 1 });
    const content = await call<{ pending: Record<string, unknown>; queued: Record<string, Record<string, { hash: string; blockHash: null }>> }>(
      chain.url,
      "txpool_content",
    );
    const queued = content.queued[getAddress(DEV_ADDRESSES[2])]![String(nonce + 1)]!;
    assert.equal(queued.hash, hash);
    assert.equal(queued.blockHash, null);
    const status = await call<{ pending: string; queued: string }>(chain.url, "txpool_status");
    assert.ok(BigInt(status.queued) >= 1n);
    const inspect = await call<{ queued: Record<string, Record<string, string>> }>(chain.url, "txpool_inspect");
    assert.match(inspect.queued[getAddress(DEV_ADDRESSES[2])]![String(nonce + 1)]!, new RegExp(`^${DEV_ADDRESSES[0]}: 1 wei \\+ 21000 gas × \\d+ wei$`));
  });
});

describe("debug_traceTransaction", () => {
  it("returns geth's callTracer frame", async () => {
    const frame = await call<Record<string, unknown>>(chain.url, "debug_traceTransaction", [increment.transactionHash, { tracer: "callTracer" }]);
    assert.equal(frame.type, "CALL");
    assert.equal(frame.from, DEV_ADDRESSES[0]);
    assert.equal(frame.to, counter.address);
    assert.equal(frame.input, counter.iface.encodeFunctionData("increment", [4n]));
    assert.match(frame.gasUsed as string, /^0x[0-9a-f]+$/);
  });
  it("returns struct logs without a tracer, gas figures as numbers as geth does", async () => {
    const trace = await call<{ gas: number; failed: boolean; returnValue: string; structLogs: Record<string, unknown>[] }>(
      chain.url,
      "debug_traceTransaction",
      [increment.transactionHash],
    );
    assert.equal(trace.failed, false);
    assert.equal(typeof trace.gas, "number");
    assert.deepEqual(trace.structLogs[0], { pc: 0, op: "PUSH1", gas: trace.structLogs[0]!.gas, gasCost: 3, depth: 1, stack: [] });
    assert.equal(typeof trace.structLogs[0]!.gas, "number");
    assert.ok(trace.structLogs.some((log) => log.op === "SSTORE"));
  });
  it("refuses unknown tracers and unknown transactions", async () => {
    assert.deepEqual(await callError(chain.url, "debug_traceTransaction", [increment.transactionHash, { tracer: "prestateTracer" }]), {
      code: -32602,
      message: 'invalid argument 1: tracer "prestateTracer" is not supported: use "callTracer", or no tracer for struct logs',
    });
    const unknown = `0x${"42".repeat(32)}`;
    assert.deepEqual(await callError(chain.url, "debug_traceTransaction", [unknown, { tracer: "callTracer" }]), {
      code: -32000,
      message: `transaction ${unknown} not found`,
    });
  });
});

describe("concord_*", () => {
  it("reports consensus status, the validator set and peers", async () => {
    const status = await call<Record<string, string>>(chain.url, "concord_status");
    assert.equal(typeof status.engine, "string");
    assert.match(status.height!, /^0x[0-9a-f]+$/);
    const validators = await call<{ address: string; votingPower: string; stake: string; jailed: boolean }[]>(chain.url, "concord_validators");
    assert.ok(validators.length >= 1);
    assert.match(validators[0]!.address, /^0x[0-9a-f]{40}$/);
    assert.ok(Array.isArray(await call(chain.url, "concord_peers")));
  });
  it("serves the commit certificate of a committed block and null past the head", async () => {
    const certificate = await call<{ height: string; blockHash: string; signatures: unknown[] } | null>(chain.url, "concord_commitCertificate", [increment.blockNumber]);
    assert.notEqual(certificate, null);
    assert.equal(certificate!.height, increment.blockNumber);
    assert.equal(certificate!.blockHash, increment.blockHash);
    assert.equal(await call(chain.url, "concord_commitCertificate", ["0xffffff"]), null);
    assert.equal((await callError(chain.url, "concord_commitCertificate", [])).code, -32602);
  });
});

describe("methods the node does not have", () => {
  it("answers -32601 naming an unknown method", async () => {
    assert.deepEqual(await callError(chain.url, "eth_nonsense", []), { code: -32601, message: "the method eth_nonsense does not exist/is not available" });
  });
  it("answers -32601 to dev methods outside dev mode, saying where they exist", async () => {
    for (const method of ["hardhat_metadata", "hardhat_getAutomine", "evm_snapshot"]) {
      const error = await callError(chain.url, method, []);
      assert.equal(error.code, -32601);
      assert.match(error.message, new RegExp(`^the method ${method} is only available on a single-validator devnet in dev mode`));
    }
  });
});
