/**
 * Notes when each new block reaches a client: an `eth_subscribe("newHeads")` WebSocket subscription,
 * which both Hardhat's node and Concord push as soon as a block is committed (its receipts readable).
 *
 * A push costs the node one small message per block and the client nothing between blocks; a
 * polling follower (eth_blockNumber every millisecond) loads both sides with ~1,000 requests/s
 * and adds up to a poll interval to every measured latency.
 */
import { WebSocket } from "ws";

export class HeadSubscription {
  /** Block number -> performance.now() at which its head notification arrived. */
  readonly arrivals = new Map<bigint, number>();
  /** Highest block number notified so far (-1 before the first). */
  latest = -1n;
  private listener: ((number: bigint) => void) | undefined;

  private constructor(private readonly socket: WebSocket) {}

  static async open(wsUrl: string): Promise<HeadSubscription> {
    const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const heads = new HeadSubscription(socket);
    const subscribed = new Promise<void>((resolve, reject) => {
      socket.on("message", (data: Buffer) => {
        const now = performance.now();
        const message = JSON.parse(data.toString("utf8"));
        if (message.method === "eth_subscription") {
          const number = BigInt(message.params.result.number);
          heads.arrivals.set(number, now);
          if (number > heads.latest) heads.latest = number;
          heads.listener?.(number);
        } else if (message.id === 1) {
          if (message.error !== undefined) reject(new Error(`eth_subscribe: ${message.error.message}`));
          else resolve();
        }
      });
    });
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    await subscribed;
    return heads;
  }

  /** Called on every head notification (one listener at a time). */
  onHead(listener: ((number: bigint) => void) | undefined): void {
    this.listener = listener;
  }

  close(): void {
    this.socket.terminate();
  }
}
