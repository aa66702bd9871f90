/** `routing/findprovs` between connected nodes, through kubo-rpc-client's routing.findProvs. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { create } from "kubo-rpc-client";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const providersOf = async (node: IpfsNode, cid: string, options: { numProviders?: number } = {}) => {
  const events = await all(create({ url: node.apiUrl }).routing.findProvs(cid, options));
  return events.flatMap((event) => (event.name === "PROVIDER" ? event.providers.map((provider) => provider.id.toString()) : []));
};

describe("routing/findprovs between the devnet's nodes", () => {
  let first: IpfsNode;
  let second: IpfsNode;
  let third: IpfsNode;

  before(async () => {
    first = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0 });
    second = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0, peers: first.getMultiaddrs() });
    third = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0, peers: [...first.getMultiaddrs(), ...second.getMultiaddrs()] });
    await waitFor(() => third.libp2p.getConnections().length >= 2, 10_000, "the nodes to connect");
  });
  after(async () => {
    await Promise.all([first.stop(), second.stop(), third.stop()]);
  });

  it("finds the connected nodes that hold a block, and only those", async () => {
    const { cid } = await create({ url: first.apiUrl }).add(new TextEncoder().encode("held by the first node only\n"));
    assert.deepEqual(await providersOf(third, cid.toString()), [first.peerId]);
    // The second node fetches it (and so holds it): now two providers, the asking node's own first when it has it.
    await all(create({ url: second.apiUrl }).cat(cid));
    assert.deepEqual((await providersOf(third, cid.toString())).sort(), [first.peerId, second.peerId].sort());
    assert.deepEqual(await providersOf(second, cid.toString(), { numProviders: 1 }), [second.peerId]);
  });

  it("finds no provider for a block nobody holds, and refuses a bad count", async () => {
    const nobody = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
    assert.deepEqual(await providersOf(third, nobody), []);
    await assert.rejects(all(create({ url: third.apiUrl }).routing.findProvs(nobody, { numProviders: 0 })), /number of providers must be greater than 0/);
  });
});
