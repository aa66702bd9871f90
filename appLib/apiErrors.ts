import "server-only";
/**
 * How API routes answer a refusal: an HTTP status, a stable `code` a client can branch on, and a
 * `message` a person can read.
 */
import { NextResponse } from "next/server";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** Typed errors carry their own code; anything else is a 500 whose details stay in the server log. */
export function errorResponse(error: unknown): NextResponse<ApiErrorBody> {
  if (error instanceof ApiError) return NextResponse.json({ error: { code: error.code, message: error.message } }, { status: error.status });
  const coded = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof coded?.code === "string" && SERVICE_UNAVAILABLE_CODES.has(coded.code)) {
    return NextResponse.json({ error: { code: coded.code, message: String(coded.message) } }, { status: 503 });
  }
  console.error(error);
  return NextResponse.json({ error: { code: "INTERNAL", message: "the server failed to handle this request; its log has the details" } }, { status: 500 });
}

/** Errors that mean a service the app depends on is down or not set up, not that the request was wrong. */
const SERVICE_UNAVAILABLE_CODES = new Set([
  "CHAIN_UNAVAILABLE",
  "DEPLOYMENT_MISSING",
  "DEPLOYMENT_INVALID",
  "APP_CONFIG_INVALID",
  "IPFS_API_UNREACHABLE",
  "IPFS_API_ERROR",
]);

/** Refuses cross-site form posts and fetches: a state-changing request must come from the app's own pages. */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin === null) return; // not a browser cross-origin request (curl, server-to-server)
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ApiError(403, "CROSS_ORIGIN", `requests from ${origin} are not accepted`);
  }
  if (originHost !== host) throw new ApiError(403, "CROSS_ORIGIN", `requests from ${origin} are not accepted: use the app at ${host}`);
}

/** The JSON body of a request, or a 400 that says it is not JSON. */
export async function jsonBody(request: Request, maxBytes = 64 * 1024): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.length > maxBytes) throw new ApiError(413, "BODY_TOO_LARGE", `the request body is larger than ${maxBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "the request body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiError(400, "INVALID_JSON", "the request body must be a JSON object");
  return body as Record<string, unknown>;
}
