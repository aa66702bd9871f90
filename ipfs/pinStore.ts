import type { GraphWalkerFactory, Helia, Pin } from "@helia/interface";
import { createUnsafe } from "multiformats/block";
import { CID } from "multiformats/cid";
import { equals as uint8ArrayEquals } from "uint8arrays/equals";
import type { BlockFetcher } from "./blockFetcher.ts";
import { walkDag } from "./dagWalker.ts";
import { IpfsError } from "./errors.ts";

export type PinKind = "recursive" | "direct";
export type PinListType = PinKind | "indirect" | "all";

export interface PinRecord {
  cid: CID;
  type: PinKind | "indirect";
  name: string;
}

export interface PinStatus {
  type: PinKind | "indirect";
  /** For an indirect pin: the recursive pin whose DAG holds the block. */
  via?: CID;
}

/**
 * Kubo's pinning semantics (boxo dspinner) on top of Helia's pin store: re-pinning is idempotent,
 * a direct pin upgrades to recursive, and pins are listed under the CID they were made with
 * (Helia keys them by CIDv1, Kubo prints the CIDv0 a user pinned).
 */
export class PinStore {
  readonly #helia: Helia;
  readonly #blocks: BlockFetcher;

  constructor(helia: Helia, blocks: BlockFetcher) {
    this.#helia = helia;
    this.#blocks = blocks;
  }

  async add(cid: CID, options: { recursive: boolean; name?: string; signal?: AbortSignal }): Promise<void> {
    const existing = await this.#find(cid);
    const name = options.name ?? (existing === undefined ? "" : nameOf(existing));
    if (existing !== undefined) {
      const existingKind = kindOf(existing);
      if (existingKind === "recursive" && !options.recursive) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `pin: ${cid} already pinned recursively`, { cid: cid.toString() });
      }
      if (existingKind === (options.recursive ? "recursive" : "direct")) {
        if (options.name !== undefined) await this.#helia.pins.setMetadata(cid, metadataOf(cid, name), { signal: options.signal });
        return;
      }
      await drain(this.#helia.pins.rm(cid, { walker: this.#walker(), signal: options.signal }));
    }
    await drain(
      this.#helia.pins.add(cid, {
        depth: options.recursive ? Infinity : 0,
        metadata: metadataOf(cid, name),
        walker: this.#walker(),
        signal: options.signal,
      }),
    );
  }

  async rm(cid: CID, options: { recursive: boolean; signal?: AbortSignal }): Promise<void> {
    const existing = await this.#find(cid);
    if (existing === undefined) {
      throw new IpfsError("IPFS_NOT_PINNED", "not pinned or pinned indirectly", { cid: cid.toString() });
    }
    if (kindOf(existing) === "recursive" && !options.recursive) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `${cid} is pinned recursively`, { cid: cid.toString() });
    }
    await drain(this.#helia.pins.rm(cid, { walker: this.#walker(), signal: options.signal }));
  }

  /** Roots first (recursive and direct), then, when asked, every block their DAGs pin indirectly. */
  async *ls(options: { type: PinListType; signal?: AbortSignal }): AsyncGenerator<PinRecord> {
    const roots: PinRecord[] = [];
    for await (const pin of this.#helia.pins.ls({ signal: options.signal })) {
      roots.push({ cid: originalCid(pin), type: kindOf(pin), name: nameOf(pin) });
    }
    for (const root of roots) {
      if (options.type === "all" || options.type === root.type) yield root;
    }
    if (options.type !== "all" && options.type !== "indirect") return;
    const listed = new Set(roots.map((root) => multihashKey(root.cid)));
    for (const root of roots) {
      if (root.type !== "recursive") continue;
      for await (const block of this.#walkLocal(root.cid, options.signal)) {
        const key = multihashKey(block.cid);
        if (listed.has(key) || block.inline) continue;
        listed.add(key);
        yield { cid: block.cid, type: "indirect", name: "" };
      }
    }
  }

  async status(cid: CID, options: { signal?: AbortSignal } = {}): Promise<PinStatus | undefined> {
    const pin = await this.#find(cid);
    if (pin !== undefined) return { type: kindOf(pin) };
    if (!(await this.#helia.pins.isPinned(cid, options))) return undefined;
    for await (const root of this.ls({ type: "recursive", signal: options.signal })) {
      for await (const block of this.#walkLocal(root.cid, options.signal)) {
        if (block.depth > 0 && sameBlock(block.cid, cid)) {
          return { type: "indirect", via: root.cid };
        }
      }
    }
    return { type: "indirect" };
  }

  async #find(cid: CID): Promise<Pin | undefined> {
    try {
      return { ...(await this.#helia.pins.get(cid)), cid };
    } catch (error) {
      if ((error as Error).name === "NotFoundError") return undefined;
      throw error;
    }
  }

  #walkLocal(root: CID, signal: AbortSignal | undefined) {
    return walkDag(root, (cid, opts) => this.#blocks.getBytes(cid, opts), this.#helia.getCodec, { signal });
  }

  /** Helia walks pinned DAGs through this, so missing blocks come from peers with our deadline. */
  #walker(): GraphWalkerFactory {
    const blocks = this.#blocks;
    const getCodec = this.#helia.getCodec;
    return () => ({
      async *walk(cid, options = {}) {
        for await (const node of walkDag(cid, (c, o) => blocks.getBytes(c, o), getCodec, { maxDepth: options.depth, signal: options.signal })) {
          if (node.inline) continue;
          const block = createUnsafe({ cid: node.cid, bytes: node.bytes, codec: await getCodec(node.cid.code) });
          yield { block, depth: node.depth, path: [] };
        }
      },
    });
  }
}

function kindOf(pin: Pin): PinKind {
  return pin.depth === 0 ? "direct" : "recursive";
}

function nameOf(pin: Pin): string {
  return typeof pin.metadata.name === "string" ? pin.metadata.name : "";
}

function metadataOf(cid: CID, name: string): Record<string, string> {
  return { cid: cid.toString(), name };
}

function originalCid(pin: Pin): CID {
  const recorded = pin.metadata.cid;
  if (typeof recorded === "string") {
    try {
      const parsed = CID.parse(recorded);
      if (sameBlock(parsed, pin.cid)) return parsed;
    } catch {
      // A malformed record falls back to the key Helia stored.
    }
  }
  return pin.cid;
}

function sameBlock(a: CID, b: CID): boolean {
  return a.code === b.code && uint8ArrayEquals(a.multihash.bytes, b.multihash.bytes);
}

function multihashKey(cid: CID): string {
  return Buffer.from(cid.multihash.bytes).toString("base64");
}

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source) {
    // walking is the work
  }
}
