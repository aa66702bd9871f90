/**
 * A WebSocket client that subscribes and never reads: once the node's unsent data for it passes the
 * send-buffer limit, the node closes that connection (1008) instead of growing its memory, and keeps
 * serving everyone else.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { WebSocket } from "ws";
import { call } from "../rpc/helpers/rpcClient.ts";
import { startDevNode } from "./helpers/devNode.ts";

test("a subscriber that stops reading is disconnected at the send-buffer limit, and the node keeps serving", async () => {
  const devnet = await startDevNode({ rpc: { port: 0, maxSendBufferBytes: 256 * 1024 } });
  try {
    const socket = new WebSocket(devnet.node.rpc!.wsUrl);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    const subscribed = new Promise((resolve) => socket.once("message", resolve));
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    await subscribed;
    // From here on the client reads nothing: the kernel's buffers fill, then the node's.
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    let code: number | undefined;
    void closed.then((value) => (code = value));
    for (let round = 0; round < 40 && code === undefined; round++) {
      await call(devnet.url, "hardhat_mine", ["0x3e8"]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The node closed it (the client only sees the close once it reads again).
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const outcome = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve("still open after 40,000 blocks"), 5_000))]);
    assert.equal(outcome, 1008);
    assert.match(await call<string>(devnet.url, "eth_blockNumber"), /^0x[0-9a-f]+$/);
  } finally {
    await devnet.close();
  }
});
