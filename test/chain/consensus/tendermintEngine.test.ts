import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { ConcordNode, type NodeOptions } from "../../../chain/node.ts";
import { devAccountKeys, validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { verifyCommitCertificate } from "../../../chain/consensus/commitCertificate.ts";
import { signMessage } from "../../../chain/consensus/messages.ts";
import { encodeMessage } from "../../../chain/consensus/messages.ts";
import { MemoryNetwork } from "./helpers/memoryNetwork.ts";
import { waitForReceipt } from "../rpc/helpers/testChain.ts";
import type { Hex } from "../../../chain/types.ts";

const ETHER = 10n ** 18n;
const keys = validatorKeys(4);
const genesis = defaultGenesisConfig({ validators: keys.map((k) => ({ operator: k.address, signer: k.address, stake: 1000n * ETHER })) });
const [sender] = devAccountKeys(1);
const TIMEOUTS = { propose: 400, prevote: 200, precommit: 200, delta: 100 };

async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the Tendermint engine: four validator nodes in one process", () => {
  let dirs: string[];
  const network = new MemoryNetwork();
  const nodes: (ConcordNode | undefined)[] = [];
  const errors: unknown[] = [];

  const options = (i: number): NodeOptions => ({
    genesis,
    validatorKey: keys[i]!.privateKey,
    dataDir: dirs[i]!,
    rpc: { port: 0 },
    engine: { kind: "tendermint", timeouts: TIMEOUTS, emptyBlockIntervalMs: 100, gossipIntervalMs: 300 },
    network: network.endpoint(`validator-${i}`),
    onError: (error) => errors.push(error),
  });
  const startNode = async (i: number) => {
    network.reconnect(`validator-${i}`);
    const node = new ConcordNode(options(i));
    await node.start();
    nodes[i] = node;
  };
  const stopNode = async (i: number) => {
    network.disconnect(`validator-${i}`);
    await nodes[i]!.stop();
    nodes[i] = undefined;
  };
  const live = () => nodes.filter((n): n is ConcordNode => n !== undefined);

  before(async () => {
    dirs = await Promise.all(keys.map((_, i) => mkdtemp(path.join(tmpdir(), `concord-bft-${i}-`))));
    for (let i = 0; i < 4; i++) await startNode(i);
  });
  after(async () => {
    for (const node of live()) await node.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function transfer(via: ConcordNode): Promise<bigint> {
    const provider = new JsonRpcProvider(via.rpc!.url, 31337, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    const wallet = new Wallet(`0x${Buffer.from(sender!.privateKey).toString("hex")}`, provider);
    const tx = await wallet.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 1n });
    provider.destroy();
    // Our own receipt poll, not tx.wait(): ethers' background poller may still have a request in flight
    // when the provider is destroyed, which then rejects with no handler (an unhandled rejection).
    const receipt = await waitForReceipt(via.rpc!.url, tx.hash);
    assert.equal(receipt.status, "0x1");
    return BigInt(receipt.blockNumber);
  }

  it("agree on every block: a transfer sent to one node is committed, with the same block and a certificate of >2/3 everywhere", async () => {
    const height = await transfer(nodes[1]!);
    await waitFor("every node at the transfer's height", () => live().every((n) => n.backend.latestBlockNumber() >= height));
    const hashes = await Promise.all(live().map(async (n) => `0x${Buffer.from((await n.backend.getBlockByNumber(height))!.hash()).toString("hex")}`));
    assert.equal(new Set(hashes).size, 1, `one block at height ${height}: ${hashes.join(", ")}`);
    const certificate = (await nodes[0]!.backend.commitCertificate(height))!;
    assert.ok(certificate.signatures.length >= 3, `${certificate.signatures.length} signatures`);
    verifyCommitCertificate(certificate, 31337n, { height, blockHash: hashes[0] as Hex }, keys.map((k) => ({ address: k.address.toLowerCase() as Hex, votingPower: 1000n * ETHER })));
  });

  it("drop garbage and messages signed by a non-validator, reporting the sender", async () => {
    const endpoint = network.endpoint("validator-0");
    endpoint.inject(Uint8Array.of(1, 2, 3), "garbage-peer");
    const outsider = devAccountKeys(2)[1]!;
    const vote = signMessage(outsider.privateKey, 31337n, { type: "prevote", height: nodes[0]!.backend.latestBlockNumber() + 1n, round: 0, blockHash: null });
    endpoint.inject(encodeMessage(vote), "outsider-peer");
    await waitFor("both reports", () => network.invalidReports.filter((r) => r.reporter === "validator-0").length >= 2);
    const reasons = network.invalidReports.filter((r) => r.reporter === "validator-0");
    assert.ok(reasons.some((r) => r.from === "garbage-peer" && /malformed consensus message/.test(r.reason)));
    assert.ok(reasons.some((r) => r.from === "outsider-peer" && /is not a validator/.test(r.reason)));
  });

  it("gossip a transaction sent to one node to the others' pools, and report a peer that gossips garbage", async () => {
    // A transaction the pool admits (a future nonce keeps it waiting, so it cannot be committed first).
    const provider = new JsonRpcProvider(nodes[1]!.rpc!.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    const wallet = new Wallet(`0x${Buffer.from(sender!.privateKey).toString("hex")}`, provider);
    const nonce = await provider.getTransactionCount(wallet.address, "pending");
    const raw = await wallet.signTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 1n, nonce: nonce + 5, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 31337n, type: 2 });
    const hash = await provider.send("eth_sendRawTransaction", [raw]);
    provider.destroy();
    await waitFor("the queued transaction at every other node", async () => {
      const seen = await Promise.all([0, 2, 3].map((i) => nodes[i]!.backend.getTransaction(hash)));
      return seen.every((tx) => tx !== undefined && tx !== null) || undefined;
    });
    network.endpoint("validator-2").inject(Uint8Array.of(0xde, 0xad), "gossip-garbage-peer", "concord/transactions/1");
    await waitFor("the garbage reported", () => network.invalidReports.some((r) => r.from === "gossip-garbage-peer" && /gossiped transaction refused/.test(r.reason)) || undefined);
  });

  it("keep committing with one of four validators stopped", async () => {
    await stopNode(3);
    const height = await transfer(nodes[0]!);
    assert.ok(height > 0n);
  });

  it("halt without committing anything with two of four stopped, and resume when they come back", async () => {
    await stopNode(2);
    const before = nodes[0]!.backend.latestBlockNumber();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(nodes[0]!.backend.latestBlockNumber(), before, "no block without >2/3 of the power");
    assert.equal(nodes[1]!.backend.latestBlockNumber(), before);
    // Validator 2 was stopped at the halted height: restarted, it replays its WAL and rejoins.
    await startNode(2);
    const height = await waitFor("a block after the restart", () => (nodes[0]!.backend.latestBlockNumber() > before ? nodes[0]!.backend.latestBlockNumber() : undefined));
    assert.ok(height > before);
    const none = errors.filter((e) => (e as { code?: string }).code === "DOUBLE_SIGN_REFUSED");
    assert.deepEqual(none, [], "no validator tried to sign a conflicting message");
  });
});

