import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { NameService } from "./names.ts";
import { serveHasBlock } from "./providerQuery.ts";
import { MutableFileSystem } from "./mfs.ts";
import { rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Helia } from "@helia/interface";
import type { Libp2p } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { BlockFetcher } from "./blockFetcher.ts";
import { type DataDirLock, lockDataDir } from "./dataDirLock.ts";
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_IPFS_API_PORT,
  DEFAULT_IPFS_GATEWAY_PORT,
  DEFAULT_IPFS_HOST,
  DEFAULT_MAX_UPLOAD_BYTES,
} from "./defaults.ts";
import { IpfsError } from "./errors.ts";
import { createGatewayHandler } from "./gateway/gatewayServer.ts";
import { type ConcordHelia, createConcordHelia } from "./heliaNode.ts";
import type { IpfsServices } from "./ipfsServices.ts";
import { keepDialing } from "../lib/p2p/peerDialer.ts";
import { PinStore } from "./pinStore.ts";
import { GcLock } from "./gcLock.ts";
import { createApiHandler } from "./rpc/apiServer.ts";

export interface IpfsNodeOptions {
  /** Blocks, pins and the peer key live here and survive restarts; undefined = in memory. */
  dataDir?: string;
  /** Kubo RPC API port (default 5001; 0 = any free port). */
  apiPort?: number;
  /** HTTP gateway port (default 8080; 0 = any free port). */
  gatewayPort?: number;
  /** Only loopback is served: the RPC API can write and has no authentication. */
  host?: "127.0.0.1";
  /** Multiaddrs of other nodes to connect to (and reconnect to) for bitswap. */
  peers?: string[];
  /** libp2p TCP port (default 0 = any free port). */
  swarmPort?: number;
  /** Largest `add` upload in bytes (default 100 MiB); larger uploads get a 413. */
  maxUploadBytes?: number;
  /** How long reads wait for blocks from peers (default 30 s). */
  fetchTimeoutMs?: number;
  /** Browser origins allowed to call the RPC API (default none, as in Kubo). */
  apiAllowedOrigins?: string[];
}

export interface IpfsNode {
  /** e.g. `http://127.0.0.1:5001`, the base URL kubo-rpc-client takes. */
  apiUrl: string;
  /** e.g. `http://127.0.0.1:8080`; content is at `${gatewayUrl}/ipfs/<cid>`. */
  gatewayUrl: string;
  peerId: string;
  /** libp2p listen addresses including `/p2p/<peerId>`, to hand to other nodes' `peers`. */
  multiaddrs: string[];
  helia: Helia;
  libp2p: Libp2p;
  /** Current listen multiaddrs (with `/p2p/<peerId>`). */
  getMultiaddrs(): string[];
  /** Dial another node now and keep reconnecting to it. */
  connect(address: string): Promise<void>;
  /** Idempotent; closes servers and connections, releases the data directory. */
  stop(): Promise<void>;
}

/** The file in a node's data directory naming its running API (as Kubo's `$IPFS_PATH/api`). */
export function apiFilePath(dataDir: string): string {
  return join(dataDir, "api");
}

/**
 * Starts the embedded IPFS node: Helia on loopback libp2p, the Kubo RPC API and the HTTP gateway.
 * Fails with a typed IpfsError when a port is taken or the data directory is in use.
 */
