import type { Helia } from "@helia/interface";
import type { AbortOptions, Libp2p } from "@libp2p/interface";
import type { Blockstore } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { IpfsError } from "./errors.ts";

/**
 * Reads blocks local-first, then from connected peers over bitswap with a deadline. Without any
 * connected peer a missing block can never arrive, so that case fails at once with Kubo's offline
 * message instead of hanging until the deadline.
 */
export class BlockFetcher implements Pick<Blockstore, "get"> {
  readonly #helia: Helia;
  readonly #libp2p: Libp2p;
  readonly #local: Blockstore;
  readonly #timeoutMs: number;

  constructor(helia: Helia, libp2p: Libp2p, local: Blockstore, timeoutMs: number) {
    this.#helia = helia;
    this.#libp2p = libp2p;
    this.#local = local;
    this.#timeoutMs = timeoutMs;
  }

  async hasLocally(cid: CID): Promise<boolean> {
    return this.#local.has(cid);
  }

  async *get(cid: CID, options: AbortOptions = {}): AsyncGenerator<Uint8Array> {
    if (await this.#local.has(cid)) {
      yield* this.#helia.blockstore.get(cid, { ...options, offline: true });
      return;
    }
    if (this.#libp2p.getConnections().length === 0) {
      throw new IpfsError("IPFS_BLOCK_NOT_FOUND", `block was not found locally (offline): ipld: could not find ${cid}`, {
        cid: cid.toString(),
      });
    }
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const signal = options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]);
    try {
      yield* this.#helia.blockstore.get(cid, { signal });
    } catch (error) {
      if (deadline.aborted && options.signal?.aborted !== true) {
        throw new IpfsError(
          "IPFS_TIMEOUT",
          `block ${cid} was not found locally and no connected peer sent it within ${this.#timeoutMs} ms`,
          { cid: cid.toString(), timeoutMs: this.#timeoutMs },
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Reads a block as one buffer: the shape file and DAG readers take. */
  readonly read = (cid: CID, options: AbortOptions = {}): Promise<Uint8Array> => this.getBytes(cid, options);

  /** The whole block as one buffer. */
  async getBytes(cid: CID, options: AbortOptions = {}): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const part of this.get(cid, options)) parts.push(part);
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
