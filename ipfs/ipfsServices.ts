import type { Helia } from "@helia/interface";
import type { Libp2p } from "@libp2p/interface";
import type { BlockFetcher } from "./blockFetcher.ts";
import type { PinStore } from "./pinStore.ts";

/** What the RPC API and the gateway share of a running node. */
export interface IpfsServices {
  helia: Helia;
  libp2p: Libp2p;
  blocks: BlockFetcher;
  pins: PinStore;
  maxUploadBytes: number;
}
