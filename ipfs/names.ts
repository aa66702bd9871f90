/**
 * IPNS for the devnet's IPFS nodes (`name/publish`, `name/resolve`): a node publishes records signed
 * by its own libp2p key (Kubo's "self"); any node resolves a name from its own store and from its
 * connected peers, which it asks directly over `/concord/ipfs/ipns/1.0.0` (there is no DHT on the
 * devnet: see providerQuery.ts). Every record is verified against the name's key, the newest valid one
 * (highest sequence) wins and is kept, so a name stays resolvable after its publisher goes away.
 */
import type { Libp2p, PeerId, PrivateKey, Stream } from "@libp2p/interface";
import { peerIdFromCID, peerIdFromString } from "@libp2p/peer-id";
import { type Datastore, Key } from "interface-datastore";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { IpfsError } from "./errors.ts";
import { readAll } from "./streamReading.ts";
import { createIpnsRecord, MAX_RECORD_BYTES, verifyIpnsRecord, type IpnsRecord } from "./ipnsRecord.ts";

export const IPNS_PROTOCOL = "/concord/ipfs/ipns/1.0.0";
const ANSWER_TIMEOUT_MS = 5_000;
const MAX_RECURSION = 32;

export class NameService {
  private constructor(
    private readonly libp2p: Libp2p,
    private readonly datastore: Datastore,
    private readonly key: PrivateKey,
  ) {}

  /** Starts answering peers' questions for the records this node holds. */
  static async start(libp2p: Libp2p, datastore: Datastore, key: PrivateKey): Promise<NameService> {
    const service = new NameService(libp2p, datastore, key);
    await libp2p.handle(IPNS_PROTOCOL, (stream) => service.#answer(stream), { maxInboundStreams: 32, runOnLimitedConnection: false });
    return service;
  }

  /** The node's own name, as Kubo prints it (a base36 libp2p-key CID). */
  get selfName(): string {
    return this.libp2p.peerId.toCID().toString(base36);
  }

  async publish(value: string, options: { lifetimeMs: number; ttlMs: number }): Promise<{ name: string; value: string }> {
    const peerId = this.libp2p.peerId;
    const previous = await this.#stored(peerId);
    const sequence = previous === undefined ? 0n : (await this.#verifyOrUndefined(previous, peerId))?.sequence ?? -1n;
    const record: IpnsRecord = {
      value,
      validity: new Date(Date.now() + options.lifetimeMs),
      sequence: sequence + 1n,
      ttlNs: BigInt(options.ttlMs) * 1_000_000n,
    };
    await this.datastore.put(recordKey(peerId), await createIpnsRecord(this.key, record));
    return { name: this.selfName, value };
  }

  /** The path `name` points to, following /ipns/ values when `recursive`. */
  async resolve(name: string, options: { recursive: boolean; signal?: AbortSignal }): Promise<string> {
    let current = name;
    for (let depth = 0; depth < MAX_RECURSION; depth++) {
      const value = await this.#resolveOnce(current, options.signal);
      if (!options.recursive || !value.startsWith("/ipns/")) return value;
      current = value;
    }
    throw new IpfsError("IPFS_INVALID_ARGUMENT", `could not resolve name: more than ${MAX_RECURSION} levels of /ipns/ indirection`, { name });
  }

  async #resolveOnce(name: string, signal?: AbortSignal): Promise<string> {
    const peerId = parseName(name);
    const candidates = [await this.#stored(peerId), ...(await Promise.all(this.libp2p.getConnections().map((connection) => this.#ask(connection.newStream.bind(connection), peerId, signal))))];
    let best: { bytes: Uint8Array; record: IpnsRecord } | undefined;
    for (const bytes of candidates) {
      if (bytes === undefined) continue;
      const record = await this.#verifyOrUndefined(bytes, peerId);
      if (record !== undefined && (best === undefined || record.sequence > best.record.sequence)) best = { bytes, record };
    }
    if (best === undefined) throw new IpfsError("IPFS_PATH_NOT_FOUND", `could not resolve name: no valid record for ${name} here or at the connected nodes`, { name });
    // Kept, so the name resolves here even when no node that had it is connected any more.
    await this.datastore.put(recordKey(peerId), best.bytes);
    return best.record.value;
  }

  async #verifyOrUndefined(bytes: Uint8Array, peerId: PeerId): Promise<IpnsRecord | undefined> {
    if (peerId.publicKey === undefined) return undefined;
    try {
      return await verifyIpnsRecord(bytes, peerId.publicKey);
    } catch {
      return undefined; // expired, forged or garbled: as if absent
    }
  }

  async #stored(peerId: PeerId): Promise<Uint8Array | undefined> {
    try {
      return await this.datastore.get(recordKey(peerId));
    } catch {
      return undefined;
    }
  }

  async #answer(stream: Stream): Promise<void> {
    try {
      const request = await readAll(stream, 128);
      let record: Uint8Array | undefined;
      if (request !== undefined) {
        try {
          record = await this.#stored(peerIdFromString(new TextDecoder().decode(request)));
        } catch {
          record = undefined;
        }
      }
      if (record !== undefined) stream.send(record);
      await stream.close();
    } catch {
      stream.abort(new Error("ipns request failed"));
    }
  }

  async #ask(open: (protocol: string, options: { signal: AbortSignal }) => Promise<Stream>, peerId: PeerId, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const deadline = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
    const abort = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    try {
      const stream = await open(IPNS_PROTOCOL, { signal: abort });
      stream.send(new TextEncoder().encode(peerId.toString()));
      await stream.close({ signal: abort });
      const answer = await readAll(stream, MAX_RECORD_BYTES, abort);
      return answer === undefined || answer.length === 0 ? undefined : answer;
    } catch {
      return undefined; // does not speak the protocol, went away, or too slow
    }
  }
}

/** "/ipns/k51...", "k51...", "12D3Koo..." or a libp2p-key CID: the peer whose key signs the name. */
function parseName(name: string): PeerId {
  const text = name.startsWith("/ipns/") ? name.slice("/ipns/".length).split("/")[0]! : name;
  let peerId: PeerId;
  try {
    peerId = text.startsWith("k") ? peerIdFromCID(CID.parse(text, base36)) : peerIdFromString(text);
  } catch {
    throw new IpfsError("IPFS_INVALID_PATH", `invalid IPNS name "${text}": want a libp2p key (k51..., 12D3Koo...)`, { name });
  }
  if (peerId.publicKey === undefined) throw new IpfsError("IPFS_INVALID_PATH", `IPNS name ${text} does not carry its public key (only Ed25519 and secp256k1 keys are resolvable here)`, { name });
  return peerId;
}

function recordKey(peerId: PeerId): Key {
  return new Key(`/concord/ipns/${peerId.toString()}`);
}
