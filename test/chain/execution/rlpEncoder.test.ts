/**
 * The one-allocation RLP encoder against @ethereumjs/rlp's own: the same bytes for random nested
 * inputs around every length boundary, for the structures the node encodes, and for inputs it leaves
 * to the original (strings, numbers, bigints).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RLP, type Input } from "@ethereumjs/rlp";
import { Account, bytesToHex } from "@ethereumjs/util";
import { encodeRlp, installRlpEncoder, originalRlpEncode } from "../../../chain/execution/rlpEncoder.ts";
import { seeded, type Random } from "./seededRandom.ts";

/** Lengths at which a prefix changes form: 1 byte, 55/56 (short/long), 255/256, 65535/65536. */
const LENGTHS = [0, 1, 2, 31, 32, 54, 55, 56, 57, 255, 256, 257, 65_535, 65_536];

function randomItem(random: Random, depth: number): Input {
  const roll = random.next();
  if (roll < 0.08) return null;
  if (roll < 0.1) return undefined;
  if (roll < 0.2) return Uint8Array.of(random.int(256)); // single bytes below and above 0x80
  if (depth < 4 && roll < 0.45) return Array.from({ length: random.int(20) }, () => randomItem(random, depth + 1));
  const length = random.next() < 0.3 ? LENGTHS[random.int(LENGTHS.length)]! : random.int(80);
  return random.bytes(length);
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

  it("is what RLP.encode calls once installed, and encodes accounts as before", () => {
    installRlpEncoder();
    try {
      assert.equal(RLP.encode, encodeRlp);
      const account = new Account(5n, 10n ** 21n);
      assert.equal(bytesToHex(account.serialize()), bytesToHex(originalRlpEncode(account.raw())));
      // Decoding is the original's: what was encoded decodes back.
      assert.deepEqual(RLP.decode(RLP.encode([Uint8Array.of(1, 2), [Uint8Array.of(0x80)]])), [Uint8Array.of(1, 2), [Uint8Array.of(0x80)]]);
    } finally {
      installRlpEncoder(false);
    }
    assert.equal(RLP.encode, originalRlpEncode);
  });
});
