/**
 * The messages validators sign and send each other: a proposal of a block for (height, round), and
 * the two votes on it, prevote and precommit (Tendermint's three steps).
 *
 * What is signed is fixed-width and domain-separated per type, so that a signature for one kind of
 * message can never be replayed as another, nor as an Ethereum transaction or an EIP-191 / EIP-712
 * message:
 *   proposal   keccak256("concord/proposal/v1"  ‖ chainId ‖ height ‖ round ‖ polRound + 1 ‖ blockHash)
 *   prevote    keccak256("concord/prevote/v1"   ‖ chainId ‖ height ‖ round ‖ blockHash or 32 zero bytes)
 *   precommit  for a block: commitMessageHash(chainId, height, round, blockHash) (commitCertificate.ts),
 *              so the precommits of more than 2/3 of the power ARE the block's commit certificate;
 *              nil: keccak256("concord/precommit/v1" ‖ chainId ‖ height ‖ round ‖ 32 zero bytes)
 * (each number a 32-byte big-endian word; polRound + 1 so that "no valid round", -1, is 0).
 *
 * On the wire a signed message is RLP: [type, height, round, polRound + 1, blockHash, block,
 * signature], where votes carry an empty polRound and block, and a nil vote an empty blockHash.
 * Decoding is strict: canonical integers only, every length checked, sizes bounded before any
 * allocation grows with the input; anything else is a MalformedMessageError that names what is wrong.
 * The signer is recovered from the signature; whether it is a validator of that height is the
 * consensus engine's check, as is whether a proposal's block hashes to its blockHash.
 */
import { createRequire } from "node:module";
import { RLP } from "@ethereumjs/rlp";
import { bigIntToBytes, bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak256, publicKeyToAddress } from "../execution/crypto.ts";
import { ConcordError } from "../concordError.ts";
import { MAX_ROUND, type Hex, type Round } from "../types.ts";
import { commitMessageHash } from "./commitCertificate.ts";

const require = createRequire(import.meta.url);
const secp256k1: typeof import("secp256k1") = require("secp256k1");

/** The three steps a validator signs for, in the order they happen within a round. */
export type SignedStep = "proposal" | "prevote" | "precommit";

export interface Proposal {
  type: "proposal";
  height: bigint;
  round: Round;
  /** The round in which the proposed block got +2/3 prevotes (Tendermint's validRound), or -1. */
  polRound: number;
  blockHash: Hex;
  /** The proposed Ethereum block, RLP-encoded. */
  block: Uint8Array;
}

export interface Vote {
  type: "prevote" | "precommit";
  height: bigint;
  round: Round;
  /** The block voted for; null is a nil vote. */
  blockHash: Hex | null;
}

export type ConsensusMessage = Proposal | Vote;

export interface SignedMessage<M extends ConsensusMessage = ConsensusMessage> {
  message: M;
  /** 65 bytes r ‖ s ‖ v, v in {27, 28}, low s. */
  signature: Hex;
}

/** A received message with the address its signature recovers to (lowercase). */
export interface VerifiedMessage<M extends ConsensusMessage = ConsensusMessage> extends SignedMessage<M> {
  signer: Hex;
}

/** The largest proposal accepted: a block of 30M gas of zero-byte calldata is ~7.5 MB. */
export const MAX_PROPOSAL_BYTES = 8 * 1024 * 1024;
/** A vote is ~120 bytes; anything much larger is not a vote. */
export const MAX_VOTE_BYTES = 256;

const TYPE_CODE = { proposal: 1, prevote: 2, precommit: 3 } as const;
const TYPE_OF_CODE = [undefined, "proposal", "prevote", "precommit"] as const;
const DOMAINS = {
  proposal: new TextEncoder().encode("concord/proposal/v1"),
  prevote: new TextEncoder().encode("concord/prevote/v1"),
  precommit: new TextEncoder().encode("concord/precommit/v1"),
};
const ZERO_HASH = new Uint8Array(32);

export class MalformedMessageError extends ConcordError<"MALFORMED_CONSENSUS_MESSAGE", { reason: string }> {
  override readonly name = "MalformedMessageError";
  constructor(reason: string) {
    super("MALFORMED_CONSENSUS_MESSAGE", `malformed consensus message: ${reason}`, { data: { reason } });
  }
}

/** The 32 bytes a validator signs for `message` on chain `chainId`. */
export function signingHash(chainId: bigint, message: ConsensusMessage): Uint8Array {
  checkMessage(message);
  if (message.type === "precommit" && message.blockHash !== null) {
    return commitMessageHash(chainId, message.height, message.round, message.blockHash);
  }
  const domain = DOMAINS[message.type];
  const words = [word(chainId), word(message.height), word(BigInt(message.round))];
  if (message.type === "proposal") words.push(word(BigInt(message.polRound + 1)));
  words.push(message.blockHash === null ? ZERO_HASH : hexToBytes(message.blockHash));
  const preimage = new Uint8Array(domain.length + 32 * words.length);
  preimage.set(domain, 0);
  words.forEach((w, index) => preimage.set(w, domain.length + 32 * index));
  return keccak256(preimage);
}

/** Signs `message` with a raw secp256k1 key (the sign guard decides whether it may be signed). */
export function signMessage<M extends ConsensusMessage>(privateKey: Uint8Array, chainId: bigint, message: M): SignedMessage<M> {
  const { signature, recid } = secp256k1.ecdsaSign(signingHash(chainId, message), privateKey);
  const full = new Uint8Array(65);
  full.set(signature, 0);
  full[64] = 27 + recid;
  return { message, signature: bytesToHex(full) as Hex };
}

