/**
 * RLP encoding in one allocation, for @ethereumjs/rlp's `RLP.encode` (installed by `installRlpEncoder`).
 *
 * Why: everything the node stores or hashes is RLP (trie nodes, accounts, transactions, receipts,
 * headers), and @ethereumjs/rlp's `encode` builds every item and every length prefix as its own
 * Uint8Array, goes through hex strings for long lengths, and concatenates with rest parameters at
 * each level. On the ERC20 JSON-RPC benchmark that was ~10% of the node's main thread (trie nodes at
 * the end of each block above all). This encoder measures the whole input first, then writes it into
 * one array: the same bytes (a differential test compares them on random nested inputs).
 *
 * It takes what Ethereum structures are made of: byte arrays, lists, and null / undefined (an empty
 * string, as there). Any other item (strings, numbers, bigints) sends the whole input to the
 * original, so every input still encodes exactly as before.
 */
import { RLP, type Input } from "@ethereumjs/rlp";

const originalEncode = RLP.encode;

/**
 * Payload lengths of the lists met while measuring, in the order writing meets them (pre-order).
 * Module state is fine: encoding is synchronous and never re-entered.
 */
let listLengths: number[] = [];
let listCount = 0;

/** Bytes needed to write `length` big-endian (1..4 for any length an array can have). */
function lengthOfLength(length: number): number {
  return length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
}

/** The encoded size of `item`, or -1 when it holds anything but bytes, lists and null/undefined. */
function measure(item: Input): number {
  if (item instanceof Uint8Array) {
    const length = item.length;
    if (length === 1 && item[0]! < 0x80) return 1;
    return length < 56 ? 1 + length : 1 + lengthOfLength(length) + length;
  }
  if (Array.isArray(item)) {
    const slot = listCount++;
    let payload = 0;
    for (let i = 0; i < item.length; i++) {
      const size = measure(item[i] as Input);
      if (size < 0) return -1;
      payload += size;
    }
    listLengths[slot] = payload;
    return payload < 56 ? 1 + payload : 1 + lengthOfLength(payload) + payload;
  }
  if (item === null || item === undefined) return 1;
  return -1;
}

/** Writes the prefix of a string (offset 0x80) or list (0xc0) of `length` bytes at `at`. */
function writeHeader(out: Uint8Array, at: number, length: number, offset: number): number {
  if (length < 56) {
    out[at] = offset + length;
    return at + 1;
  }
  const bytes = lengthOfLength(length);
  out[at] = offset + 55 + bytes;
  for (let i = bytes; i > 0; i--) {
    out[at + i] = length & 0xff;
    length = Math.floor(length / 256);
  }
  return at + 1 + bytes;
}

function write(item: Input, out: Uint8Array, at: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[at] = item[0]!;
      return at + 1;
    }
    at = writeHeader(out, at, item.length, 0x80);
    out.set(item, at);
    return at + item.length;
  }
  if (Array.isArray(item)) {
    at = writeHeader(out, at, listLengths[listCount++]!, 0xc0);
    for (let i = 0; i < item.length; i++) at = write(item[i] as Input, out, at);
    return at;
  }
  out[at] = 0x80; // null or undefined: the empty string
  return at + 1;
}

/** RLP-encodes `input` exactly as @ethereumjs/rlp's `encode` does. */
export function encodeRlp(input: Input): Uint8Array {
  // As the original: a single byte below 0x80 is its own encoding (the same array comes back).
  if (input instanceof Uint8Array && input.length === 1 && input[0]! < 0x80) return input;
  listCount = 0;
  const size = measure(input);
  if (size < 0) return originalEncode(input);
  const out = new Uint8Array(size);
  listCount = 0;
  write(input, out, 0);
  if (listLengths.length > 4096) listLengths = []; // don't hold on to one huge input's bookkeeping
  return out;
}

/** Makes `RLP.encode` (what every @ethereumjs package calls) this encoder; `false` restores the original. */
export function installRlpEncoder(enabled = true): void {
  RLP.encode = enabled ? encodeRlp : originalEncode;
}

export { originalEncode as originalRlpEncode };
