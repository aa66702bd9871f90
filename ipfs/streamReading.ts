/** Reading a whole request or answer off a libp2p stream, bounded: the small protocols of ipfs/ use it. */
import type { Stream } from "@libp2p/interface";

/** Everything the remote sends until it closes its side, or undefined past `limit` bytes. */
export async function readAll(stream: Stream, limit: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const onAbort = () => stream.abort(new Error("deadline"));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
      length += bytes.length;
      if (length > limit) return undefined;
      chunks.push(bytes);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks);
}
