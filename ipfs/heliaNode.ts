import { join } from "node:path";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { bitswap } from "@helia/block-brokers";
import * as dagCbor from "@ipld/dag-cbor";
import * as dagJson from "@ipld/dag-json";
import type { Helia } from "@helia/interface";
import { identify } from "@libp2p/identify";
import type { Libp2p, PrivateKey } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { MemoryBlockstore } from "blockstore-core";
import { FsBlockstore } from "blockstore-fs";
import { MemoryDatastore } from "datastore-core";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import type { Blockstore } from "interface-blockstore";
import type { Datastore } from "interface-datastore";
import { createLibp2p } from "libp2p";
import { CONCORD_IPFS_AGENT } from "./defaults.ts";
import { loadOrCreatePeerKey } from "../lib/p2p/peerKey.ts";

export interface ConcordHeliaOptions {
  /** Where blocks, pins and the peer key live; undefined keeps everything in memory. */
  dataDir?: string;
  /** libp2p listen addresses, e.g. `/ip4/127.0.0.1/tcp/0`. */
  listen: string[];
}

export interface ConcordHelia {
  helia: Helia;
  libp2p: Libp2p;
  /** The store under Helia's pinning/GC wrapper: blocks written here are never fetched from peers. */
  localBlockstore: Blockstore;
  /** The node's libp2p identity key: it also signs the node's IPNS records (Kubo's "self"). */
  privateKey: PrivateKey;
  stop(): Promise<void>;
}

/**
 * Helia with an explicit, closed libp2p: TCP + noise + yamux + identify + bitswap and nothing that
 * reaches past the given addresses (no bootstrap list, relays, delegated routing, HTTP gateways,
 * autonat, UPnP or mDNS). Peers are only the ones this node is told to dial or that dial it.
 */
export async function createConcordHelia(options: ConcordHeliaOptions): Promise<ConcordHelia> {
  const stores = await openStores(options.dataDir);
  try {
    const privateKey = await loadOrCreatePeerKey(options.dataDir);
    const [name, version] = CONCORD_IPFS_AGENT.split("/");
    const libp2p = await createLibp2p({
      privateKey,
      datastore: stores.datastore,
      nodeInfo: { name, version, userAgent: CONCORD_IPFS_AGENT },
      addresses: { listen: options.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      services: { identify: identify() },
      connectionManager: {
        // A devnet runs many nodes on one host: the default of 5 inbound connections/s per host
        // would refuse some of them at start-up.
        inboundConnectionThreshold: 100,
      },
    });
    const helia = createHeliaLight({
      blockstore: stores.blockstore,
      datastore: stores.datastore,
      // Beyond dag-pb and raw: the IPLD codecs dag/put stores, so pins and gc can walk their links.
      codecs: [dagCbor, dagJson],
      blockBrokers: [bitswap()],
      routers: [],
      components: { libp2p },
    });
    await helia.start();
    return {
      helia,
      libp2p,
      localBlockstore: stores.blockstore,
      privateKey,
      async stop() {
        try {
          await helia.stop();
          await libp2p.stop();
        } finally {
          await stores.close();
        }
      },
    };
  } catch (error) {
    await stores.close();
    throw error;
  }
}

interface OpenStores {
  blockstore: Blockstore;
  datastore: Datastore;
  close(): Promise<void>;
}

async function openStores(dataDir: string | undefined): Promise<OpenStores> {
  if (dataDir === undefined) {
    return { blockstore: new MemoryBlockstore(), datastore: new MemoryDatastore(), close: async () => {} };
  }
  const blockstore = new FsBlockstore(join(dataDir, "blocks"));
  const datastore = new FsDatastore(join(dataDir, "datastore"));
  await blockstore.open();
  await datastore.open();
  return {
    blockstore,
    datastore,
    async close() {
      await blockstore.close();
      await datastore.close();
    },
  };
}
