/**
 * The RLP codec against @ethereumjs/rlp's own. Encoder: the same bytes for random nested inputs
 * around every length boundary, for the structures the node encodes, and for inputs it leaves to the
 * original (strings, numbers, bigints). Decoder: the same result or the same error for valid,
 * truncated, corrupted and random inputs, in both modes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RLP, type Input } from "@ethereumjs/rlp";
import { Account, bytesToHex } from "@ethereumjs/util";
import { decodeRlp, encodeRlp, installRlpCodec, originalRlpDecode, originalRlpEncode } from "../../../../chain/execution/patches/rlpCodec.ts";
import { seeded, type Random } from "../seededRandom.ts";

/** Lengths at which a prefix changes form: 1 byte, 55/56 (short/long), 255/256, 65535/65536. */
const LENGTHS = [0, 1, 2, 31, 32, 54, 55, 56, 57, 255, 256, 257, 65_535, 65_536];

/** A random nested input: about one list per nine items (so inputs stay small), strings of every prefix form. */
function randomItem(random: Random, depth: number): Input {
  const roll = random.next();
  if (roll < 0.08) return null;
  if (roll < 0.1) return undefined;
  if (roll < 0.2) return Uint8Array.of(random.int(256)); // single bytes below and above 0x80
  if (depth < 4 && roll < 0.3) return Array.from({ length: random.int(12) }, () => randomItem(random, depth + 1));
  if (random.next() < 0.3) {
    // Boundary lengths; long ones filled cheaply (their content does not matter to the prefix).
    const length = LENGTHS[random.int(LENGTHS.length)]!;
    return length <= 80 ? random.bytes(length) : new Uint8Array(length).fill(random.int(256));
  }
  return random.bytes(random.int(80));
}

/** A list of byte strings whose payload is exactly `payload` bytes. */
function listWithPayload(payload: number): Input {
  if (payload === 0) return [];
  return payload < 57 ? [new Uint8Array(payload - 1).fill(0x99)] : [new Uint8Array(payload - 3).fill(0x99)];
}

describe("encodeRlp", () => {
  it("encodes random nested inputs to the same bytes as @ethereumjs/rlp", () => {
    const random = seeded(21);
    for (let i = 0; i < 3000; i++) {
      const input = randomItem(random, 0);
      assert.equal(bytesToHex(encodeRlp(input)), bytesToHex(originalRlpEncode(input)), `input ${i}`);
    }
  });

  it("encodes lists around the short/long boundary and nested empty lists the same", () => {
    for (const payload of [0, 1, 54, 55, 56, 57, 300, 70_000]) {
      const input = listWithPayload(payload);
      assert.equal(bytesToHex(encodeRlp(input)), bytesToHex(originalRlpEncode(input)), `payload ${payload}`);
    }
    const nested: Input = [[], [[]], [[], [[]]], null, new Uint8Array(0)];
    assert.equal(bytesToHex(encodeRlp(nested)), bytesToHex(originalRlpEncode(nested)));
  });

  it("returns a single byte below 0x80 itself, and leaves other item types to the original", () => {
    const byte = Uint8Array.of(0x7f);
    assert.equal(encodeRlp(byte), byte);
    for (const input of ["0x1234", "dog", 0, 1024, 2n ** 70n, [1, "cat", [2n]], [Uint8Array.of(1), "0xff"]] as Input[]) {
      assert.equal(bytesToHex(encodeRlp(input)), bytesToHex(originalRlpEncode(input)), String(input));
    }
  });

  it("is what RLP.encode and RLP.decode call once installed, and encodes accounts as before", () => {
    installRlpCodec();
    try {
      assert.equal(RLP.encode, encodeRlp);
      assert.equal(RLP.decode, decodeRlp);
      const account = new Account(5n, 10n ** 21n);
      assert.equal(bytesToHex(account.serialize()), bytesToHex(originalRlpEncode(account.raw())));
      // Decoding is the original's: what was encoded decodes back.
      assert.deepEqual(RLP.decode(RLP.encode([Uint8Array.of(1, 2), [Uint8Array.of(0x80)]])), [Uint8Array.of(1, 2), [Uint8Array.of(0x80)]]);
    } finally {
      installRlpCodec(false);
    }
    assert.equal(RLP.encode, originalRlpEncode);
    assert.equal(RLP.decode, originalRlpDecode);
  });
});

/** The outcome of decoding: the value (hex strings, nested), or the error's class and message. */
function outcome(decode: () => unknown): unknown {
  const shape = (value: unknown): unknown =>
    value instanceof Uint8Array ? `${value.constructor.name}:${bytesToHex(value)}` : Array.isArray(value) ? value.map(shape) : value;
  try {
    const value = decode();
    if (value !== null && typeof value === "object" && "remainder" in value) {
      const { data, remainder } = value as { data: unknown; remainder: Uint8Array };
      return { data: shape(data), remainder: shape(remainder) };
    }
    return shape(value);
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

function sameDecoding(input: Uint8Array, where: string): void {
  for (const stream of [false, true] as const) {
    const expected = outcome(() => originalRlpDecode(input, stream as true));
    assert.deepEqual(outcome(() => decodeRlp(input, stream as true)), expected, `${where} (stream ${stream})`);
  }
}

describe("decodeRlp", () => {
  it("decodes random valid encodings to the same nested copies", () => {
    const random = seeded(22);
    for (let i = 0; i < 2000; i++) {
      const encoded = originalRlpEncode(randomItem(random, 0));
      sameDecoding(encoded, `input ${i}`);
      const decoded = decodeRlp(encoded);
      // Copies, as the original's: changing the input changes nothing decoded.
      if (decoded instanceof Uint8Array && decoded.length > 0) assert.notEqual(decoded.buffer, encoded.buffer);
    }
  });

  it("fails on truncated, corrupted, padded and random inputs exactly as the original", () => {
    const random = seeded(23);
    for (let i = 0; i < 3000; i++) {
      const encoded = originalRlpEncode(randomItem(random, 0));
      if (encoded.length > 1) sameDecoding(encoded.subarray(0, random.int(encoded.length)), `truncated ${i}`);
      const corrupted = encoded.slice();
      corrupted[random.int(corrupted.length)] = random.int(256);
      sameDecoding(corrupted, `corrupted ${i}`);
      sameDecoding(Uint8Array.from([...encoded, random.int(256)]), `trailing byte ${i}`);
      sameDecoding(random.bytes(1 + random.int(12)), `random ${i}`);
    }
    // Non-canonical forms the original refuses: a prefixed single byte, long forms of short lengths,
    // leading zeros in a length, and a list whose length runs past the data.
    for (const hex of ["8105", "b80105", "b90001", "f800", "f90000", "f838", "c3c2c1", "bf0000000000000001"]) {
      sameDecoding(Uint8Array.from(Buffer.from(hex, "hex")), hex);
    }
  });

  it("leaves Buffers, hex strings and empty inputs to the original's handling", () => {
    const buffer = Buffer.from("c483646f67", "hex");
    assert.deepEqual(outcome(() => decodeRlp(buffer)), outcome(() => originalRlpDecode(buffer)));
    assert.deepEqual(outcome(() => decodeRlp("0xc483646f67")), outcome(() => originalRlpDecode("0xc483646f67")));
    for (const empty of [new Uint8Array(0), null, undefined, ""] as Input[]) {
      assert.deepEqual(outcome(() => decodeRlp(empty)), outcome(() => originalRlpDecode(empty)));
    }
  });
});
