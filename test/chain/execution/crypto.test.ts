import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { bytesToHex, ecrecover as referenceEcrecover, publicToAddress } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 as referenceSha256 } from "@noble/hashes/sha2.js";
import { ecrecover, initCrypto, keccak256, publicKeyToAddress, sha256 } from "../../../chain/execution/crypto.ts";
import { seeded, withSeed, type Random } from "./seededRandom.ts";

const require = createRequire(import.meta.url);
const secp256k1: typeof import("secp256k1") = require("secp256k1");

test("keccak256 equals the bundled keccak-256 on random inputs of every length up to 600 bytes", async () => {
  await initCrypto();
  await withSeed(301, (random) => {
    for (let length = 0; length <= 600; length++) {
      const message = random.bytes(length);
      assert.equal(bytesToHex(keccak256(message)), bytesToHex(keccak_256(message)), `length ${length}`);
    }
  });
});

test("sha256 equals the bundled SHA-256 on random inputs of every length up to 300 bytes", () =>
  withSeed(303, (random) => {
    for (let length = 0; length <= 300; length++) {
      const message = random.bytes(length);
      assert.equal(bytesToHex(sha256(message)), bytesToHex(referenceSha256(message)), `length ${length}`);
    }
  }));

test("ecrecover equals @ethereumjs/util's for random keys and messages, with v as 0/1, 27/28 and EIP-155", () =>
  withSeed(302, (random) => {
    for (let i = 0; i < 200; i++) {
      const privateKey = randomPrivateKey(random);
      const hash = random.bytes(32);
      const { signature, recid } = secp256k1.ecdsaSign(hash, privateKey);
      const r = signature.subarray(0, 32);
      const s = signature.subarray(32, 64);
      const chainId = BigInt(1 + random.int(100_000));
      const cases: [bigint, bigint | undefined][] = [
        [BigInt(recid), undefined],
        [BigInt(27 + recid), undefined],
        [chainId * 2n + 35n + BigInt(recid), chainId],
      ];
      for (const [v, id] of cases) {
        assert.equal(bytesToHex(ecrecover(hash, v, r, s, id)), bytesToHex(referenceEcrecover(hash, v, r, s, id)), `v=${v}`);
      }
    }
  }));

test("ecrecover accepts r and s shorter than 32 bytes (unpadded, as transactions carry them)", () =>
  withSeed(303, (random) => {
    let short = 0;
    for (let i = 0; short < 8 && i < 100_000; i++) {
      const hash = random.bytes(32);
      const { signature, recid } = secp256k1.ecdsaSign(hash, randomPrivateKey(random));
      const r = stripLeadingZeros(signature.subarray(0, 32));
      const s = stripLeadingZeros(signature.subarray(32, 64));
      if (r.length === 32 && s.length === 32) continue;
      short++;
      assert.equal(bytesToHex(ecrecover(hash, 27n + BigInt(recid), r, s)), bytesToHex(referenceEcrecover(hash, 27n + BigInt(recid), r, s)));
    }
    assert.equal(short, 8);
  }));

test("ecrecover rejects an invalid v like the reference does", () => {
  const random = seeded(304);
  const hash = random.bytes(32);
  const { signature } = secp256k1.ecdsaSign(hash, randomPrivateKey(random));
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32, 64);
  assert.throws(() => referenceEcrecover(hash, 29n, r, s));
  assert.throws(() => ecrecover(hash, 29n, r, s), /Invalid signature v value/);
});

test("ecrecover rejects r = 0 like the reference does", () => {
  const random = seeded(305);
  const hash = random.bytes(32);
  const r = new Uint8Array(32);
  const s = random.bytes(32);
  assert.throws(() => referenceEcrecover(hash, 27n, r, s));
  assert.throws(() => ecrecover(hash, 27n, r, s));
});

function randomPrivateKey(random: Random): Uint8Array {
  for (;;) {
    const key = random.bytes(32);
    if (secp256k1.privateKeyVerify(key)) return key;
  }
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}


test("publicKeyToAddress equals @ethereumjs/util's publicToAddress, and refuses a key that is not 64 bytes", async () => {
  await initCrypto();
  await withSeed(304, (random) => {
    for (let i = 0; i < 50; i++) {
      const publicKey = secp256k1.publicKeyCreate(randomPrivateKey(random), false).subarray(1);
      assert.equal(bytesToHex(publicKeyToAddress(publicKey)), bytesToHex(publicToAddress(publicKey)));
    }
  });
  assert.throws(() => publicKeyToAddress(new Uint8Array(65)), RangeError);
});
