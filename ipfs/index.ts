/**
 * The IPFS part of Concord, for the devnet and every other part: start the embedded node, talk to
 * it (or to any Kubo daemon) through the client, or run the `concord ipfs` CLI.
 */
export { type CliIo, runIpfsCli } from "./cli.ts";
export {
  type AddContentOptions,
  type AddedEntry,
  createIpfsClient,
  type FileToAdd,
  IpfsClient,
  type IpfsClientOptions,
  type PinInfo,
  resolveIpfsApiUrl,
} from "./client.ts";
export {
  DEFAULT_IPFS_API_PORT,
  DEFAULT_IPFS_API_URL,
  DEFAULT_IPFS_GATEWAY_PORT,
  DEFAULT_IPFS_GATEWAY_URL,
  DEFAULT_IPFS_HOST,
  DEFAULT_MAX_UPLOAD_BYTES,
} from "./defaults.ts";
export { IpfsError, type IpfsErrorCode, isIpfsError } from "./errors.ts";
export type { ImportProfile } from "./importSettings.ts";
export { type IpfsNode, type IpfsNodeOptions, startIpfsNode } from "./ipfsNode.ts";
