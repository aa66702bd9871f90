/**
 * A dev chain's world state as a file (anvil_dumpState / anvil_loadState, --dump-state / --load-state):
 * how Anvil's users ship a prepared chain (contracts deployed, accounts funded) to tests and teammates.
 *
 * Concord's dump is the state trie itself: every trie node, storage trie node and contract code
 * reachable from the state root, keyed as the node stores them. Loading it makes that root the
 * chain's state, exactly (an account list could not be dumped: the trie keys accounts and slots by
 * their hashes, and the node keeps no preimages). `loadState` also takes Anvil's dump format (an
 * `accounts` map by address), applying each account over the current state as Anvil does.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { RLP } from "@ethereumjs/rlp";
import { KECCAK256_NULL, KECCAK256_RLP, bytesToHex, equalsBytes, hexToBytes } from "@ethereumjs/util";
import type { StateNodeSource } from "../execution/stateNodeDb.ts";
import { DevErrorCode, DevModeError } from "./errors.ts";
import type { Hex } from "../types.ts";

export const STATE_DUMP_FORMAT = "concord-state-dump/1";
/** ethereumjs keeps contract code beside the trie nodes under "c" + code hash. */
const CODE_KEY_PREFIX = "63";

export interface StateDump {
  format: typeof STATE_DUMP_FORMAT;
  chainId: string;
  /** The block whose state (with the pending changes of a dev chain) this is. */
  blockNumber: string;
  stateRoot: Hex;
  /** Database key (unprefixed hex) -> value (0x hex). */
  nodes: Record<string, Hex>;
}

/** One account of Anvil's dump (`anvil_dumpState`'s `accounts`). */
export interface AnvilAccount {
  nonce?: number | string;
  balance?: string;
  code?: string;
  storage?: Record<string, string>;
}

export type LoadableState = { kind: "trie"; dump: StateDump } | { kind: "accounts"; accounts: [Hex, AnvilAccount][] };

/** Every node, storage node and code reachable from `root`. Throws if the source lacks one. */
export async function collectStateNodes(source: StateNodeSource, root: Uint8Array): Promise<Map<string, Uint8Array>> {
  const nodes = new Map<string, Uint8Array>();
  const read = async (key: string): Promise<Uint8Array> => {
    const value = await source.getStateNode(key);
    if (value === undefined) throw new Error(`state node ${key} is missing from the node's storage: the state cannot be dumped`);
    nodes.set(key, value);
    return value;
  };
  const walk = async (trieRoot: Uint8Array, onLeaf: (value: Uint8Array) => Promise<void>) => {
    if (equalsBytes(trieRoot, KECCAK256_RLP)) return;
    const pending: (Uint8Array | unknown[])[] = [trieRoot];
    while (pending.length > 0) {
      const reference = pending.pop()!;
      let node: unknown[];
      if (reference instanceof Uint8Array) {
        const key = bytesToHex(reference).slice(2);
        if (nodes.has(key)) continue;
        node = RLP.decode(await read(key)) as unknown[];
      } else {
        node = reference; // a node under 32 bytes, embedded in its parent
      }
      const children = node.length === 17 ? node.slice(0, 16) : isLeaf(node) ? [] : [node[1]];
      if (node.length === 2 && isLeaf(node)) await onLeaf(node[1] as Uint8Array);
      for (const child of children) {
        if (Array.isArray(child)) pending.push(child);
        else if (child instanceof Uint8Array && child.length === 32) pending.push(child);
      }
    }
  };
  await walk(root, async (accountRlp) => {
    const [, , storageRoot, codeHash] = RLP.decode(accountRlp) as Uint8Array[];
    await walk(storageRoot!, async () => {});
    if (!equalsBytes(codeHash!, KECCAK256_NULL)) await read(CODE_KEY_PREFIX + bytesToHex(codeHash!).slice(2));
  });
  return nodes;
}

/** Hex-prefix encoding: a leaf's first nibble has bit 1 set (2 or 3); an extension's does not. */
function isLeaf(node: unknown[]): boolean {
  const path = node[0] as Uint8Array;
  return path.length > 0 && (path[0]! >> 4) >= 2;
}

export function createStateDump(chainId: bigint, blockNumber: bigint, stateRoot: Uint8Array, nodes: Map<string, Uint8Array>): StateDump {
  return {
    format: STATE_DUMP_FORMAT,
    chainId: `0x${chainId.toString(16)}`,
    blockNumber: `0x${blockNumber.toString(16)}`,
    stateRoot: bytesToHex(stateRoot) as Hex,
    nodes: Object.fromEntries([...nodes].map(([key, value]) => [key, bytesToHex(value) as Hex])),
  };
}

/** anvil_dumpState's answer: the dump as gzipped JSON, hex-encoded (Anvil's own encoding). */
export function encodeDumpForRpc(dump: StateDump): Hex {
  return bytesToHex(gzipSync(JSON.stringify(dump))) as Hex;
}

/**
 * A dump from anvil_loadState (hex, gzipped or not) or --load-state (JSON text): Concord's trie dump,
 * or Anvil's account dump. Anything else is refused, naming what is wrong.
 */
export function parseStateDump(input: Uint8Array | string): LoadableState {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    const gzipped = input.length > 2 && input[0] === 0x1f && input[1] === 0x8b;
    try {
      text = (gzipped ? gunzipSync(input) : Buffer.from(input)).toString("utf8");
    } catch (error) {
      throw invalid(`it is not gzip data: ${(error as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid("it is not JSON");
  }
  if (typeof json !== "object" || json === null) throw invalid("it is not a JSON object");
  const fields = json as Record<string, unknown>;
  if (fields.format === STATE_DUMP_FORMAT) return { kind: "trie", dump: checkTrieDump(fields) };
  if (typeof fields.accounts === "object" && fields.accounts !== null) {
    return { kind: "accounts", accounts: Object.entries(fields.accounts as Record<string, AnvilAccount>).map(([address, account]) => [checkAddress(address), account]) };
  }
  throw invalid(`want Concord's dump ("format": "${STATE_DUMP_FORMAT}") or Anvil's (an "accounts" map)`);
}

function checkTrieDump(fields: Record<string, unknown>): StateDump {
  const root = fields.stateRoot;
  if (typeof root !== "string" || !/^0x[0-9a-f]{64}$/i.test(root)) throw invalid("stateRoot must be a 32-byte hex string");
  if (typeof fields.nodes !== "object" || fields.nodes === null) throw invalid("nodes must be an object");
  for (const [key, value] of Object.entries(fields.nodes as Record<string, unknown>)) {
    if (!/^[0-9a-f]+$/.test(key) || typeof value !== "string" || !/^0x[0-9a-f]*$/i.test(value)) throw invalid(`node ${key.slice(0, 70)} is not hex`);
  }
  if ((fields.nodes as Record<string, unknown>)[root.slice(2).toLowerCase()] === undefined && root.toLowerCase() !== bytesToHex(KECCAK256_RLP)) {
    throw invalid("the dump does not hold its state root's node");
  }
  return fields as unknown as StateDump;
}

function checkAddress(address: string): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw invalid(`account ${address.slice(0, 50)} is not an address`);
  return address.toLowerCase() as Hex;
}

function invalid(reason: string): DevModeError {
  return new DevModeError(DevErrorCode.InvalidArgument, `not a state dump: ${reason}`);
}

/** The trie dump's nodes as the pending state keeps them. */
export function dumpNodes(dump: StateDump): Map<string, Uint8Array> {
  return new Map(Object.entries(dump.nodes).map(([key, value]) => [key, hexToBytes(value)]));
}
