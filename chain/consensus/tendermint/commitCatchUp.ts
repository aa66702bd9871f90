/**
 * Catching up on decided heights over the consensus transport: a validator that sees messages of a
 * later height knows the others decided its current one, asks for that block, and commits it once the
 * block's commit certificate verifies against its own validator set and the block re-executes to the
 * same hash. This is what lets a validator that started late, missed a commit or restarted rejoin
 * without trusting anyone: a certificate signed by more than 2/3 of the power is the proof, whoever
 * relays it.
 *
 * A request names a range: the height asked for and how many after it (at most MAX_CATCH_UP_RANGE),
 * so a node far behind (it was down, or joins late) fetches a batch per round trip; the peer answers
 * with one commit message per height it has, up to MAX_CATCH_UP_BYTES, and the asker applies them in
 * height order, each checked against the validator set of its own height, then asks for the next range.
 *
 * Wire: RLP [1, height] or [1, height, count] asks; RLP [2, height, block RLP, round,
 * [[validator, signature], ...]] answers one height.
 */
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { CommitCertificate, Hex } from "../../types.ts";

export const COMMITS_TOPIC = "concord/commits/1";
/** Heights one request may ask for. */
export const MAX_CATCH_UP_RANGE = 64;
/** Bytes of blocks one answer sends at most (at least one block, whatever its size). */
export const MAX_CATCH_UP_BYTES = 4 * 1024 * 1024;

export type CatchUpMessage =
  | { type: "request"; height: bigint; count: number }
  | { type: "commit"; height: bigint; block: Uint8Array; certificate: CommitCertificate };

export function encodeCatchUp(message: CatchUpMessage): Uint8Array {
  if (message.type === "request") return RLP.encode([1, bigIntToUnpaddedBytes(message.height), message.count]);
  const { certificate } = message;
  return RLP.encode([
    2,
    bigIntToUnpaddedBytes(message.height),
    message.block,
    bigIntToUnpaddedBytes(BigInt(certificate.round)),
    certificate.signatures.map((s) => [hexToBytes(s.validator), hexToBytes(s.signature)]),
  ]);
}

/** Decodes a catch-up message; undefined for anything malformed. */
export function decodeCatchUp(bytes: Uint8Array, blockHashOf: (block: Uint8Array) => Hex): CatchUpMessage | undefined {
  try {
    const fields = RLP.decode(bytes) as unknown[];
    if (!Array.isArray(fields)) return undefined;
    const kind = fields[0] as Uint8Array;
    if (kind.length !== 1) return undefined;
    const height = bytesToBigInt(fields[1] as Uint8Array);
    if (kind[0] === 1 && fields.length === 2) return { type: "request", height, count: 1 };
    if (kind[0] === 1 && fields.length === 3) {
      const count = Number(bytesToBigInt(fields[2] as Uint8Array));
      return count >= 1 && count <= MAX_CATCH_UP_RANGE ? { type: "request", height, count } : undefined;
    }
    if (kind[0] !== 2 || fields.length !== 5) return undefined;
    const block = fields[2] as Uint8Array;
    const round = Number(bytesToBigInt(fields[3] as Uint8Array));
    const signatures = (fields[4] as Uint8Array[][]).map(([validator, signature]) => {
      if (validator!.length !== 20 || signature!.length !== 65) throw new Error("bad signature entry");
      return { validator: bytesToHex(validator!) as Hex, signature: bytesToHex(signature!) as Hex };
    });
    return { type: "commit", height, block, certificate: { height, round, blockHash: blockHashOf(block), signatures } };
  } catch {
    return undefined;
  }
}
