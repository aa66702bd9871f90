/**
 * IPNS records (specs.ipfs.tech/ipns/ipns-record), V2 signatures: the protobuf IpnsEntry whose
 * `data` field is the DAG-CBOR of {Value, Validity, ValidityType, Sequence, TTL}, signed by the name's
 * key over "ipns-signature:" + data. Written here because @helia/ipns keeps its record functions
 * internal; the encoding is small and the spec is exact. V1-only records are refused, as the spec
 * now recommends.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { PrivateKey, PublicKey } from "@libp2p/interface";
import { IpfsError } from "./errors.ts";

export interface IpnsRecord {
  /** The path the name points to, e.g. /ipfs/<cid>. */
  value: string;
  /** Expiry (ValidityType 0: an RFC 3339 date). */
  validity: Date;
  sequence: bigint;
  /** How long a resolver may cache it, in nanoseconds. */
  ttlNs: bigint;
}

const SIGNATURE_PREFIX = new TextEncoder().encode("ipns-signature:");
const FIELD = { value: 1, validityType: 3, validity: 4, sequence: 5, ttl: 6, signatureV2: 8, data: 9 } as const;
/** The spec's cap on a record. */
export const MAX_RECORD_BYTES = 10 * 1024;

export async function createIpnsRecord(key: PrivateKey, record: IpnsRecord): Promise<Uint8Array> {
  const value = new TextEncoder().encode(record.value);
  const validity = new TextEncoder().encode(rfc3339(record.validity));
  const data = dagCbor.encode({ Value: value, Validity: validity, ValidityType: 0, Sequence: record.sequence, TTL: record.ttlNs });
  const signature = await key.sign(concat(SIGNATURE_PREFIX, data));
  return concat(
    bytesField(FIELD.value, value),
    varintField(FIELD.validityType, 0n),
    bytesField(FIELD.validity, validity),
    varintField(FIELD.sequence, record.sequence),
    varintField(FIELD.ttl, record.ttlNs),
    bytesField(FIELD.signatureV2, signature),
    bytesField(FIELD.data, data),
  );
}

/** The record if `bytes` is one signed by `publicKey` and not expired at `now`; throws saying why not. */
export async function verifyIpnsRecord(bytes: Uint8Array, publicKey: PublicKey, now = new Date()): Promise<IpnsRecord> {
  if (bytes.length > MAX_RECORD_BYTES) throw invalid(`record is ${bytes.length} bytes, over the ${MAX_RECORD_BYTES}-byte limit`);
  const fields = decodeFields(bytes);
  const signature = fields.get(FIELD.signatureV2);
  const data = fields.get(FIELD.data);
  if (!(signature instanceof Uint8Array) || !(data instanceof Uint8Array)) throw invalid("record has no V2 signature or data");
  if (!(await publicKey.verify(concat(SIGNATURE_PREFIX, data), signature))) throw invalid("record signature does not match the name's key");
  let decoded: { Value?: unknown; Validity?: unknown; ValidityType?: unknown; Sequence?: unknown; TTL?: unknown };
  try {
    decoded = dagCbor.decode(data);
  } catch {
    throw invalid("record data is not DAG-CBOR");
  }
  if (!(decoded.Value instanceof Uint8Array) || !(decoded.Validity instanceof Uint8Array) || decoded.ValidityType !== 0) throw invalid("record data lacks Value or an EOL validity");
  const validity = new Date(new TextDecoder().decode(decoded.Validity));
  if (Number.isNaN(validity.getTime())) throw invalid("record validity is not a date");
  if (validity <= now) throw invalid(`record expired at ${validity.toISOString()}`);
  return {
    value: new TextDecoder().decode(decoded.Value),
    validity,
    sequence: BigInt(decoded.Sequence as number | bigint),
    ttlNs: BigInt((decoded.TTL as number | bigint | undefined) ?? 0),
  };
}

function invalid(reason: string): IpfsError {
  return new IpfsError("IPFS_INVALID_ARGUMENT", `invalid IPNS record: ${reason}`);
}

/** RFC 3339 with nanoseconds, as go-ipns writes it. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    out.push(byte);
  } while (rest > 0n);
  return out;
}

function varintField(field: number, value: bigint): Uint8Array {
  return Uint8Array.from([...varint(BigInt((field << 3) | 0)), ...varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([...varint(BigInt((field << 3) | 2)), ...varint(BigInt(bytes.length))]), bytes);
}

/** Protobuf fields by number: varints as bigint, length-delimited as bytes (others refused). */
function decodeFields(bytes: Uint8Array): Map<number, bigint | Uint8Array> {
  const fields = new Map<number, bigint | Uint8Array>();
  let at = 0;
  const readVarint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw invalid("truncated or overlong varint");
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const tag = Number(readVarint());
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) fields.set(field, readVarint());
    else if (wire === 2) {
      const length = Number(readVarint());
      if (at + length > bytes.length) throw invalid("truncated field");
      fields.set(field, bytes.subarray(at, at + length));
      at += length;
    } else throw invalid(`unexpected wire type ${wire}`);
  }
  return fields;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
