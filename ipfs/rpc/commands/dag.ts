/**
 * `dag/put` and `dag/get`: IPLD nodes beyond UnixFS (dag-cbor, dag-json, raw), as Kubo stores and
 * serves them. put reads one node in `input-codec` (default dag-json) and stores it in
 * `store-codec` (default dag-cbor); get answers it in `output-codec` (default dag-json), following
 * a path through the node's fields and links.
 */
import * as dagCbor from "@ipld/dag-cbor";
import * as dagJson from "@ipld/dag-json";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { parseContentPath } from "../../contentPath.ts";
import { IpfsError } from "../../errors.ts";
import { readSingleUpload } from "../../multipartImport.ts";
import type { Command } from "../command.ts";

interface Codec {
  code: number;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

const CODECS: Record<string, Codec> = {
  "dag-cbor": dagCbor,
  "dag-json": dagJson,
  raw: { code: raw.code, encode: (value) => value as Uint8Array, decode: (bytes) => bytes },
};

function codecNamed(name: string, option: string): Codec {
  const codec = CODECS[name];
  if (codec === undefined) throw new IpfsError("IPFS_INVALID_ARGUMENT", `unknown ${option} "${name}": use dag-cbor, dag-json or raw`, { [option]: name });
  return codec;
}

export const dagPutCommand: Command = {
  gcLock: "shared",
  fileArgument: { name: "object data", required: true, variadic: false },
  options: {
    "store-codec": { type: "string" },
    "input-codec": { type: "string" },
    pin: { type: "bool" },
    hash: { type: "string" },
    "allow-big-block": { type: "bool" },
  },
  async run(context) {
    const { services, options, response, signal } = context;
    const input = codecNamed(options.string("input-codec") ?? "dag-json", "input-codec");
    const store = codecNamed(options.string("store-codec") ?? "dag-cbor", "store-codec");
    const hash = options.string("hash") ?? "sha2-256";
    if (hash !== "sha2-256") throw new IpfsError("IPFS_INVALID_ARGUMENT", `unsupported hash "${hash}": this node hashes with sha2-256`, { hash });
    let value: unknown;
    try {
      value = input.decode(await readSingleUpload(context.request, services.maxUploadBytes, "object data"));
    } catch (error) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `the data is not valid ${options.string("input-codec") ?? "dag-json"}: ${(error as Error).message}`);
    }
    const bytes = store.encode(value);
    // Kubo's limit on one block: what bitswap carries.
    if (bytes.length > 1024 * 1024 && !options.bool("allow-big-block", false)) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `produced block is over 1MiB: big blocks can't be exchanged with other peers (${bytes.length} bytes)`);
    }
    const cid = CID.createV1(store.code, await sha256.digest(bytes));
    await services.helia.blockstore.put(cid, bytes, { signal });
    if (options.bool("pin", false)) await services.pins.add(cid, { recursive: true, signal });
    response.json({ Cid: { "/": cid.toString() } });
  },
};

export const dagGetCommand: Command = {
  argument: { name: "ref", required: true, variadic: false },
  options: { "output-codec": { type: "string" } },
  async run({ services, args, options, response, signal }) {
    const output = codecNamed(options.string("output-codec") ?? "dag-json", "output-codec");
    const path = parseContentPath(args[0]!);
    let cid = path.root;
    let value = decodeBlock(cid, await services.blocks.getBytes(cid, { signal }));
    for (const [i, segment] of path.segments.entries()) {
      const next = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
      if (next === undefined) throw new IpfsError("IPFS_PATH_NOT_FOUND", `no link named "${segment}" under ${[cid.toString(), ...path.segments.slice(0, i)].join("/")}`);
      const link = CID.asCID(next);
      if (link !== null) {
        cid = link;
        value = decodeBlock(cid, await services.blocks.getBytes(cid, { signal }));
      } else {
        value = next;
      }
    }
    await response.bytes([output.encode(value)]);
  },
};

function decodeBlock(cid: CID, bytes: Uint8Array): unknown {
  const codec = Object.values(CODECS).find((candidate) => candidate.code === cid.code);
  if (codec === undefined) throw new IpfsError("IPFS_INVALID_ARGUMENT", `dag/get cannot decode codec 0x${cid.code.toString(16)} (dag-cbor, dag-json and raw can be read)`);
  return codec.decode(bytes);
}