export async function startIpfsNode(options: IpfsNodeOptions = {}): Promise<IpfsNode> {
  const settings = validate(options);
  const cleanup: Array<() => Promise<void>> = [];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup.length = 0;
  };
  try {
    let lock: DataDirLock | undefined;
    if (settings.dataDir !== undefined) {
      lock = await lockDataDir(settings.dataDir);
      cleanup.push(() => lock!.release());
    }
    let node: ConcordHelia;
    try {
      node = await createConcordHelia({ dataDir: settings.dataDir, listen: [`/ip4/${settings.host}/tcp/${settings.swarmPort}`] });
    } catch (error) {
      if (isAddressInUse(error)) throw portInUse(settings.swarmPort, settings.host, "libp2p swarm", "swarmPort", error);
      throw error;
    }
    cleanup.push(() => node.stop());

    await serveHasBlock(node.libp2p, node.localBlockstore);
    const blocks = new BlockFetcher(node.helia, node.libp2p, node.localBlockstore, settings.fetchTimeoutMs);
    const services: IpfsServices = {
      helia: node.helia,
      libp2p: node.libp2p,
      blocks,
      localBlocks: node.localBlockstore,
      pins: new PinStore(node.helia, blocks),
      mfs: await MutableFileSystem.open(node.helia, blocks, node.localBlockstore, settings.dataDir),
      names: await NameService.start(node.libp2p, node.helia.datastore, node.privateKey),
      gcLock: new GcLock(),
      maxUploadBytes: settings.maxUploadBytes,
    };
    const api = await listen(createApiHandler(services, { allowedOrigins: settings.apiAllowedOrigins }), settings.host, settings.apiPort, "IPFS RPC API", "apiPort");
    cleanup.push(() => close(api));
    const gateway = await listen(createGatewayHandler(services), settings.host, settings.gatewayPort, "IPFS gateway", "gatewayPort");
    cleanup.push(() => close(gateway));

    if (settings.dataDir !== undefined) {
      // Kubo's convention ($IPFS_PATH/api): a running node names its API, so `concord ipfs` finds the
      // devnet it belongs to whatever port it was given. Removed on stop.
      const apiFile = apiFilePath(settings.dataDir);
      await writeFile(apiFile, `${urlOf(api, settings.host)}\n`);
      cleanup.push(() => rm(apiFile, { force: true }));
    }

    const dialing = new AbortController();
    cleanup.push(async () => dialing.abort());
    for (const peer of settings.peers) keepDialing(node.libp2p, multiaddr(peer), dialing.signal);

    const getMultiaddrs = (): string[] => node.libp2p.getMultiaddrs().map(String);
    let stopping: Promise<void> | undefined;
    return {
      apiUrl: urlOf(api, settings.host),
      gatewayUrl: urlOf(gateway, settings.host),
      peerId: node.libp2p.peerId.toString(),
      multiaddrs: getMultiaddrs(),
      helia: node.helia,
      libp2p: node.libp2p,
      getMultiaddrs,
      async connect(address: string) {
        const target = parsePeerAddress(address);
        await node.libp2p.dial(target);
        keepDialing(node.libp2p, target, dialing.signal);
      },
      stop() {
        stopping ??= unwind();
        return stopping;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

type Settings = Required<Omit<IpfsNodeOptions, "dataDir">> & { dataDir: string | undefined };

function validate(options: IpfsNodeOptions): Settings {
  const host = options.host ?? DEFAULT_IPFS_HOST;
  if (host !== DEFAULT_IPFS_HOST) {
    throw new IpfsError("IPFS_INVALID_OPTIONS", `host must be ${DEFAULT_IPFS_HOST}: the RPC API has no authentication and is served on loopback only`, { host });
  }
  const port = (name: string, value: number | undefined, fallback: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isInteger(chosen) || chosen < 0 || chosen > 65_535) {
      throw new IpfsError("IPFS_INVALID_OPTIONS", `${name} must be an integer from 0 to 65535, got ${chosen}`, { [name]: chosen });
    }
    return chosen;
  };
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) {
    throw new IpfsError("IPFS_INVALID_OPTIONS", `maxUploadBytes must be a positive integer, got ${maxUploadBytes}`, { maxUploadBytes });
  }
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  if (!Number.isFinite(fetchTimeoutMs) || fetchTimeoutMs <= 0) {
    throw new IpfsError("IPFS_INVALID_OPTIONS", `fetchTimeoutMs must be a positive number, got ${fetchTimeoutMs}`, { fetchTimeoutMs });
  }
  const peers = options.peers ?? [];
  for (const peer of peers) parsePeerAddress(peer);
  return {
    dataDir: options.dataDir,
    host,
    apiPort: port("apiPort", options.apiPort, DEFAULT_IPFS_API_PORT),
    gatewayPort: port("gatewayPort", options.gatewayPort, DEFAULT_IPFS_GATEWAY_PORT),
    swarmPort: port("swarmPort", options.swarmPort, 0),
    peers,
    maxUploadBytes,
    fetchTimeoutMs,
    apiAllowedOrigins: options.apiAllowedOrigins ?? [],
  };
}

function parsePeerAddress(address: string) {
  try {
    return multiaddr(address);
  } catch (error) {
    throw new IpfsError("IPFS_INVALID_OPTIONS", `invalid peer multiaddr "${address}": ${(error as Error).message}`, { address });
  }
}

type Handler = (request: IncomingMessage, res: ServerResponse) => Promise<void>;

async function listen(handler: Handler, host: string, port: number, what: string, option: string): Promise<Server> {
  const server = createServer((request, res) => {
    handler(request, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // Uploads may be slow; the default 5 minute request timeout would cut large ones off.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(isAddressInUse(error) ? portInUse(port, host, what, option, error) : error));
    server.listen(port, host, () => resolve());
  });
  return server;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: Server, host: string): string {
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE" || /EADDRINUSE/.test(String((error as Error)?.message));
}

function portInUse(port: number, host: string, what: string, option: string, cause: unknown): IpfsError {
  return new IpfsError(
    "IPFS_PORT_IN_USE",
    `cannot start the ${what}: port ${port} on ${host} is already in use (another IPFS node or Kubo daemon?). Stop that process or choose another port with the ${option} option (0 picks a free one).`,
    { port, host, option },
    { cause },
  );
}
