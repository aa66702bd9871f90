import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { addressOfKey, verifyCommitCertificate } from "../../../chain/consensus/commitCertificate.ts";
import {
  decodeMessage,
  encodeMessage,
  MAX_VOTE_BYTES,
  recoverSigner,
  signMessage,
  type ConsensusMessage,
  type Proposal,
  type Vote,
} from "../../../chain/consensus/messages.ts";
import { initCrypto } from "../../../chain/execution/crypto.ts";
import { MAX_ROUND, type Hex } from "../../../chain/types.ts";

const CHAIN_ID = 31337n;
const keys = [1, 2, 3, 4].map((n) => hexToBytes(`0x${n.toString(16).padStart(64, "0")}`));
const addresses = keys.map(addressOfKey);
const BLOCK_HASH = `0x${"ab".repeat(32)}` as Hex;
const proposal: Proposal = { type: "proposal", height: 7n, round: 2, polRound: 1, blockHash: BLOCK_HASH, block: new Uint8Array([0xc0, 1, 2, 3]) };
const prevote: Vote = { type: "prevote", height: 7n, round: 2, blockHash: BLOCK_HASH };
const precommit: Vote = { type: "precommit", height: 7n, round: 2, blockHash: BLOCK_HASH };

/** Wire bytes with chosen fields, to build what an honest encoder never would. */
function rawMessage(fields: Partial<Record<"type" | "height" | "round" | "polRound" | "hash" | "block" | "signature", Uint8Array>>): Uint8Array {
  const valid = hexToBytes(signMessage(keys[0]!, CHAIN_ID, prevote).signature);
  return RLP.encode([
    fields.type ?? Uint8Array.of(2),
    fields.height ?? Uint8Array.of(7),
    fields.round ?? Uint8Array.of(2),
    fields.polRound ?? new Uint8Array(),
    fields.hash ?? hexToBytes(BLOCK_HASH),
    fields.block ?? new Uint8Array(),
    fields.signature ?? valid,
  ]);
}

