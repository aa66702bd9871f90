import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { ValidatorNetwork } from "../../../chain/p2p/validatorNetwork.ts";
import { installYamuxWindowUpdates } from "../../../chain/p2p/yamuxWindowUpdates.ts";

/** Window-update frames (yamux type 1) each stream sends, counted on the library's own frame path. */
function countWindowUpdates(): { count: () => number; stop: () => void } {
  let updates = 0;
  const prototype = YamuxStream.prototype as unknown as { sendWindowUpdate: () => void };
  const patched = prototype.sendWindowUpdate;
  // Count the updates that reach the library's method and actually send (it sends when the window is not full).
  const original = (patched as { original?: () => void }).original ?? patched;
  (patched as { original?: () => void }).original = function (this: { recvWindow: number; recvWindowCapacity: number }) {
    if (this.recvWindowCapacity < this.recvWindow) updates++;
    original.call(this);
  };
  return { count: () => updates, stop: () => ((patched as { original?: () => void }).original = original) };
}

test("the library still has the stream method the half-window rule replaces (a yamux upgrade that changes it fails here)", () => {
  assert.equal(installYamuxWindowUpdates(), true);
  assert.equal(installYamuxWindowUpdates(), true, "idempotent");
  const method = (YamuxStream.prototype as unknown as { sendWindowUpdate: { original?: unknown } }).sendWindowUpdate;
  assert.equal(typeof method.original, "function");
  assert.match(String(method.original), /recvWindowCapacity/, "the replaced method still keeps its receive window in recvWindowCapacity");
});

test("validators' streams send a window update per half window consumed, not per frame, and every message of small and large sends arrives in order", async () => {
  const [a, b] = await Promise.all([0, 1].map(async () => ValidatorNetwork.start({ privateKey: await generateKeyPair("Ed25519"), listen: ["/ip4/127.0.0.1/tcp/0"], peers: [] })));
  const counter = countWindowUpdates();
  try {
    a!.addPeer(b!.addresses()[0]!);
    const received: number[] = [];
    let bytes = 0;
    b!.onMessage((_topic, payload) => {
      received.push(new DataView(payload.buffer, payload.byteOffset).getUint32(0));
      bytes += payload.length;
    });
    const deadline = Date.now() + 15_000;
    while (a!.peers().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // 2,000 vote-sized messages, one per event-loop turn (each its own frame), then 12 MB in 3 MB messages.
    for (let i = 0; i < 2_000; i++) {
      const vote = new Uint8Array(200);
      new DataView(vote.buffer).setUint32(0, i);
      await a!.broadcast("concord/consensus/1", vote);
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 4; i++) {
      const block = new Uint8Array(3 * 1024 * 1024);
      new DataView(block.buffer).setUint32(0, 2_000 + i);
      await a!.broadcast("concord/commits/1", block);
    }
    while (received.length < 2_004 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(received, Array.from({ length: 2_004 }, (_, i) => i), "every message, in order");
    assert.equal(bytes, 2_000 * 200 + 4 * 3 * 1024 * 1024);
    // 12.4 MB through a window of at least 256 KB: a few dozen updates at most. One per frame
    // (the library's own behaviour) would be over 2,000.
    assert.ok(counter.count() > 0, "the window was replenished");
    assert.ok(counter.count() < 200, `${counter.count()} window updates`);
  } finally {
    counter.stop();
    await a!.stop();
    await b!.stop();
  }
});
