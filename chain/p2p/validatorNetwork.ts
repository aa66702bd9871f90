/**
 * The validators' transport over libp2p (TCP, noise, yamux, identify): consensus messages go over
 * direct streams to every connected validator peer (measured here: a signed 4-node round in ~2.6 ms,
 * against ~8 ms over gossipsub, which signs and verifies every copy; TOOLCHAIN.md).
 *
 * Wire, on the protocol /concord/consensus/1: one long-lived stream per peer and direction, carrying
 * frames  length (u32 BE) ‖ topic (u8) ‖ payload. Only the topics in TOPICS exist; a frame longer than
 * `maxFrameBytes`, an unknown topic or a broken frame closes the stream and scores the peer down.
 * Outbound frames wait in a bounded per-peer queue (the oldest is dropped when a slow peer lets it
 * fill: engines re-send what matters), so nothing a peer does can grow this node's memory without
 * bound. What the consensus engine finds invalid (bad signature, not a validator) comes back through
 * `reportInvalid`; a peer whose score falls to the limit is disconnected and refused for a while.
 *
 * A validator's transport identity (its libp2p peer id, an Ed25519 key kept in its data directory) is
 * separate from its signing key. Peers are static: the addresses of the other validators, dialled
 * until they answer and redialled after a disconnect.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { identify } from "@libp2p/identify";
import type { Connection, Libp2p, PeerId, PrivateKey, Stream } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import type { ConsensusNetwork } from "../consensus/engine.ts";
import { keepDialing } from "../../lib/p2p/peerDialer.ts";
import { installYamuxWindowUpdates } from "./yamuxWindowUpdates.ts";

export const CONSENSUS_PROTOCOL = "/concord/consensus/1";
/** The topics the wire carries, by their byte. */
export const TOPICS = ["concord/consensus/1", "concord/commits/1", "concord/transactions/1", "concord/wake/1"] as const;

const HEADER_BYTES = 5;
/** Queued frames joined into one send up to this size (a larger frame goes alone). */
const MAX_SEND_BYTES = 1024 * 1024;
const INVALID_PENALTY = 10;
const BAN_SCORE = -50;
const BAN_MS = 60_000;

export interface ValidatorNetworkOptions {
  /** The transport identity (loadOrCreatePeerKey in lib/p2p/peerKey.ts keeps it in the data directory). */
  privateKey: PrivateKey;
  /** Where to listen, e.g. /ip4/127.0.0.1/tcp/0. */
  listen: string[];
  /** Addresses other nodes should dial (a machine behind NAT announces its public one). */
  announce?: string[];
  /** The other validators, as multiaddrs ending in /p2p/<peer id>. */
  peers: string[];
  /** Largest frame accepted or sent (a proposal carries a block): 9 MiB. */
  maxFrameBytes?: number;
  /** Frames waiting for one slow peer before the oldest is dropped. */
  maxQueuedFrames?: number;
}

type Listener = (topic: string, payload: Uint8Array, from: string) => void;

interface Outbound {
  stream: Stream | undefined;
  opening: Promise<Stream | undefined> | undefined;
  queue: Uint8Array[];
  flushing: boolean;
  /** A flush is due on the next turn of the event loop. */
  scheduled: boolean;
}

export class ValidatorNetwork implements ConsensusNetwork {
  private readonly listeners = new Set<Listener>();
  private readonly outbound = new Map<string, Outbound>();
  private readonly scores = new Map<string, number>();
  private readonly bannedUntil = new Map<string, number>();
  private readonly dialing = new AbortController();
  private readonly maxFrameBytes: number;
  private readonly maxQueuedFrames: number;

  private constructor(
    readonly libp2p: Libp2p,
    options: ValidatorNetworkOptions,
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? 9 * 1024 * 1024;
    this.maxQueuedFrames = options.maxQueuedFrames ?? 1024;
  }

