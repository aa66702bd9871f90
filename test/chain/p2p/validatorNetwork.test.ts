import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { multiaddr } from "@multiformats/multiaddr";
import { JsonRpcProvider, Wallet } from "ethers";
import { CONSENSUS_PROTOCOL, ValidatorNetwork } from "../../../chain/p2p/validatorNetwork.ts";
import { ConcordNode } from "../../../chain/node.ts";
import { devAccountKeys, validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { waitForReceipt } from "../rpc/helpers/testChain.ts";

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function mesh(count: number): Promise<ValidatorNetwork[]> {
  const networks: ValidatorNetwork[] = [];
  for (let i = 0; i < count; i++) networks.push(await ValidatorNetwork.start({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], peers: [] }));
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) networks[i]!.addPeer(networks[j]!.addresses()[0]!);
  await waitFor("a full mesh", () => networks.every((n) => new Set(n.peers().map((p) => p.id)).size === count - 1));
  return networks;
}

describe("the validators' libp2p transport", () => {
  let networks: ValidatorNetwork[];
  before(async () => (networks = await mesh(3)));
  after(async () => {
    for (const network of networks) await network.stop();
  });

  it("delivers a broadcast to every other validator, with its topic and the sender's peer id", async () => {
    const received: { at: number; topic: string; payload: string; from: string }[] = [];
    const unsubscribes = networks.map((network, at) => network.onMessage((topic, payload, from) => received.push({ at, topic, payload: Buffer.from(payload).toString(), from })));
    await networks[0]!.broadcast("concord/consensus/1", Buffer.from("a vote"));
    await networks[0]!.broadcast("concord/commits/1", new Uint8Array(2 * 1024 * 1024).fill(7)); // a block-sized message
    await waitFor("both messages at both peers", () => received.length === 4);
    const from = networks[0]!.peerId.toString();
    assert.deepEqual(received.filter((r) => r.payload === "a vote").map((r) => [r.at, r.topic, r.from]).sort(), [[1, "concord/consensus/1", from], [2, "concord/consensus/1", from]]);
    assert.equal(received.filter((r) => r.topic === "concord/commits/1" && r.payload.length === 2 * 1024 * 1024).length, 2);
    await assert.rejects(networks[0]!.broadcast("gossip/other", Uint8Array.of(1)), /unknown topic/);
    unsubscribes.forEach((unsubscribe) => unsubscribe());
  });

  it("scores down a peer that sends an oversized frame, and bans one that keeps sending invalid messages, while the others keep talking", async () => {
    const attacker = await ValidatorNetwork.start({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], peers: [] });
    try {
      const victim = networks[1]!;
      const stream = await attacker.libp2p.dialProtocol(multiaddr(victim.addresses()[0]!), CONSENSUS_PROTOCOL);
      const header = new Uint8Array(5);
      new DataView(header.buffer).setUint32(0, 0xffffffff); // claims a 4 GB frame
      stream.send(header);
      const attackerId = attacker.peerId.toString();
      await waitFor("the oversized frame to be noticed", () => victim.scoreOf(attackerId) < 0);
      for (let i = 0; i < 5; i++) victim.reportInvalid(attackerId, "bad signature");
      assert.equal(victim.isBanned(attackerId), true);
      await waitFor("the attacker disconnected", () => !victim.peers().some((p) => p.id === attackerId));
      const got: string[] = [];
      const unsubscribe = victim.onMessage((_topic, payload) => got.push(Buffer.from(payload).toString()));
      await networks[0]!.broadcast("concord/consensus/1", Buffer.from("still here"));
      await waitFor("honest traffic", () => got.includes("still here"));
      unsubscribe();
    } finally {
      await attacker.stop();
    }
  });
});

describe("four validator nodes agreeing over libp2p", () => {
  const keys = validatorKeys(4);
  const genesis = defaultGenesisConfig({ validators: keys.map((k) => ({ operator: k.address, signer: k.address, stake: 10n ** 21n })) });
  let dirs: string[];
  let networks: ValidatorNetwork[];
  const nodes: ConcordNode[] = [];
  before(async () => {
    dirs = await Promise.all(keys.map((_, i) => mkdtemp(path.join(tmpdir(), `concord-p2p-${i}-`))));
    networks = await mesh(4);
    for (let i = 0; i < 4; i++) {
      const node = new ConcordNode({
        genesis,
        validatorKey: keys[i]!.privateKey,
        dataDir: dirs[i]!,
        rpc: { port: 0 },
        engine: { kind: "tendermint", timeouts: { propose: 500, prevote: 250, precommit: 250, delta: 100 }, emptyBlockIntervalMs: 200 },
        network: networks[i]!,
      });
      await node.start();
      nodes.push(node);
    }
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    for (const network of networks) await network.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("commit a transfer sent to one of them, the same block on every node", async () => {
    const [sender] = devAccountKeys(1);
    const provider = new JsonRpcProvider(nodes[2]!.rpc!.url, 31337, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    const wallet = new Wallet(`0x${Buffer.from(sender!.privateKey).toString("hex")}`, provider);
    const tx = await wallet.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 1n });
    provider.destroy();
    // Our own receipt poll, not tx.wait(): ethers' background poller may still have a request in flight
    // when the provider is destroyed, which then rejects with no handler (an unhandled rejection).
    const height = BigInt((await waitForReceipt(nodes[2]!.rpc!.url, tx.hash)).blockNumber);
    await waitFor("every node at that height", () => nodes.every((n) => n.backend.latestBlockNumber() >= height));
    const hashes = await Promise.all(nodes.map(async (n) => Buffer.from((await n.backend.getBlockByNumber(height))!.hash()).toString("hex")));
    assert.equal(new Set(hashes).size, 1);
    assert.ok((await nodes[0]!.backend.commitCertificate(height))!.signatures.length >= 3);
    // concord_peers lists the other validators' libp2p connections.
    assert.deepEqual(new Set(nodes[0]!.backend.peers().map((p) => p.id)), new Set(networks.slice(1).map((n) => n.peerId.toString())));
  });
});
