import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import {
  CertificateErrorCode,
  InvalidCertificateError,
  InvalidCommitSignatureError,
  addressOfKey,
  recoverCommitSigner,
  signCommit,
  verifyCommitCertificate,
} from "../../../chain/consensus/commitCertificate.ts";
import { initCrypto } from "../../../chain/execution/crypto.ts";
import type { CommitCertificate, Hex } from "../../../chain/types.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const CHAIN = 31337n;
const keys = Array.from({ length: 4 }, (_, i) => hexToBytes(`0x${(i + 1).toString(16).padStart(64, "0")}`));
const validators = keys.map((key) => ({ address: addressOfKey(key), votingPower: 10n }));
const blockHash = bytesToHex(randomBytes(32)) as Hex;

function certificate(signers: Uint8Array[], height = 5n, round = 1): CommitCertificate {
  return { height, round, blockHash, signatures: signers.map((key) => signCommit(key, CHAIN, height, round, blockHash)) };
}

function rejects(fn: () => void, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof InvalidCertificateError && error.code === code);
}

test("a commit signature recovers to the signing validator's address", async () => {
  await initCrypto();
  const signature = signCommit(keys[0], CHAIN, 7n, 2, blockHash);
  assert.equal(signature.validator, validators[0].address);
  assert.equal(recoverCommitSigner(CHAIN, 7n, 2, blockHash, signature.signature), validators[0].address);
  // Any other height, round, hash or chain recovers someone else.
  assert.notEqual(recoverCommitSigner(CHAIN, 8n, 2, blockHash, signature.signature), validators[0].address);
  assert.notEqual(recoverCommitSigner(CHAIN, 7n, 3, blockHash, signature.signature), validators[0].address);
  assert.notEqual(recoverCommitSigner(1n, 7n, 2, blockHash, signature.signature), validators[0].address);
});

test("a malleated high-s signature and a malformed one are refused", async () => {
  await initCrypto();
  const { signature } = signCommit(keys[0], CHAIN, 7n, 2, blockHash);
  const bytes = hexToBytes(signature);
  const s = BigInt(bytesToHex(bytes.subarray(32, 64)));
  const high = new Uint8Array(bytes);
  high.set(hexToBytes(`0x${(N - s).toString(16).padStart(64, "0")}`), 32);
  high[64] = bytes[64] === 27 ? 28 : 27;
  assert.throws(() => recoverCommitSigner(CHAIN, 7n, 2, blockHash, bytesToHex(high) as Hex), InvalidCommitSignatureError);
  assert.throws(() => recoverCommitSigner(CHAIN, 7n, 2, blockHash, bytesToHex(bytes.subarray(0, 64)) as Hex), InvalidCommitSignatureError);
  const badV = new Uint8Array(bytes);
  badV[64] = 2;
  assert.throws(() => recoverCommitSigner(CHAIN, 7n, 2, blockHash, bytesToHex(badV) as Hex), InvalidCommitSignatureError);
});

test("a certificate with more than 2/3 of the voting power verifies; exactly 2/3 does not", async () => {
  await initCrypto();
  verifyCommitCertificate(certificate(keys.slice(0, 3)), CHAIN, { height: 5n, blockHash }, validators);
  rejects(() => verifyCommitCertificate(certificate(keys.slice(0, 2)), CHAIN, { height: 5n, blockHash }, validators), CertificateErrorCode.InsufficientPower);
  const weighted = validators.map((v, i) => ({ ...v, votingPower: i === 0 ? 31n : 1n }));
  verifyCommitCertificate(certificate([keys[0]]), CHAIN, { height: 5n, blockHash }, weighted);
});

test("certificates for another block, with a stranger, a duplicate or a forged entry are refused", async () => {
  await initCrypto();
  const good = certificate(keys.slice(0, 3));
  rejects(() => verifyCommitCertificate(good, CHAIN, { height: 6n, blockHash }, validators), CertificateErrorCode.WrongBlock);
  const stranger = hexToBytes(`0x${"77".repeat(32)}`);
  rejects(() => verifyCommitCertificate(certificate([...keys.slice(0, 3), stranger]), CHAIN, { height: 5n, blockHash }, validators), CertificateErrorCode.UnknownValidator);
  rejects(() => verifyCommitCertificate(certificate([keys[0], keys[1], keys[0]]), CHAIN, { height: 5n, blockHash }, validators), CertificateErrorCode.DuplicateValidator);
  const forged = { ...good, signatures: [{ ...good.signatures[0], validator: validators[3].address }, ...good.signatures.slice(1)] };
  rejects(() => verifyCommitCertificate(forged, CHAIN, { height: 5n, blockHash }, validators), CertificateErrorCode.InvalidSignature);
});