  static async start(options: ValidatorNetworkOptions): Promise<ValidatorNetwork> {
    if (!installYamuxWindowUpdates()) {
      throw new Error("@chainsafe/libp2p-yamux no longer has YamuxStream.prototype.sendWindowUpdate: re-read chain/p2p/yamuxWindowUpdates.ts against the installed version");
    }
    const libp2p = await createLibp2p({
      privateKey: options.privateKey,
      addresses: { listen: options.listen, announce: options.announce ?? [] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      services: { identify: identify() },
      // A devnet runs every validator on one host: the default of 5 inbound connections/s per host
      // would refuse some of them at start-up.
      connectionManager: { inboundConnectionThreshold: 100 },
    });
    const network = new ValidatorNetwork(libp2p, options);
    await libp2p.handle(CONSENSUS_PROTOCOL, (stream, connection) => network.readFrom(stream, connection), { maxInboundStreams: 4, runOnLimitedConnection: false });
    libp2p.addEventListener("connection:open", (event) => {
      const peer = event.detail.remotePeer.toString();
      if ((network.bannedUntil.get(peer) ?? 0) > Date.now()) void event.detail.close().catch(() => {});
    });
    libp2p.addEventListener("peer:disconnect", (event) => network.outbound.delete(event.detail.toString()));
    for (const peer of options.peers) keepDialing(libp2p, multiaddr(peer), network.dialing.signal);
    return network;
  }

  /** Adds a static peer (a multiaddr ending in /p2p/<peer id>), dialled until it answers. */
  addPeer(address: string): void {
    keepDialing(this.libp2p, multiaddr(address), this.dialing.signal);
  }

  /** This node's peer id and the addresses others can dial (with /p2p/<id>). */
  get peerId(): PeerId {
    return this.libp2p.peerId;
  }

  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map(String);
  }

  async broadcast(topic: string, payload: Uint8Array): Promise<void> {
    const frame = this.frame(topic, payload);
    for (const peer of this.connectedPeers()) this.send(peer, frame);
  }

  sendTo(peer: string, topic: string, payload: Uint8Array): void {
    if (this.connectedPeers().includes(peer)) this.send(peer, this.frame(topic, payload));
  }

  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  peers(): { id: string; address: string }[] {
    return this.libp2p.getConnections().map((connection) => ({ id: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }));
  }

  reportInvalid(from: string, _reason: string): void {
    const score = (this.scores.get(from) ?? 0) - INVALID_PENALTY;
    this.scores.set(from, score);
    if (score <= BAN_SCORE) {
      this.bannedUntil.set(from, Date.now() + BAN_MS);
      this.scores.delete(from);
      for (const connection of this.libp2p.getConnections()) {
        if (connection.remotePeer.toString() === from) void connection.close().catch(() => {});
      }
    }
  }

  /** The peer's score (0: nothing held against it); for status and tests. */
  scoreOf(peer: string): number {
    return this.scores.get(peer) ?? 0;
  }

  isBanned(peer: string): boolean {
    return (this.bannedUntil.get(peer) ?? 0) > Date.now();
  }

  async stop(): Promise<void> {
    this.dialing.abort();
    await this.libp2p.stop();
  }

  // ---- outbound ----

  private frame(topic: string, payload: Uint8Array): Uint8Array {
    const index = TOPICS.indexOf(topic as (typeof TOPICS)[number]);
    if (index === -1) throw new RangeError(`unknown topic ${topic}`);
    if (payload.length + 1 > this.maxFrameBytes) throw new RangeError(`a ${payload.length}-byte message is above the ${this.maxFrameBytes}-byte frame limit`);
    const frame = new Uint8Array(HEADER_BYTES + payload.length);
    new DataView(frame.buffer).setUint32(0, payload.length + 1);
    frame[4] = index;
    frame.set(payload, HEADER_BYTES);
    return frame;
  }

