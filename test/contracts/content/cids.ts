// Real CIDs built with multiformats and the IPFS importer, for the content tests. Defines no tests.
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as json from "multiformats/codecs/json";
import { sha256, sha512 } from "multiformats/hashes/sha2";
import { identity } from "multiformats/hashes/identity";
import { create as createDigest } from "multiformats/hashes/digest";
import { importer } from "ipfs-unixfs-importer";
import { MemoryBlockstore } from "blockstore-core/memory";
import { blake2b, blake3 } from "hash-wasm";
import { getBytes } from "ethers";

export const HELLO_WORLD = new TextEncoder().encode("hello world\n");
/** What `ipfs add` (Kubo defaults) prints for a file containing "hello world\n". */
export const HELLO_WORLD_CIDV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

const BLAKE2B_256 = 0xb220;
const BLAKE3 = 0x1e;
const DAG_CBOR = 0x71;

/** The CID `ipfs add` gives `content`: CIDv0, dag-pb UnixFS, Kubo's chunking and layout. */
export async function kuboCid(content: Uint8Array): Promise<CID> {
  let root: CID | undefined;
  for await (const entry of importer([{ content }], new MemoryBlockstore(), {
    cidVersion: 0,
    rawLeaves: false,
    reduceSingleLeafToSelf: true,
  })) {
    root = entry.cid;
  }
  if (root === undefined) throw new Error("the importer produced no root");
  return root;
}

export interface LabelledCid {
  label: string;
  cid: CID;
}

/** Well-formed CIDs of every shape the registry must accept. */
export async function realCids(): Promise<LabelledCid[]> {
  const v0 = await kuboCid(HELLO_WORLD);
  const blake2 = createDigest(BLAKE2B_256, getBytes("0x" + (await blake2b(HELLO_WORLD, 256))));
  const blake3Digest = createDigest(BLAKE3, getBytes("0x" + (await blake3(HELLO_WORLD, 256))));
  return [
    { label: "CIDv0 dag-pb sha2-256 (ipfs add)", cid: v0 },
    { label: "CIDv1 dag-pb sha2-256", cid: v0.toV1() },
    { label: "CIDv1 raw sha2-256", cid: CID.createV1(raw.code, await sha256.digest(HELLO_WORLD)) },
    { label: "CIDv1 raw sha2-512", cid: CID.createV1(raw.code, await sha512.digest(HELLO_WORLD)) },
    { label: "CIDv1 raw identity (inline bytes)", cid: CID.createV1(raw.code, identity.digest(HELLO_WORLD)) },
    { label: "CIDv1 raw identity of nothing (0-byte digest)", cid: CID.createV1(raw.code, identity.digest(new Uint8Array())) },
    { label: "CIDv1 raw blake2b-256 (3-byte hash code varint)", cid: CID.createV1(raw.code, blake2) },
    { label: "CIDv1 raw blake3", cid: CID.createV1(raw.code, blake3Digest) },
    { label: "CIDv1 json sha2-256 (2-byte codec varint)", cid: CID.createV1(json.code, await sha256.digest(json.encode({ hello: "world" }))) },
    { label: "CIDv1 dag-cbor sha2-256", cid: CID.createV1(DAG_CBOR, await sha256.digest(HELLO_WORLD)) },
  ];
}
