import type { Helia } from "@helia/interface";
import type { Libp2p } from "@libp2p/interface";
import type { Blockstore } from "interface-blockstore";
import type { BlockFetcher } from "./blockFetcher.ts";
import type { PinStore } from "./pinStore.ts";
import type { MutableFileSystem } from "./mfs.ts";
import type { NameService } from "./names.ts";
import type { GcLock } from "./gcLock.ts";

/** What the RPC API and the gateway share of a running node. */
export interface IpfsServices {
  helia: Helia;
  libp2p: Libp2p;
  blocks: BlockFetcher;
  /** The blocks held here (never fetched from peers): what repo/gc sweeps. */
  localBlocks: Blockstore;
  pins: PinStore;
  /** IPNS: the node's own name, records from connected peers (name/*). */
  names: NameService;
  /** The Mutable File System (files/*), saved in the data directory. */
  mfs: MutableFileSystem;
  /** Held shared by commands that write and then reference blocks, exclusively by repo/gc. */
  gcLock: GcLock;
  maxUploadBytes: number;
}