describe("consensus messages", () => {
  before(() => initCrypto());

  it("round-trip through the wire with their signer recovered, for every type, nil votes and round 0 included", () => {
    const messages: ConsensusMessage[] = [
      proposal,
      { ...proposal, round: 0, polRound: -1, height: 0n },
      prevote,
      { ...prevote, blockHash: null },
      precommit,
      { ...precommit, blockHash: null, round: MAX_ROUND },
    ];
    for (const message of messages) {
      const signed = signMessage(keys[1]!, CHAIN_ID, message);
      const decoded = decodeMessage(CHAIN_ID, encodeMessage(signed));
      assert.deepEqual(decoded.message, message);
      assert.equal(decoded.signature, signed.signature);
      assert.equal(decoded.signer, addresses[1]);
    }
  });

  it("precommits for a block are commit signatures: three of four make a certificate that verifies", () => {
    const validators = addresses.map((address) => ({ address, votingPower: 10n }));
    const signatures = keys.slice(0, 3).map((key, index) => ({ validator: addresses[index]!, signature: signMessage(key, CHAIN_ID, precommit).signature }));
    verifyCommitCertificate({ height: 7n, round: 2, blockHash: BLOCK_HASH, signatures }, CHAIN_ID, { height: 7n, blockHash: BLOCK_HASH }, validators);
    // A prevote's signature is not a precommit's: as a certificate entry it recovers to someone else.
    const prevotes = keys.slice(0, 3).map((key, index) => ({ validator: addresses[index]!, signature: signMessage(key, CHAIN_ID, prevote).signature }));
    assert.throws(
      () => verifyCommitCertificate({ height: 7n, round: 2, blockHash: BLOCK_HASH, signatures: prevotes }, CHAIN_ID, { height: 7n, blockHash: BLOCK_HASH }, validators),
      { code: "INVALID_SIGNATURE" },
    );
  });

  it("are domain-separated: a signature moved to another type, round, block or chain recovers to another address", () => {
    const signature = signMessage(keys[0]!, CHAIN_ID, prevote).signature;
    for (const other of [
      { message: precommit, chainId: CHAIN_ID },
      { message: { ...prevote, blockHash: null }, chainId: CHAIN_ID },
      { message: { ...prevote, round: 3 }, chainId: CHAIN_ID },
      { message: { ...prevote, height: 8n }, chainId: CHAIN_ID },
      { message: prevote, chainId: 1n },
      { message: { ...proposal, polRound: -1 }, chainId: CHAIN_ID },
    ]) {
      assert.notEqual(recoverSigner(other.chainId, { message: other.message as ConsensusMessage, signature }), addresses[0]);
    }
    assert.equal(recoverSigner(CHAIN_ID, { message: prevote, signature }), addresses[0]);
  });

  it("refuses malformed bytes with a typed error naming what is wrong", () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["garbage", Uint8Array.of(0xff, 0x00, 0x12), /not RLP/],
      ["not a list", RLP.encode(Uint8Array.of(1, 2, 3)), /list of 7/],
      ["six fields", RLP.encode([1, 2, 3, 4, 5, 6]), /list of 7/],
      ["nested list", RLP.encode([1, 2, 3, 4, [5], 6, 7]), /list of 7 byte strings/],
      ["unknown type", rawMessage({ type: Uint8Array.of(9) }), /unknown message type/],
      ["height with a leading zero", rawMessage({ height: Uint8Array.of(0, 7) }), /height has a leading zero/],
      ["height wider than 64 bits", rawMessage({ height: new Uint8Array(9).fill(1) }), /height is wider/],
      ["round above the bound", rawMessage({ round: Uint8Array.of(0x80, 0, 0, 0) }), /round 2147483648 is above/],
      ["31-byte hash", rawMessage({ hash: new Uint8Array(31).fill(1) }), /block hash of 31 bytes/],
      ["a vote with a block", rawMessage({ block: Uint8Array.of(1) }), /a vote with proposal fields/],
      ["a proposal without a block", rawMessage({ type: Uint8Array.of(1), polRound: new Uint8Array() }), /a proposal without a block/],
      ["a nil proposal", rawMessage({ type: Uint8Array.of(1), hash: new Uint8Array(), block: Uint8Array.of(1) }), /block hash of 0 bytes/],
      ["polRound not below round", rawMessage({ type: Uint8Array.of(1), polRound: Uint8Array.of(3), block: Uint8Array.of(1) }), /polRound 2 is not below round 2/],
      ["64-byte signature", rawMessage({ signature: new Uint8Array(64).fill(1) }), /signature is 64 bytes/],
      ["v of 29", rawMessage({ signature: Uint8Array.of(...new Uint8Array(64).fill(1), 29) }), /v must be 27 or 28/],
      ["oversized vote", rawMessage({ hash: hexToBytes(BLOCK_HASH), block: new Uint8Array(0), signature: new Uint8Array(MAX_VOTE_BYTES).fill(1) }), /above the 256-byte limit/],
    ];
    for (const [name, bytes, reason] of cases) {
      assert.throws(() => decodeMessage(CHAIN_ID, bytes), (error: Error & { code?: string }) => {
        assert.equal(error.code, "MALFORMED_CONSENSUS_MESSAGE", name);
        assert.match(error.message, reason, name);
        return true;
      });
    }
  });

  it("refuses the high-s twin of a valid signature", () => {
    const signature = hexToBytes(signMessage(keys[0]!, CHAIN_ID, prevote).signature);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(bytesToHex(signature.slice(32, 64)));
    const twin = new Uint8Array(signature);
    twin.set(hexToBytes(`0x${(n - s).toString(16).padStart(64, "0")}`), 32);
    twin[64] = signature[64] === 27 ? 28 : 27;
    assert.throws(() => recoverSigner(CHAIN_ID, { message: prevote, signature: bytesToHex(twin) as Hex }), /high s value/);
  });

  it("never encodes a message out of range", () => {
    assert.throws(() => encodeMessage({ message: { ...prevote, round: MAX_ROUND + 1 }, signature: "0x" }), RangeError);
    assert.throws(() => encodeMessage({ message: { ...proposal, polRound: 2 }, signature: "0x" }), RangeError);
    assert.throws(() => encodeMessage({ message: { ...prevote, height: -1n }, signature: "0x" }), RangeError);
    assert.throws(() => encodeMessage({ message: { ...prevote, blockHash: "0x1234" }, signature: "0x" }), RangeError);
  });
});