describe("the Tendermint engine: a validator that joins an idle network late", () => {
  const network = new MemoryNetwork();
  const nodes: (ConcordNode | undefined)[] = [];
  const errors: unknown[] = [];
  let dirs: string[];

  const startNode = async (i: number) => {
    const node = new ConcordNode({
      genesis,
      validatorKey: keys[i]!.privateKey,
      dataDir: dirs[i]!,
      rpc: { port: 0 },
      // Idle: no empty blocks for a minute, so nothing but its own asking tells the late node it is behind.
      // Short timeouts: until the late validator is back, every fourth height waits out its absent proposer.
      engine: { kind: "tendermint", timeouts: { propose: 150, prevote: 100, precommit: 100, delta: 50 }, emptyBlockIntervalMs: 60_000, gossipIntervalMs: 300 },
      network: network.endpoint(`validator-${i}`),
      onError: (error) => errors.push(error),
    });
    await node.start();
    nodes[i] = node;
  };
  const mine = async (node: ConcordNode, blocks: number) => {
    const response = await fetch(node.rpc!.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [{ blocks: `0x${blocks.toString(16)}` }] }) });
    const answer = (await response.json()) as { result?: string; error?: unknown };
    assert.equal(answer.result, "0x0", JSON.stringify(answer.error));
  };

  before(async () => {
    dirs = await Promise.all(keys.map((_, i) => mkdtemp(path.join(tmpdir(), `concord-late-${i}-`))));
    for (let i = 0; i < 3; i++) await startNode(i); // three of four: more than 2/3 of the power
  });
  after(async () => {
    for (const node of nodes) await node?.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("syncs from genesis in ranges (more blocks than one request carries), then votes with the others", async () => {
    await mine(nodes[0]!, 66);
    const head = nodes[0]!.backend.latestBlockNumber();
    assert.ok(head >= 66n, `head ${head}`);
    await startNode(3);
    await waitFor("the late node at the head", () => (nodes[3]!.backend.latestBlockNumber() >= head ? true : undefined), 30_000);
    const hashOf = async (node: ConcordNode, height: bigint) => Buffer.from((await node.backend.getBlockByNumber(height))!.hash()).toString("hex");
    for (const height of [1n, 64n, 65n, head]) assert.equal(await hashOf(nodes[3]!, height), await hashOf(nodes[0]!, height), `block ${height}`);
    // Now one of the three that were there stops: the chain needs the late node's votes to go on.
    await nodes[0]!.stop();
    nodes[0] = undefined;
    network.disconnect("validator-0");
    await mine(nodes[1]!, 1);
    assert.equal(nodes[3]!.backend.latestBlockNumber(), nodes[1]!.backend.latestBlockNumber());
    assert.ok(nodes[1]!.backend.latestBlockNumber() > head);
    assert.deepEqual(errors.filter((e) => (e as { code?: string }).code === "DOUBLE_SIGN_REFUSED"), []);
  });
});
