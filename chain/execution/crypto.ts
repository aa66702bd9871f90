/**
 * Fast cryptography for ethereumjs: native secp256k1 recovery, WebAssembly keccak-256 and Node's
 * native (OpenSSL) SHA-256.
 *
 * Plugged into every `Common` through `customCrypto`, so it feeds transaction sender recovery, tx and
 * block hashes, trie hashing and the KECCAK256 opcode. Any deviation from the reference functions is
 * a consensus failure, so `test/chain/execution/crypto.test.ts` compares both on random inputs.
 * Measured (TOOLCHAIN.md): native recovery ~21x faster than the bundled pure-JS one; wasm keccak
 * ~30% faster end to end on blocks of transfers. SHA-256 feeds the 0x02 precompile and every block's
 * EIP-7685 requests hash, which ethereumjs otherwise computes with pure-JS SHA-256 (~30 us a block).
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { createKeccak } from "hash-wasm";
import type { CustomCrypto } from "@ethereumjs/common";
import { publicToAddress } from "@ethereumjs/util";

const require = createRequire(import.meta.url);
// The addon ships prebuilt binaries; its JS fallback (elliptic) is used only where none fits.
const secp256k1: typeof import("secp256k1") = require("secp256k1");

type Keccak = Awaited<ReturnType<typeof createKeccak>>;
let keccakHasher: Keccak | undefined;

/** Must be awaited once before `concordCrypto.keccak256` is used (hash-wasm instantiates async). */
export async function initCrypto(): Promise<void> {
  keccakHasher ??= await createKeccak(256);
}

export function keccak256(message: Uint8Array): Uint8Array {
  if (keccakHasher === undefined) throw new Error("initCrypto() must be awaited before hashing");
  keccakHasher.init();
  keccakHasher.update(message);
  return keccakHasher.digest("binary");
}

/**
 * The 20-byte address of a 64-byte public key (no 0x04 prefix), as @ethereumjs/util's
 * `publicToAddress`: with the node's keccak once `initCrypto()` ran (every consensus message and
 * certificate signature is turned into its signer's address), the bundled one before.
 */
export function publicKeyToAddress(publicKey: Uint8Array): Uint8Array {
  if (keccakHasher === undefined) return publicToAddress(publicKey);
  if (publicKey.length !== 64) throw new RangeError(`a public key is 64 bytes, got ${publicKey.length}`);
  return keccak256(publicKey).subarray(12);
}

/** Same contract as @ethereumjs/util `ecrecover`: 64-byte uncompressed public key without prefix. */
export function ecrecover(
  msgHash: Uint8Array,
  v: bigint,
  r: Uint8Array,
  s: Uint8Array,
  chainId?: bigint,
): Uint8Array {
  const recovery = v === 0n || v === 1n ? v : chainId === undefined ? v - 27n : v - (chainId * 2n + 35n);
  if (recovery !== 0n && recovery !== 1n) throw new Error("Invalid signature v value");
  const signature = new Uint8Array(64);
  signature.set(leftPad32(r), 0);
  signature.set(leftPad32(s), 32);
  // ecdsaRecover throws on an invalid signature (r or s zero or >= n), as the JS version does.
  return secp256k1.ecdsaRecover(signature, Number(recovery), msgHash, false).subarray(1);
}

function leftPad32(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 32) return bytes;
  if (bytes.length > 32) throw new Error("Invalid signature: component longer than 32 bytes");
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}

export function sha256(message: Uint8Array): Uint8Array {
  const digest = createHash("sha256").update(message).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** The `customCrypto` every Concord `Common` carries. Call `initCrypto()` first. */
export const concordCrypto: CustomCrypto = { keccak256, ecrecover, sha256 };
