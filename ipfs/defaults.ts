/** Defaults of the embedded IPFS service, the same ports as Kubo's so tools find it where they expect. */
export const DEFAULT_IPFS_HOST = "127.0.0.1" as const;
export const DEFAULT_IPFS_API_PORT = 5001;
export const DEFAULT_IPFS_GATEWAY_PORT = 8080;
/** Largest accepted `add` upload (all files of one request together). */
export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** How long a read waits for blocks from connected peers before giving up. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
/** The RPC API URL clients use when nothing else is configured. */
export const DEFAULT_IPFS_API_URL = `http://${DEFAULT_IPFS_HOST}:${DEFAULT_IPFS_API_PORT}`;
export const DEFAULT_IPFS_GATEWAY_URL = `http://${DEFAULT_IPFS_HOST}:${DEFAULT_IPFS_GATEWAY_PORT}`;
/** What `version` reports as this node's implementation. */
export const CONCORD_IPFS_AGENT = "concord-ipfs/0.1.0";
