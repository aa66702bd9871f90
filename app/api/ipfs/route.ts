import { NextResponse } from "next/server";
import { ApiError, assertSameOrigin, errorResponse, jsonBody } from "../../../appLib/apiErrors.ts";
import { appConfig } from "../../../appLib/config.ts";
import { proposalMarkdown } from "../../../appLib/proposalDescription.ts";
import { requireSession } from "../../../appLib/session.ts";
import { IpfsClient } from "../../../ipfs/client.ts";

const MAX_TITLE_LENGTH = 200;
const MAX_BODY_BYTES = 100 * 1024;

/** Pins a proposal's Markdown (title + body) to IPFS for the signed-in account; returns its CID. */
export async function POST(request: Request) {
  try {
    assertSameOrigin(request);
    await requireSession(request);
    const body = await jsonBody(request, MAX_BODY_BYTES + 4096);
    const title = typeof body.title === "string" ? body.title.trim() : "";
    const markdown = typeof body.body === "string" ? body.body : "";
    if (title === "" || title.length > MAX_TITLE_LENGTH || title.includes("\n")) {
      throw new ApiError(400, "INVALID_TITLE", `a proposal needs a one-line title of at most ${MAX_TITLE_LENGTH} characters`);
    }
    if (markdown.trim() === "") throw new ApiError(400, "INVALID_BODY", "describe the proposal: the body is empty");
    if (Buffer.byteLength(markdown) > MAX_BODY_BYTES) throw new ApiError(413, "BODY_TOO_LARGE", `the description is larger than ${MAX_BODY_BYTES / 1024} KiB`);
    const document = proposalMarkdown(title, markdown);
    const added = await new IpfsClient({ apiUrl: appConfig().ipfsApiUrl, timeoutMs: 30_000 }).add(document, { pin: true });
    return NextResponse.json({ cid: added.cid, markdown: document });
  } catch (error) {
    return errorResponse(error);
  }
}
