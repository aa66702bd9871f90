import "server-only";
/** Reading a proposal's pinned Markdown back from IPFS by its CID. */
import { parseCid } from "../lib/cid.ts";
import { IpfsClient } from "../ipfs/client.ts";
import { appConfig } from "./config.ts";

/** Proposal documents are small; anything past this is not read. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

export type PinnedDocument = { ok: true; markdown: string; cid: string } | { ok: false; cid: string; reason: string };

export async function pinnedMarkdown(cidText: string): Promise<PinnedDocument> {
  let cid: string;
  try {
    cid = parseCid(cidText).toString();
  } catch {
    return { ok: false, cid: cidText, reason: "the description names an invalid CID" };
  }
  try {
    const client = new IpfsClient({ apiUrl: appConfig().ipfsApiUrl, timeoutMs: 5_000 });
    const bytes = await client.cat(cid, { length: MAX_DOCUMENT_BYTES + 1, signal: AbortSignal.timeout(5_000) });
    if (bytes.length > MAX_DOCUMENT_BYTES) return { ok: false, cid, reason: `the document is larger than ${MAX_DOCUMENT_BYTES / 1024} KiB` };
    return { ok: true, cid, markdown: new TextDecoder().decode(bytes) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      ok: false,
      cid,
      reason: code === "IPFS_API_UNREACHABLE" ? "the IPFS node is not reachable" : "the IPFS node could not provide it in time",
    };
  }
}
