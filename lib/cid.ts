// CIDs between their text forms (what people and IPFS tools show) and the binary form that
// ContentRegistry stores and checks. Browser-safe: multiformats and ethers only.
import { CID } from "multiformats/cid";
import { bases } from "multiformats/basics";
import type { MultibaseDecoder } from "multiformats/bases/interface";
import { getBytes, hexlify, isHexString } from "ethers";

export type CidErrorCode = "INVALID_CID" | "INVALID_CID_BYTES";

/** A CID that does not parse, told apart by `code`; `cause` holds the multiformats error. */
export class CidError extends Error {
  override readonly name = "CidError";
  constructor(
    readonly code: CidErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Every multibase multiformats ships ("b" base32, "k" base36, "z" base58btc, "m" base64, "f" base16,
// ...), by prefix: a CID copied from any IPFS tool parses.
const decoderByPrefix = new Map<string, MultibaseDecoder<string>>(
  Object.values(bases).map((base) => [base.prefix, base.decoder as MultibaseDecoder<string>]),
);

/** Parses a CID in any multibase, also written as `ipfs://<cid>` or `/ipfs/<cid>`. */
export function parseCid(text: string): CID {
  const bare = text.trim().replace(/^ipfs:\/\//, "").replace(/^\/ipfs\//, "");
  if (bare.length === 0 || bare.includes("/")) throw new CidError("INVALID_CID", `not a CID: "${text}"`);
  const prefix = String.fromCodePoint(bare.codePointAt(0)!);
  // A CIDv0 is bare base58btc ("Qm..."), without a multibase prefix: CID.parse knows it.
  const decoder = prefix === "Q" ? undefined : decoderByPrefix.get(prefix);
  if (prefix !== "Q" && decoder === undefined) {
    throw new CidError("INVALID_CID", `not a CID: "${text}" (unknown multibase prefix "${prefix}")`);
  }
  try {
    return CID.parse(bare, decoder);
  } catch (cause) {
    throw new CidError("INVALID_CID", `not a CID: "${text}"`, { cause });
  }
}

/** The binary CID of `cid` (CIDv0 stays v0: 34 bytes). */
export function cidToBytes(cid: string | CID): Uint8Array {
  return typeof cid === "string" ? parseCid(cid).bytes : cid.bytes;
}

/** The binary CID as 0x-hex, as contract calls take `bytes`. */
export function cidToHex(cid: string | CID): string {
  return hexlify(cidToBytes(cid));
}

/** Decodes a binary CID (bytes or 0x-hex, e.g. read from ContentRegistry); refuses trailing bytes. */
export function cidFromBytes(bytes: Uint8Array | string): CID {
  let raw: Uint8Array;
  if (typeof bytes === "string") {
    if (!isHexString(bytes)) throw new CidError("INVALID_CID_BYTES", `not 0x-hex: "${bytes}"`);
    raw = getBytes(bytes);
  } else {
    raw = bytes;
  }
  try {
    return CID.decode(raw);
  } catch (cause) {
    throw new CidError("INVALID_CID_BYTES", `not a binary CID: ${hexlify(raw)}`, { cause });
  }
}

/** The usual text form of a binary CID: base58btc "Qm..." for CIDv0, base32 "b..." for CIDv1. */
export function cidBytesToString(bytes: Uint8Array | string): string {
  return cidFromBytes(bytes).toString();
}
