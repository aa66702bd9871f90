import { CID } from "multiformats/cid";
import { IpfsError } from "./errors.ts";

/** `/ipfs/<root>/<segments...>`: what commands and the gateway read. */
export interface ContentPath {
  root: CID;
  segments: string[];
  /** Canonical text form, `/ipfs/<root as given>/a/b`. */
  text: string;
}

/**
 * Parses a content path the way Kubo's RPC does (boxo `PathOrCidPath`): a `/ipfs/...` path, or a
 * bare `<cid>[/sub/path]` that is read as `/ipfs/<cid>[/sub/path]`. When both readings fail, the
 * error of the first one is reported, so messages match Kubo's (`invalid path "x": ...`).
 */
export function parseContentPath(input: string): ContentPath {
  if (input.startsWith("/")) return parseNamespacedPath(input, input);
  try {
    return parseNamespacedPath(`/ipfs/${input}`, input);
  } catch {
    throw invalidPath(input, "path does not have enough components");
  }
}

function parseNamespacedPath(path: string, original: string): ContentPath {
  const [, namespace, rootText, ...rest] = path.split("/");
  if (namespace === undefined || rootText === undefined || rootText === "") {
    throw invalidPath(original, "path does not have enough components");
  }
  if (namespace === "ipns") {
    throw new IpfsError("IPFS_INVALID_PATH", `invalid path "${original}": IPNS names are not supported by this node`, { path: original });
  }
  if (namespace !== "ipfs" && namespace !== "ipld") throw invalidPath(original, `unknown namespace "${namespace}"`);
  let root: CID;
  try {
    root = CID.parse(rootText);
  } catch (error) {
    throw invalidPath(original, `invalid cid: ${(error as Error).message}`);
  }
  const segments = rest.filter((segment) => segment !== "");
  return { root, segments, text: ["/ipfs", rootText, ...segments].join("/") };
}

function invalidPath(path: string, reason: string): IpfsError {
  return new IpfsError("IPFS_INVALID_PATH", `invalid path "${path}": ${reason}`, { path });
}
