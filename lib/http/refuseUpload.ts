/**
 * Answering a request whose body is still arriving (too large, forbidden, malformed) so that the
 * client reads the answer instead of failing on a reset connection.
 *
 * Closing a socket with unread bytes in its receive buffer makes the kernel send a TCP reset; a
 * client that writes its whole body before reading (curl, Python's clients) then sees EPIPE /
 * ECONNRESET and never reads the reply. So the reply must not say `Connection: close` (Node's
 * server would close the socket as soon as the reply is out), and the rest of the body is read and
 * thrown away, for a bounded time, before the connection is cut. Nothing of it is kept.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long the rest of a refused body is discarded before the connection is cut. */
export const DISCARD_GRACE_MS = 2_000;


/** Reads and drops what is left of the body; cuts the connection if it keeps coming past the grace time. */
export function discardRestOfBody(request: IncomingMessage, graceMs = DISCARD_GRACE_MS): void {
  if (request.complete || request.destroyed) return;
  request.resume();
  const timer = setTimeout(() => request.destroy(), graceMs);
  timer.unref();
  request.once("end", () => clearTimeout(timer));
  request.once("close", () => clearTimeout(timer));
}
