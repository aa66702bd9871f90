/**
 * Catching up on decided heights over the consensus transport: a validator that sees messages of a
 * later height knows the others decided its current one, asks for that block, and commits it once the
 * block's commit certificate verifies against its own validator set and the block re-executes to the
 * same hash. This is what lets a validator that started late, missed a commit or restarted rejoin
 * without trusting anyone: a certificate signed by more than 2/3 of the power is the proof, whoever
 * relays it. (Long catch-ups from far behind belong to the node's block sync, chain/p2p/.)
 *
 * Wire: RLP [1, height] asks; RLP [2, height, block RLP, round, [[validator, signature], ...]] answers.
 */
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { CommitCertificate, Hex } from "../../types.ts";

export const COMMITS_TOPIC = "concord/commits/1";

export type CatchUpMessage =
  | { type: "request"; height: bigint }
  | { type: "commit"; height: bigint; block: Uint8Array; certificate: CommitCertificate };

export function encodeCatchUp(message: CatchUpMessage): Uint8Array {
  if (message.type === "request") return RLP.encode([1, bigIntToUnpaddedBytes(message.height)]);
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
    if (kind[0] === 1 && fields.length === 2) return { type: "request", height };
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
