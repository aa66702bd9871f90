import { createCipheriv, createHash } from "node:crypto";

/**
 * Kubo's deterministic test data (test/cli/testutils/random_deterministic.go): the ChaCha20 (IETF)
 * keystream under key sha256(seed), all-zero nonce, block counter from 0. Kubo's CID-profile
 * vectors are CIDs of these bytes, so importing them here must give the same CIDs.
 */
export function* deterministicBytes(size: number, seed: string, chunkSize = 1 << 20): Generator<Uint8Array> {
  const key = createHash("sha256").update(seed, "utf8").digest();
  // OpenSSL's chacha20 IV: 32-bit little-endian block counter, then the 96-bit nonce.
  const cipher = createCipheriv("chacha20", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunkSize);
  for (let remaining = size; remaining > 0; remaining -= chunkSize) {
    yield cipher.update(zeros.subarray(0, Math.min(chunkSize, remaining)));
  }
}

export function deterministicBuffer(size: number, seed: string): Buffer {
  return Buffer.concat([...deterministicBytes(size, seed)]);
}

/** Kubo's AlphabetEasy: each keystream byte picks `ALPHABET[byte % 39]`. */
const ALPHABET_EASY = "abcdefghijklmnopqrstuvwxyz01234567890-_";

/**
 * File names as Kubo's createDirectoryForHAMT* helpers make them: `count` names of `nameLength`
 * characters (the last one `lastNameLength`), read in order from a 1 MiB deterministic stream.
 */
export function deterministicNames(count: number, nameLength: number, lastNameLength: number, seed: string): string[] {
  const stream = deterministicBuffer(1 << 20, seed);
  const names: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const length = i === count - 1 ? lastNameLength : nameLength;
    let name = "";
    for (let j = 0; j < length; j++) name += ALPHABET_EASY[stream[offset + j] % ALPHABET_EASY.length];
    names.push(name);
    offset += length;
  }
  return names;
}
