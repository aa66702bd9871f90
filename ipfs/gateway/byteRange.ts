/** Inclusive byte range of an entity, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: bigint;
  end: bigint;
}

export type RangeRequest =
  /** No usable Range header: serve the whole entity with 200. */
  | { kind: "whole" }
  | { kind: "partial"; range: ByteRange }
  /** Syntactically fine but outside the entity: 416. */
  | { kind: "unsatisfiable" };

/**
 * A single `bytes=` range against an entity of `size` bytes (RFC 9110 §14). Invalid or
 * multi-range headers are ignored, which the RFC allows: the client gets the full 200.
 */
export function parseRange(header: string | undefined, size: bigint): RangeRequest {
  if (header === undefined) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: "whole" };
  const [, first, last] = match;
  if (first === "" && last === "") return { kind: "whole" };
  if (first === "") {
    const suffix = BigInt(last);
    if (suffix === 0n || size === 0n) return { kind: "unsatisfiable" };
    const start = suffix >= size ? 0n : size - suffix;
    return { kind: "partial", range: { start, end: size - 1n } };
  }
  const start = BigInt(first);
  if (start >= size) return { kind: "unsatisfiable" };
  let end = last === "" ? size - 1n : BigInt(last);
  if (end < start) return { kind: "whole" };
  if (end >= size) end = size - 1n;
  return { kind: "partial", range: { start, end } };
}