/** The address that signed `signed` on chain `chainId`; throws MalformedMessageError for a bad signature. */
export function recoverSigner(chainId: bigint, signed: SignedMessage): Hex {
  const bytes = hexToBytes(signed.signature);
  if (bytes.length !== 65) throw new MalformedMessageError(`signature is ${bytes.length} bytes, expected 65`);
  const v = bytes[64]!;
  if (v !== 27 && v !== 28) throw new MalformedMessageError(`signature v must be 27 or 28, got ${v}`);
  const compact = bytes.slice(0, 64);
  let publicKey: Uint8Array;
  try {
    // One message, one valid encoding: a high-s twin of a signature is refused.
    if (!sameBytes(secp256k1.signatureNormalize(compact.slice()), compact)) throw new MalformedMessageError("signature has a high s value");
    publicKey = secp256k1.ecdsaRecover(compact, v - 27, signingHash(chainId, signed.message), false);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw error;
    throw new MalformedMessageError("signature does not recover to a public key");
  }
  return bytesToHex(publicKeyToAddress(publicKey.subarray(1))) as Hex;
}

/** The wire bytes of a signed message. */
export function encodeMessage(signed: SignedMessage): Uint8Array {
  const { message } = signed;
  checkMessage(message);
  const isProposal = message.type === "proposal";
  return RLP.encode([
    TYPE_CODE[message.type],
    bigIntToUnpaddedBytes(message.height),
    bigIntToUnpaddedBytes(BigInt(message.round)),
    isProposal ? bigIntToUnpaddedBytes(BigInt(message.polRound + 1)) : new Uint8Array(),
    message.blockHash === null ? new Uint8Array() : hexToBytes(message.blockHash),
    isProposal ? message.block : new Uint8Array(),
    hexToBytes(signed.signature),
  ]);
}

/** Decodes wire bytes and recovers the signer; throws MalformedMessageError for anything malformed. */
export function decodeMessage(chainId: bigint, bytes: Uint8Array): VerifiedMessage {
  if (bytes.length > MAX_PROPOSAL_BYTES + 1024) throw new MalformedMessageError(`${bytes.length} bytes is above the ${MAX_PROPOSAL_BYTES}-byte limit`);
  let fields: unknown;
  try {
    fields = RLP.decode(bytes);
  } catch (error) {
    throw new MalformedMessageError(`not RLP (${(error as Error).message})`);
  }
  if (!Array.isArray(fields) || fields.length !== 7 || !fields.every((field) => field instanceof Uint8Array)) {
    throw new MalformedMessageError("expected a list of 7 byte strings");
  }
  const [typeBytes, heightBytes, roundBytes, polRoundBytes, hashBytes, block, signature] = fields as Uint8Array[];
  const type = typeBytes!.length === 1 ? TYPE_OF_CODE[typeBytes![0]!] : undefined;
  if (type === undefined) throw new MalformedMessageError("unknown message type");
  if (type !== "proposal" && bytes.length > MAX_VOTE_BYTES) throw new MalformedMessageError(`a vote of ${bytes.length} bytes is above the ${MAX_VOTE_BYTES}-byte limit`);
  const height = canonicalInteger(heightBytes!, "height", 8);
  const round = Number(canonicalInteger(roundBytes!, "round", 4));
  if (round > MAX_ROUND) throw new MalformedMessageError(`round ${round} is above ${MAX_ROUND}`);
  let blockHash: Hex | null;
  if (hashBytes!.length === 32) blockHash = bytesToHex(hashBytes!) as Hex;
  else if (hashBytes!.length === 0 && type !== "proposal") blockHash = null;
  else throw new MalformedMessageError(`block hash of ${hashBytes!.length} bytes`);
  let message: ConsensusMessage;
  if (type === "proposal") {
    const polRound = Number(canonicalInteger(polRoundBytes!, "polRound", 4)) - 1;
    if (polRound >= round) throw new MalformedMessageError(`polRound ${polRound} is not below round ${round}`);
    if (block!.length === 0) throw new MalformedMessageError("a proposal without a block");
    message = { type, height, round, polRound, blockHash: blockHash!, block: block! };
  } else {
    if (polRoundBytes!.length !== 0 || block!.length !== 0) throw new MalformedMessageError("a vote with proposal fields");
    message = { type, height, round, blockHash };
  }
  const signed = { message, signature: bytesToHex(signature!) as Hex };
  return { ...signed, signer: recoverSigner(chainId, signed) };
}

/** The step a message is signed at (a proposal, a prevote or a precommit). */
export function stepOf(message: ConsensusMessage): SignedStep {
  return message.type;
}

function checkMessage(message: ConsensusMessage): void {
  if (message.height < 0n || message.height >= 2n ** 64n) throw new RangeError(`height ${message.height} is out of range`);
  if (!Number.isInteger(message.round) || message.round < 0 || message.round > MAX_ROUND) throw new RangeError(`round ${message.round} is out of range`);
  if (message.type === "proposal" && (!Number.isInteger(message.polRound) || message.polRound < -1 || message.polRound >= message.round)) {
    throw new RangeError(`polRound ${message.polRound} must be -1 or a round below ${message.round}`);
  }
  if (message.blockHash !== null && !/^0x[0-9a-fA-F]{64}$/.test(message.blockHash)) throw new RangeError(`block hash ${message.blockHash} is not 32 bytes of hex`);
}

function canonicalInteger(bytes: Uint8Array, field: string, maxBytes: number): bigint {
  if (bytes.length > maxBytes) throw new MalformedMessageError(`${field} is wider than ${maxBytes} bytes`);
  if (bytes.length > 0 && bytes[0] === 0) throw new MalformedMessageError(`${field} has a leading zero`);
  return bytesToBigInt(bytes);
}

function word(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value), 32);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
