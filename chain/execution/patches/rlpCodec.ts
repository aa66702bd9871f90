/**
 * Faster RLP for @ethereumjs/rlp's `RLP.encode` and `RLP.decode` (installed by `installRlpCodec`),
 * with the same results and the same errors.
 *
 * Why: everything the node stores, hashes or receives is RLP (trie nodes, accounts, transactions,
 * receipts, headers). @ethereumjs/rlp's `encode` builds every item and every length prefix as its own
 * Uint8Array, goes through hex strings for long lengths, and concatenates with rest parameters at
 * each level; its `decode` copies each list's whole payload before decoding the items in it (and
 * again one level down), and reads lengths through hex strings. On the ERC20 JSON-RPC benchmark the
 * two were ~14% of the node's main thread (trie nodes at the end of each block above all).
 *
 * - The encoder measures the whole input first, then writes it into one array. It takes what
 *   Ethereum structures are made of: byte arrays, lists, and null / undefined (an empty string, as
 *   there); any other item (strings, numbers, bigints) sends the whole input to the original.
 * - The decoder walks offsets into the input and copies only the strings it returns (as the original
 *   returns copies), with the original's checks in the original's order and its error messages. It
 *   takes plain Uint8Arrays; anything else (hex strings, Node Buffers, whose `slice` is a view) goes
 *   to the original.
 * Differential tests compare both with the originals on random and malformed inputs.
 */
import { EthereumJSErrorWithoutCode, RLP, type Decoded, type Input, type NestedUint8Array } from "@ethereumjs/rlp";

const originalEncode = RLP.encode;
const originalDecode = RLP.decode;

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

type Decodable = Uint8Array | NestedUint8Array;

/** Where the item decoded last ends (module state: decoding is synchronous and never re-entered). */
let decodedEnd = 0;

function outOfBounds(): Error {
  return EthereumJSErrorWithoutCode("invalid RLP (safeSlice): end slice of Uint8Array out-of-bounds");
}

/** A big-endian length from input[start, end) (at least one byte), as the original's decodeLength. */
function readLength(input: Uint8Array, start: number, end: number): number {
  if (input[start] === 0) throw EthereumJSErrorWithoutCode("invalid RLP: extra zeros");
  if (end - start > 6) {
    // Beyond 2^48 the original's parseInt of the hex may round; read such (absurd) lengths as it does.
    return Number.parseInt(Buffer.from(input.subarray(start, end)).toString("hex"), 16);
  }
  let length = 0;
  for (let i = start; i < end; i++) length = length * 256 + input[i]!;
  return length;
}

/** Decodes the item at `start` within input[start, end); sets `decodedEnd` past it. */
function decodeItem(input: Uint8Array, start: number, end: number): Decodable {
  const available = end - start;
  const first = input[start]!;
  if (first <= 0x7f) {
    decodedEnd = start + 1;
    return input.slice(start, start + 1);
  }
  if (first <= 0xb7) {
    const length = first - 0x7f; // the prefix byte and the string
    let data: Uint8Array;
    if (first === 0x80) data = new Uint8Array(0);
    else {
      if (length > available) throw outOfBounds();
      data = input.slice(start + 1, start + length);
    }
    if (length === 2 && data[0]! < 0x80) {
      throw EthereumJSErrorWithoutCode("invalid RLP encoding: invalid prefix, single byte < 0x80 are not prefixed");
    }
    decodedEnd = start + length;
    return data;
  }
  if (first <= 0xbf) {
    const lengthOfLength = first - 0xb6; // as the original counts it: the prefix byte included
    if (available - 1 < lengthOfLength) throw EthereumJSErrorWithoutCode("invalid RLP: not enough bytes for string length");
    const length = readLength(input, start + 1, start + lengthOfLength);
    if (length <= 55) throw EthereumJSErrorWithoutCode("invalid RLP: expected string length to be greater than 55");
    if (length + lengthOfLength > available) throw outOfBounds();
    decodedEnd = start + lengthOfLength + length;
    return input.slice(start + lengthOfLength, decodedEnd);
  }
  let payloadStart: number;
  let payloadEnd: number;
  if (first <= 0xf7) {
    const length = first - 0xbf;
    if (length > available) throw outOfBounds();
    payloadStart = start + 1;
    payloadEnd = start + length;
  } else {
    const lengthOfLength = first - 0xf6;
    if (lengthOfLength > available) throw outOfBounds();
    const length = readLength(input, start + 1, start + lengthOfLength);
    if (length < 56) throw EthereumJSErrorWithoutCode("invalid RLP: encoded list too short");
    if (lengthOfLength + length > available) throw EthereumJSErrorWithoutCode("invalid RLP: total length is larger than the data");
    payloadStart = start + lengthOfLength;
    payloadEnd = start + lengthOfLength + length;
  }
  const items: Decodable[] = [];
  for (let at = payloadStart; at < payloadEnd; at = decodedEnd) items.push(decodeItem(input, at, payloadEnd));
  decodedEnd = payloadEnd;
  return items as NestedUint8Array;
}

/** RLP-decodes `input` exactly as @ethereumjs/rlp's `decode` does (same result, same errors). */
export function decodeRlp(input: Input, stream?: false): Uint8Array | NestedUint8Array;
export function decodeRlp(input: Input, stream?: true): Decoded;
export function decodeRlp(input: Input, stream = false): Uint8Array | NestedUint8Array | Decoded {
  if (input === undefined || input === null || (input as { length?: number }).length === 0) return new Uint8Array(0);
  if (!(input instanceof Uint8Array) || input.constructor !== Uint8Array) return originalDecode(input, stream as true);
  const data = decodeItem(input, 0, input.length);
  if (stream) return { data, remainder: input.slice(decodedEnd) };
  if (decodedEnd !== input.length) throw EthereumJSErrorWithoutCode("invalid RLP: remainder must be zero");
  return data;
}

/** Makes `RLP.encode` and `RLP.decode` (what every @ethereumjs package calls) these; `false` restores the originals. */
export function installRlpCodec(enabled = true): void {
  RLP.encode = enabled ? encodeRlp : originalEncode;
  RLP.decode = (enabled ? decodeRlp : originalDecode) as typeof RLP.decode;
}

export { originalEncode as originalRlpEncode, originalDecode as originalRlpDecode };