  private connectedPeers(): string[] {
    return [...new Set(this.libp2p.getConnections().map((connection) => connection.remotePeer.toString()))];
  }

  private send(peer: string, frame: Uint8Array): void {
    let outbound = this.outbound.get(peer);
    if (outbound === undefined) this.outbound.set(peer, (outbound = { stream: undefined, opening: undefined, queue: [], flushing: false, scheduled: false }));
    outbound.queue.push(frame);
    if (outbound.queue.length > this.maxQueuedFrames) outbound.queue.shift();
    // Sent after this turn of the event loop: what else is sent to this peer in the same turn (the
    // votes and transactions of requests read in one poll) goes in the same write.
    if (outbound.scheduled) return;
    outbound.scheduled = true;
    setImmediate(() => {
      outbound.scheduled = false;
      void this.flush(peer, outbound);
    });
  }

  private async flush(peer: string, outbound: Outbound): Promise<void> {
    if (outbound.flushing) return;
    outbound.flushing = true;
    try {
      while (outbound.queue.length > 0) {
        const stream = await this.streamTo(peer, outbound);
        if (stream === undefined) return; // not reachable now: frames wait (bounded) for the next send
        // Everything queued goes in one send: frames are length-prefixed, so the reader splits them
        // again, and under load one encrypted write replaces a dozen (each a syscall and a noise frame).
        let count = 1;
        for (let bytes = outbound.queue[0]!.length; count < outbound.queue.length && bytes + outbound.queue[count]!.length <= MAX_SEND_BYTES; count++) bytes += outbound.queue[count]!.length;
        const frames = outbound.queue.splice(0, count);
        const bytes = frames.length === 1 ? frames[0]! : concatAll(frames);
        try {
          if (!stream.send(bytes)) await stream.onDrain();
        } catch {
          outbound.stream = undefined; // a broken stream: open another next time
        }
      }
    } finally {
      outbound.flushing = false;
    }
  }

  private async streamTo(peer: string, outbound: Outbound): Promise<Stream | undefined> {
    if (outbound.stream !== undefined && outbound.stream.status === "open") return outbound.stream;
    outbound.opening ??= (async () => {
      try {
        const connection = this.libp2p.getConnections().find((c) => c.remotePeer.toString() === peer);
        if (connection === undefined) return undefined;
        return await connection.newStream(CONSENSUS_PROTOCOL);
      } catch {
        return undefined;
      }
    })();
    outbound.stream = await outbound.opening;
    outbound.opening = undefined;
    return outbound.stream;
  }

  // ---- inbound ----

  private async readFrom(stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer.toString();
    let buffer: Uint8Array = new Uint8Array(0);
    try {
      for await (const chunk of stream) {
        const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
        buffer = buffer.length === 0 ? bytes : concat(buffer, bytes);
        while (buffer.length >= HEADER_BYTES) {
          const length = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength).getUint32(0);
          if (length === 0 || length > this.maxFrameBytes) {
            this.reportInvalid(from, `frame of ${length} bytes (limit ${this.maxFrameBytes})`);
            stream.abort(new Error("oversized frame"));
            return;
          }
          if (buffer.length < 4 + length) break;
          const topicByte = buffer[4]!;
          const topic = TOPICS[topicByte];
          // A plain Uint8Array copy: chunks off a socket are Node Buffers, and a Buffer (or a view
          // of one) serialises as {type, data} in JSON, which the consensus WAL once recorded.
          const payload = new Uint8Array(buffer.subarray(HEADER_BYTES, 4 + length));
          buffer = buffer.subarray(4 + length);
          if (topic === undefined) {
            this.reportInvalid(from, `unknown topic ${topicByte}`);
            stream.abort(new Error("unknown topic"));
            return;
          }
          for (const listener of this.listeners) listener(topic, payload, from);
        }
      }
    } catch {
      // The peer went away mid-stream; its next stream starts clean.
    }
  }
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
