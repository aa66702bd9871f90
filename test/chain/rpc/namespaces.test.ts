/** web3_*, net_*, txpool_*, debug_traceTransaction, concord_*, and methods the node does not have. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import { validatorKeys } from "../../../chain/execution/devAccounts.ts";
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
    const count = (byAccount: Record<string, unknown>) => Object.values(byAccount).reduce<number>((n, byNonce) => n + Object.keys(byNonce as object).length, 0);
    assert.deepEqual(status, { pending: `0x${count(content.pending).toString(16)}`, queued: "0x1" });
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
    assert.equal(frame.gasUsed, increment.gasUsed, "the top frame's gas is the transaction's");
    assert.equal(frame.value, "0x0");
    assert.equal(frame.output, "0x");
  });
  it("returns struct logs without a tracer, gas figures as numbers as geth does", async () => {
    const trace = await call<{ gas: number; failed: boolean; returnValue: string; structLogs: Record<string, unknown>[] }>(
      chain.url,
      "debug_traceTransaction",
      [increment.transactionHash],
    );
    assert.equal(trace.failed, false);
    assert.equal(trace.gas, Number(BigInt(increment.gasUsed)));
    assert.equal(trace.returnValue, "0x"); // increment returns nothing
    assert.deepEqual(trace.structLogs[0], { pc: 0, op: "PUSH1", gas: trace.structLogs[0]!.gas, gasCost: 3, depth: 1, stack: [] });
    assert.equal(typeof trace.structLogs[0]!.gas, "number");
    assert.ok(trace.structLogs.some((log) => log.op === "SSTORE"));
  });
  it("refuses unknown tracers and unknown transactions", async () => {
    assert.deepEqual(await callError(chain.url, "debug_traceTransaction", [increment.transactionHash, { tracer: "4byteTracer" }]), {
      code: -32602,
      message: 'invalid argument 1: tracer "4byteTracer" is not supported: use "callTracer", "prestateTracer", or no tracer for struct logs (JavaScript tracers are not)',
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
    const validator = validatorKeys(1)[0]!.address;
    const stake = `0x${(1_000n * 10n ** 18n).toString(16)}`; // startNodeForRpcTests' genesis stake
    const status = await call<Record<string, string>>(chain.url, "concord_status");
    // The height being decided is the one after the latest block (read in the same answer).
    assert.deepEqual(status, {
      engine: "single-validator",
      height: `0x${(BigInt(status.latestBlock!) + 1n).toString(16)}`,
      round: "0x0",
      step: status.step,
      proposer: validator,
      validators: "0x1",
      peers: "0x0",
      latestBlock: status.latestBlock,
    });
    assert.ok(["idle", "building", "committing"].includes(status.step!), status.step);
    assert.ok(BigInt(status.latestBlock!) >= BigInt(increment.blockNumber));
    assert.deepEqual(await call(chain.url, "concord_validators"), [{ address: validator, votingPower: stake, stake, jailed: false }]);
    assert.deepEqual(await call(chain.url, "concord_peers"), []);
  });
  it("serves the commit certificate of a committed block and null past the head", async () => {
    const certificate = await call<{ height: string; round: string; blockHash: string; signatures: { validator: string; signature: string }[] } | null>(
      chain.url,
      "concord_commitCertificate",
      [increment.blockNumber],
    );
    assert.notEqual(certificate, null);
    assert.equal(certificate!.height, increment.blockNumber);
    assert.equal(certificate!.round, "0x0");
    assert.equal(certificate!.blockHash, increment.blockHash);
    assert.deepEqual(certificate!.signatures.map((s) => s.validator), [validatorKeys(1)[0]!.address], "signed by the one validator");
    assert.match(certificate!.signatures[0]!.signature, /^0x[0-9a-f]{130}$/);
    assert.equal(await call(chain.url, "concord_commitCertificate", ["0xffffff"]), null);
    assert.deepEqual(await callError(chain.url, "concord_commitCertificate", []), { code: -32602, message: "missing value for required argument 0" });
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
