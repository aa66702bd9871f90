import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { create } from "kubo-rpc-client";
import { isIpfsError } from "../../ipfs/errors.ts";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { deterministicBuffer } from "./helpers/deterministicData.ts";

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("nodes exchange blocks over libp2p on loopback", () => {
  let first: IpfsNode;
  let second: IpfsNode;
  let third: IpfsNode;

  before(async () => {
    first = await startIpfsNode({ apiPort: 0, gatewayPort: 0, fetchTimeoutMs: 10_000 });
    second = await startIpfsNode({ apiPort: 0, gatewayPort: 0, peers: first.getMultiaddrs(), fetchTimeoutMs: 10_000 });
    third = await startIpfsNode({ apiPort: 0, gatewayPort: 0, peers: [...first.getMultiaddrs(), ...second.getMultiaddrs()], fetchTimeoutMs: 10_000 });
    await waitFor(() => third.libp2p.getConnections().length >= 2 && second.libp2p.getConnections().length >= 2, 10_000, "the three nodes to connect");
  });
  after(async () => {
    await Promise.all([first.stop(), second.stop(), third.stop()]);
  });

  it("listens on loopback only and advertises its peer id", () => {
    for (const address of first.getMultiaddrs()) assert.match(address, new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${first.peerId}$`));
  });

  it("serves content added on one node from every other node's gateway", async () => {
    const bytes = deterministicBuffer(600 * 1024, "concord-network");
    const { cid } = await create({ url: first.apiUrl }).add(bytes);
    for (const node of [second, third]) {
      const response = await fetch(`${node.gatewayUrl}/ipfs/${cid}`);
      assert.equal(response.status, 200);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
    }
  });

  it("pins on another node by fetching the whole DAG from its peers", async () => {
    const files = await all(create({ url: third.apiUrl }).addAll([
      { path: "shared/a.txt", content: "alpha\n" },
      { path: "shared/b.txt", content: "beta\n" },
    ]));
    const root = files.at(-1)!.cid;
    const other = create({ url: second.apiUrl });
    await other.pin.add(root);
    assert.deepEqual((await all(other.pin.ls({ paths: [root] }))).map((pin) => pin.type), ["recursive"]);
    assert.equal(Buffer.concat(await all(other.cat(`/ipfs/${root}/b.txt`))).toString(), "beta\n");
  });

  it("lists its connected peers", async () => {
    const response = await fetch(`${first.apiUrl}/api/v0/swarm/peers`, { method: "POST" });
    const { Peers } = (await response.json()) as { Peers: Array<{ Peer: string }> };
    assert.deepEqual(Peers.map((peer) => peer.Peer).sort(), [second.peerId, third.peerId].sort());
  });

  it("times out on content no peer has", async () => {
    const quick = await startIpfsNode({ apiPort: 0, gatewayPort: 0, peers: first.getMultiaddrs(), fetchTimeoutMs: 300 });
    try {
      await waitFor(() => quick.libp2p.getConnections().length >= 1, 10_000, "the node to connect");
      const absent = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
      const response = await fetch(`${quick.gatewayUrl}/ipfs/${absent}`);
      assert.equal(response.status, 504);
      assert.equal(await response.text(), `block ${absent} was not found locally and no connected peer sent it within 300 ms\n`);
    } finally {
      await quick.stop();
    }
  });
});

describe("node start-up", () => {
  it("keeps dialing a configured peer until it comes up", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "concord-ipfs-late-"));
    try {
      // Learn the late node's identity and port, then take it down.
      const probe = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
      const address = probe.getMultiaddrs()[0];
      const swarmPort = Number(/\/tcp\/(\d+)\//.exec(address)![1]);
      await probe.stop();

      const early = await startIpfsNode({ apiPort: 0, gatewayPort: 0, peers: [address] });
      const late = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0, swarmPort });
      try {
        assert.equal(late.peerId, probe.peerId);
        await waitFor(() => early.libp2p.getConnections().some((c) => c.remotePeer.toString() === late.peerId), 15_000, "the late peer");
      } finally {
        await Promise.all([early.stop(), late.stop()]);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("says which port is taken and how to choose another", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startIpfsNode({ apiPort: port, gatewayPort: 0 }), (error: unknown) => {
        assert.ok(isIpfsError(error, "IPFS_PORT_IN_USE"));
        assert.equal(
          error.message,
          `cannot start the IPFS RPC API: port ${port} on 127.0.0.1 is already in use (another IPFS node or Kubo daemon?). Stop that process or choose another port with the apiPort option (0 picks a free one).`,
        );
        assert.deepEqual(error.details, { port, host: "127.0.0.1", option: "apiPort" });
        return true;
      });
      await assert.rejects(startIpfsNode({ apiPort: 0, gatewayPort: port }), { code: "IPFS_PORT_IN_USE", details: { port, host: "127.0.0.1", option: "gatewayPort" } });
    } finally {
      blocker.close();
    }
  });

  it("refuses a host other than loopback and malformed options", async () => {
    await assert.rejects(startIpfsNode({ host: "0.0.0.0" as "127.0.0.1" }), {
      code: "IPFS_INVALID_OPTIONS",
      message: "host must be 127.0.0.1: the RPC API has no authentication and is served on loopback only",
    });
    await assert.rejects(startIpfsNode({ apiPort: 70_000 }), { code: "IPFS_INVALID_OPTIONS", message: "apiPort must be an integer from 0 to 65535, got 70000" });
    await assert.rejects(startIpfsNode({ maxUploadBytes: 0 }), { code: "IPFS_INVALID_OPTIONS", message: "maxUploadBytes must be a positive integer, got 0" });
    await assert.rejects(startIpfsNode({ peers: ["not a multiaddr"] }), (error: unknown) => isIpfsError(error, "IPFS_INVALID_OPTIONS"));
  });

  it("stops idempotently and frees its ports", async () => {
    const node = await startIpfsNode({ apiPort: 0, gatewayPort: 0 });
    const apiPort = Number(new URL(node.apiUrl).port);
    await Promise.all([node.stop(), node.stop()]);
    const again = await startIpfsNode({ apiPort, gatewayPort: 0 });
    await again.stop();
  });
});
