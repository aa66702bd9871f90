/**
 * `routing/findprovs` between the devnet's IPFS nodes: which connected peers hold a block.
 *
 * The nodes run no DHT (a devnet's few nodes on loopback are all connected to each other, and a DHT
 * would add its own traffic, timers and failure modes for nothing), so a node asks its connected
 * peers directly over a small request/response protocol: the request is a multihash, the answer one
 * byte (1: held locally, 0: not). A peer that does not speak the protocol, or does not answer within
 * the deadline, is not a provider. Requests are bounded (64 bytes) and one per stream.
 */
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { Blockstore } from "interface-blockstore";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { decode as decodeDigest } from "multiformats/hashes/digest";
import { readAll } from "./streamReading.ts";

export const HAS_BLOCK_PROTOCOL = "/concord/ipfs/has-block/1.0.0";
const MAX_REQUEST_BYTES = 64;
const ANSWER_TIMEOUT_MS = 5_000;

export interface Provider {
  id: PeerId;
  addrs: Multiaddr[];
}

/** Answers other nodes' questions about this node's blocks. */
export async function serveHasBlock(libp2p: Libp2p, local: Blockstore): Promise<void> {
  await libp2p.handle(HAS_BLOCK_PROTOCOL, (stream) => answer(stream, local), { maxInboundStreams: 32, runOnLimitedConnection: false });
}

async function answer(stream: Stream, local: Blockstore): Promise<void> {
  try {
    const request = await readAll(stream, MAX_REQUEST_BYTES);
    let held = false;
    if (request !== undefined) {
      try {
        held = await local.has(CID.createV1(raw.code, decodeDigest(request)));
      } catch {
        held = false; // not a multihash: nothing here is stored under it
      }
    }
    stream.send(Uint8Array.of(held ? 1 : 0));
    await stream.close();
  } catch {
    stream.abort(new Error("has-block request failed"));
  }
}

/** This node first when it holds the block, then every connected peer that says it does. */
export async function* findProviders(libp2p: Libp2p, local: Blockstore, cid: CID, options: { limit: number; signal?: AbortSignal }): AsyncGenerator<Provider> {
  let found = 0;
  if (await local.has(cid)) {
    found++;
    yield { id: libp2p.peerId, addrs: libp2p.getMultiaddrs() };
  }
  const connections = new Map<string, Connection>();
  for (const connection of libp2p.getConnections()) connections.set(connection.remotePeer.toString(), connection);
  const asked = [...connections.values()].map(async (connection) => ((await ask(connection, cid, options.signal)) ? connection : undefined));
  for (const answer of await Promise.all(asked)) {
    if (found >= options.limit) return;
    if (answer === undefined) continue;
    found++;
    yield { id: answer.remotePeer, addrs: [answer.remoteAddr] };
  }
}

async function ask(connection: Connection, cid: CID, signal?: AbortSignal): Promise<boolean> {
  const deadline = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
  const abort = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
  try {
    const stream = await connection.newStream(HAS_BLOCK_PROTOCOL, { signal: abort });
    stream.send(cid.multihash.bytes);
    await stream.close({ signal: abort });
    const reply = await readAll(stream, 1, abort);
    return reply?.length === 1 && reply[0] === 1;
  } catch {
    return false; // does not speak the protocol, went away, or too slow
  }
}

