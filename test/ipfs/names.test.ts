/**
 * IPNS between the devnet's nodes through kubo-rpc-client: a name published on one node resolves on
 * the others, newer records win, and what is not a valid record of the name is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { create } from "kubo-rpc-client";
import { base36 } from "multiformats/bases/base36";
import { createIpnsRecord, verifyIpnsRecord } from "../../ipfs/ipnsRecord.ts";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const resolve = async (node: IpfsNode, name: string) => (await all(create({ url: node.apiUrl }).name.resolve(name)))[0];

describe("name/publish and name/resolve", () => {
  let first: IpfsNode;
  let second: IpfsNode;

  before(async () => {
    first = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0 });
    second = await startIpfsNode({ apiPort: 0, gatewayPort: 0, swarmPort: 0, peers: first.getMultiaddrs() });
    await waitFor(() => second.libp2p.getConnections().length >= 1, 10_000, "the nodes to connect");
  });
  after(async () => {
    await Promise.all([first.stop(), second.stop()]);
  });

  it("publishes under the node's key and resolves on the other node; a newer record wins", async () => {
    const ipfs = create({ url: first.apiUrl });
    const v1 = (await ipfs.add(new TextEncoder().encode("profile v1"))).cid;
    const published = await ipfs.name.publish(`/ipfs/${v1}`);
    assert.equal(published.name, first.libp2p.peerId.toCID().toString(base36), "the name is the node's key, as Kubo prints it");
    assert.equal(published.value, `/ipfs/${v1}`);
    assert.equal(await resolve(second, `/ipns/${published.name}`), `/ipfs/${v1}`);

    const v2 = (await ipfs.add(new TextEncoder().encode("profile v2"))).cid;
    await ipfs.name.publish(v2.toString());
    assert.equal(await resolve(second, published.name), `/ipfs/${v2}`);
    assert.equal(await resolve(first, first.peerId), `/ipfs/${v2}`, "the peer id form resolves too");
  });

  it("refuses unknown names, other keys and bad durations", async () => {
    const stranger = peerIdFromPrivateKey(await generateKeyPair("Ed25519")).toCID().toString(base36);
    await assert.rejects(resolve(second, stranger), /could not resolve name: no valid record/);
    await assert.rejects(resolve(second, "not-a-name"), /invalid IPNS name "not-a-name"/);
    const ipfs = create({ url: first.apiUrl });
    const { cid } = await ipfs.add(new TextEncoder().encode("x"));
    await assert.rejects(ipfs.name.publish(cid, { key: "other" }), /no key named other/);
    await assert.rejects(ipfs.name.publish(cid, { lifetime: "forever" }), /invalid lifetime "forever"/);
  });

  it("a record verifies only against its own key and only before it expires", async () => {
    const key = await generateKeyPair("Ed25519");
    const other = await generateKeyPair("Ed25519");
    const record = await createIpnsRecord(key, { value: "/ipfs/bafkqaaa", validity: new Date(Date.now() + 60_000), sequence: 3n, ttlNs: 1n });
    assert.deepEqual((await verifyIpnsRecord(record, key.publicKey)).sequence, 3n);
    await assert.rejects(verifyIpnsRecord(record, other.publicKey), /signature does not match/);
    await assert.rejects(verifyIpnsRecord(record, key.publicKey, new Date(Date.now() + 120_000)), /record expired/);
    const tampered = Uint8Array.from(record);
    tampered[tampered.length - 3] ^= 0xff;
    await assert.rejects(verifyIpnsRecord(tampered, key.publicKey));
  });
});
