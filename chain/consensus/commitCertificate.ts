/**
 * The proof that a block is final: signatures of validators over (chain id, height, round, block
 * hash). A light client checks it from the validator set alone: recover each signer, sum their
 * stake, compare with more than 2/3 of the total (for the single-validator engine: the one signer).
 *
 * The signed message is domain-separated and fixed-width so it can never be confused with an
 * Ethereum transaction or an EIP-191 / EIP-712 message:
 *   keccak256("concord/commit/v1" ‖ chainId[32] ‖ height[32] ‖ round[32] ‖ blockHash[32])
 * Signatures are 65 bytes r ‖ s ‖ v with v in {27, 28} (Ethereum's convention), low-s.
 */
import { createRequire } from "node:module";
import { bigIntToBytes, bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak256, publicKeyToAddress } from "../execution/crypto.ts";
import type { CommitCertificate, CommitSignature, Hex } from "../types.ts";
import type { Validator } from "./engine.ts";
import { ConcordError } from "../concordError.ts";

const require = createRequire(import.meta.url);
const secp256k1: typeof import("secp256k1") = require("secp256k1");

const DOMAIN = new TextEncoder().encode("concord/commit/v1");

export function commitMessageHash(chainId: bigint, height: bigint, round: number, blockHash: Hex): Uint8Array {
  const message = new Uint8Array(DOMAIN.length + 128);
  message.set(DOMAIN, 0);
  message.set(word(chainId), DOMAIN.length);
  message.set(word(height), DOMAIN.length + 32);
  message.set(word(BigInt(round)), DOMAIN.length + 64);
  message.set(hexToBytes(blockHash), DOMAIN.length + 96);
  return keccak256(message);
}

/** `signer`: the key's address when the caller knows it (deriving it costs a public-key multiplication per block). */
export function signCommit(privateKey: Uint8Array, chainId: bigint, height: bigint, round: number, blockHash: Hex, signer?: Hex): CommitSignature {
  const { signature, recid } = secp256k1.ecdsaSign(commitMessageHash(chainId, height, round, blockHash), privateKey);
  const full = new Uint8Array(65);
  full.set(signature, 0);
  full[64] = 27 + recid;
  return { validator: signer ?? addressOfKey(privateKey), signature: bytesToHex(full) as Hex };
}

export class InvalidCommitSignatureError extends ConcordError<"INVALID_COMMIT_SIGNATURE"> {
  override readonly name = "InvalidCommitSignatureError";
  constructor(readonly reason: string) {
    super("INVALID_COMMIT_SIGNATURE", `invalid commit signature: ${reason}`);
  }
}

/** The address that produced `signature` over the commit of (height, round, blockHash). */
export function recoverCommitSigner(chainId: bigint, height: bigint, round: number, blockHash: Hex, signature: Hex): Hex {
  const bytes = hexToBytes(signature);
  if (bytes.length !== 65) throw new InvalidCommitSignatureError(`expected 65 bytes, got ${bytes.length}`);
  const v = bytes[64];
  if (v !== 27 && v !== 28) throw new InvalidCommitSignatureError(`v must be 27 or 28, got ${v}`);
  const compact = bytes.slice(0, 64);
  let publicKey: Uint8Array;
  try {
    // Reject high-s (malleable) signatures: one commit, one valid encoding.
    if (!equal(secp256k1.signatureNormalize(compact.slice()), compact)) throw new InvalidCommitSignatureError("high s value");
    publicKey = secp256k1.ecdsaRecover(compact, v - 27, commitMessageHash(chainId, height, round, blockHash), false);
  } catch (error) {
    if (error instanceof InvalidCommitSignatureError) throw error;
    throw new InvalidCommitSignatureError("signature does not recover to a public key");
  }
  return bytesToHex(publicKeyToAddress(publicKey.subarray(1))) as Hex;
}

export const CertificateErrorCode = {
  WrongBlock: "WRONG_BLOCK",
  InvalidSignature: "INVALID_SIGNATURE",
  UnknownValidator: "UNKNOWN_VALIDATOR",
  DuplicateValidator: "DUPLICATE_VALIDATOR",
  InsufficientPower: "INSUFFICIENT_POWER",
} as const;
export type CertificateErrorCode = (typeof CertificateErrorCode)[keyof typeof CertificateErrorCode];

export class InvalidCertificateError extends ConcordError<CertificateErrorCode> {
  override readonly name = "InvalidCertificateError";
}

/**
 * Checks that `certificate` commits `blockHash` at `height` and carries signatures of distinct
 * members of `validators` holding more than 2/3 of the total voting power. Throws otherwise.
 */
export function verifyCommitCertificate(
  certificate: CommitCertificate,
  chainId: bigint,
  expected: { height: bigint; blockHash: Hex },
  validators: readonly Validator[],
): void {
  if (certificate.height !== expected.height || certificate.blockHash.toLowerCase() !== expected.blockHash.toLowerCase()) {
    throw new InvalidCertificateError(CertificateErrorCode.WrongBlock, `certificate is for ${certificate.height}/${certificate.blockHash}`);
  }
  const power = new Map(validators.map((v) => [v.address.toLowerCase(), v.votingPower]));
  const total = validators.reduce((sum, v) => sum + v.votingPower, 0n);
  const seen = new Set<string>();
  let signed = 0n;
  for (const entry of certificate.signatures) {
    let signer: Hex;
    try {
      signer = recoverCommitSigner(chainId, certificate.height, certificate.round, certificate.blockHash, entry.signature);
    } catch (error) {
      throw new InvalidCertificateError(CertificateErrorCode.InvalidSignature, (error as Error).message);
    }
    if (signer !== entry.validator.toLowerCase()) {
      throw new InvalidCertificateError(CertificateErrorCode.InvalidSignature, `signature of ${entry.validator} recovers to ${signer}`);
    }
    const weight = power.get(signer);
    if (weight === undefined) throw new InvalidCertificateError(CertificateErrorCode.UnknownValidator, `${signer} is not a validator`);
    if (seen.has(signer)) throw new InvalidCertificateError(CertificateErrorCode.DuplicateValidator, `${signer} signed twice`);
    seen.add(signer);
    signed += weight;
  }
  if (signed * 3n <= total * 2n) {
    throw new InvalidCertificateError(CertificateErrorCode.InsufficientPower, `signed power ${signed} of ${total} is not above 2/3`);
  }
}

export function addressOfKey(privateKey: Uint8Array): Hex {
  return bytesToHex(publicKeyToAddress(secp256k1.publicKeyCreate(privateKey, false).subarray(1))) as Hex;
}

function word(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value), 32);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
