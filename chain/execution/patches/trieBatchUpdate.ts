/**
 * A batch of puts and deletes applied to a Merkle Patricia trie in one pass: every node on a changed
 * path is built, RLP-encoded and hashed once, and only the final nodes are written.
 *
 * Why: ethereumjs applies a state manager's flush one key at a time (`trie.put` / `trie.del`), and
 * each of those re-encodes and re-hashes the whole path from the leaf to the root and writes every
 * node on it, nodes that the next put replaces at once. With a block's hundreds of accounts and slots
 * that was 11-16% of the node's main thread (profiled on the JSON-RPC benchmark), plus the LevelDB
 * writes of the garbage nodes. Here the updates are sorted by their trie path and merged into the
 * existing trie top-down; the upper levels, shared by all of them, are built once.
 *
 * The result is the canonical trie of the new key set, which is what ethereumjs produces for keys of
 * one length (every Ethereum state and storage trie: 32-byte hashed keys): same root, same nodes.
 * Nodes whose encoding is shorter than 32 bytes are embedded in their parent and a branch left with
 * one child is folded into an extension or leaf, loading that child when it was not on a changed path,
 * all as ethereumjs does. Keys of different lengths (a key that is a prefix of another) are handled
 * canonically too, with branch values; ethereumjs itself loses a branch value in some of those deletes.
 *
 * Nodes are read with `trie.lookupNode` (Concord caches decoded nodes there, trieNodeCache.ts: they
 * are read and never mutated here) and written with one batch through `trie.database()`, ethereumjs'
 * CheckpointDB, so an open checkpoint holds the writes and a revert drops them. Nothing is written and
 * the root is left alone when a node cannot be read.
 */
import {
  BranchMPTNode,
  ExtensionMPTNode,
  LeafMPTNode,
  ROOT_DB_KEY,
  decodeRawMPTNode,
  isRawMPTNode,
  MerklePatriciaTrie,
  type MPTNode,
} from "@ethereumjs/mpt";
import { bytesToHex, equalsBytes, type BatchDBOp, type Lock } from "@ethereumjs/util";
import { trieNodeCacheOf } from "./trieNodeCache.ts";
import { ConcordError } from "../../concordError.ts";

/** One change in the trie's key space before key hashing: a value to store, or undefined to delete. */
export interface TrieUpdate {
  key: Uint8Array;
  /** undefined or empty: delete the key (`trie.put` treats an empty value as a delete too). */
  value: Uint8Array | undefined;
}

export const TrieUpdateErrorCode = {
  /** A node on a changed path (or the sibling a delete folds in) is not in the trie's database. */
  NodeUnavailable: "TRIE_NODE_UNAVAILABLE",
  /** The update writes the key under which a trie with root persistence keeps its root. */
  ReservedKey: "TRIE_RESERVED_KEY",
} as const;

export type TrieUpdateErrorCode = (typeof TrieUpdateErrorCode)[keyof typeof TrieUpdateErrorCode];

export class TrieUpdateError extends ConcordError<TrieUpdateErrorCode> {
  override readonly name = "TrieUpdateError";
  constructor(
    code: TrieUpdateErrorCode,
    message: string,
    /** The node reference (hash, or the raw embedded node's hex) or key involved. */
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, { cause: options?.cause });
  }
}

/** The trie's own key hashing, database keys and lock: what `put` uses, protected in ethereumjs' types. */
interface TrieInternals {
  _opts: { useRootPersistence: boolean; useNodePruning: boolean };
  _lock: Lock;
  appliedKey(key: Uint8Array): Uint8Array;
  hash(bytes: Uint8Array): Uint8Array;
  _getDbKey(hash: Uint8Array): Uint8Array;
}

/** A child reference as it sits in a parent node: a 32-byte hash or the raw embedded node. */
type NodeRef = Uint8Array | Uint8Array[];

const STORED = 0;
const LEAF = 1;
const EXTENSION = 2;
const BRANCH = 3;

/** A subtrie of the new trie: an untouched stored one (by reference) or a node to encode. */
type Subtrie =
  | { kind: typeof STORED; ref: NodeRef }
  | { kind: typeof LEAF; key: number[]; value: Uint8Array }
  | { kind: typeof EXTENSION; key: number[]; child: Subtrie }
  | { kind: typeof BRANCH; children: (Subtrie | null)[]; value: Uint8Array | null };

/** An update in trie path space: the hashed key's nibbles; value null: delete. */
interface PathUpdate {
  path: Uint8Array;
  value: Uint8Array | null;
}

/**
 * Applies `updates` to `trie` and sets its new root. Later updates of the same key win. Deleting a key
 * that is not there changes nothing; deleting every key leaves the empty trie's root.
 */
export async function applyTrieUpdates(trie: MerklePatriciaTrie, updates: Iterable<TrieUpdate>): Promise<void> {
  const internals = trie as unknown as TrieInternals;
  const list = [...updates];
  if (internals._opts.useNodePruning) {
    // Pruning deletes the replaced nodes of every path (ethereumjs tracks them per put): left to it.
    for (const { key, value } of list) await trie.put(key, value ?? null);
    return;
  }
  if (internals._opts.useRootPersistence) {
    for (const { key } of list) {
      if (equalsBytes(key, ROOT_DB_KEY)) {
        throw new TrieUpdateError(TrieUpdateErrorCode.ReservedKey, "the trie keeps its root under this key", bytesToHex(key));
      }
    }
  }
  const sorted = toPathUpdates(internals, list);
  if (sorted.length === 0) return;
  await internals._lock.acquire();
  try {
    const batch = new TrieBatch(trie, internals, sorted);
    const oldRoot = trie.root();
    const isEmpty = equalsBytes(oldRoot, trie.EMPTY_TRIE_ROOT);
    const root: Subtrie | null = isEmpty ? null : { kind: STORED, ref: oldRoot };
    const result = await batch.apply(root, 0, 0, sorted.length);
    if (result === root) return;
    if (result === null) {
      trie.root(trie.EMPTY_TRIE_ROOT);
    } else {
      const ops: BatchDBOp[] = [];
      const made: [Uint8Array, MPTNode][] = [];
      const newRoot = batch.encode(result, true, ops, made) as Uint8Array;
      await trie.database().batch(ops);
      trie.root(newRoot);
      // A trie that caches decoded nodes (trieNodeCache.ts) gets the new ones, as they are (never
      // mutated after encoding). Otherwise a later read inside a checkpoint (the next block's) misses
      // the cache, and ethereumjs' CheckpointDB records what it reads in the checkpoint and writes it
      // all again at the commit: committed nodes re-stored, and each decoded from its bytes again.
      const cache = trieNodeCacheOf(trie);
      if (cache !== undefined) for (const [hash, node] of made) cache.set(hash, node);
    }
    await trie.persistRoot();
  } finally {
    internals._lock.release();
  }
}

/** Hashed, as nibbles, sorted by path, one per path (the last one given wins). */
function toPathUpdates(internals: TrieInternals, list: TrieUpdate[]): PathUpdate[] {
  const hashed = list.map(({ key, value }) => ({
    key: internals.appliedKey(key),
    value: value === undefined || value.length === 0 ? null : value,
  }));
  // Array.prototype.sort is stable: among equal keys the given order stays, so the last one wins.
  hashed.sort((a, b) => Buffer.compare(a.key, b.key));
  const result: PathUpdate[] = [];
  for (let i = 0; i < hashed.length; i++) {
    const next = hashed[i + 1];
    if (next !== undefined && equalsBytes(next.key, hashed[i]!.key)) continue;
    result.push({ path: toNibbles(hashed[i]!.key), value: hashed[i]!.value });
  }
  return result;
}

function toNibbles(key: Uint8Array): Uint8Array {
  const nibbles = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    nibbles[2 * i] = key[i]! >> 4;
    nibbles[2 * i + 1] = key[i]! & 15;
  }
  return nibbles;
}

class TrieBatch {
  constructor(
    private readonly trie: MerklePatriciaTrie,
    private readonly internals: TrieInternals,
    /** Sorted by path; `apply` works on ranges of it that share the first `depth` nibbles. */
    private readonly updates: PathUpdate[],
  ) {}

  /**
   * The subtrie at `depth` nibbles after `updates[lo..hi)` (all under it) are applied. Returns
   * `subtrie` itself when nothing changed, so untouched parts are neither encoded nor written.
   */
  async apply(subtrie: Subtrie | null, depth: number, lo: number, hi: number): Promise<Subtrie | null> {
    if (lo >= hi) return subtrie;
    if (subtrie === null) return this.applyToEmpty(depth, lo, hi);
    switch (subtrie.kind) {
      case STORED: {
        const expanded = toSubtrie(await this.load(subtrie.ref));
        const result = await this.apply(expanded, depth, lo, hi);
        return result === expanded ? subtrie : result;
      }
      case LEAF:
        return this.applyToLeaf(subtrie, depth, lo, hi);
      case EXTENSION:
        return this.applyToExtension(subtrie, depth, lo, hi);
      case BRANCH:
        return this.applyToBranch(subtrie, depth, lo, hi);
    }
  }

  private async applyToEmpty(depth: number, lo: number, hi: number): Promise<Subtrie | null> {
    let puts = 0;
    let last = -1;
    for (let i = lo; i < hi; i++) {
      if (this.updates[i]!.value !== null) {
        puts++;
        last = i;
      }
    }
    if (puts === 0) return null;
    if (puts === 1) {
      const update = this.updates[last]!;
      return { kind: LEAF, key: Array.from(update.path.subarray(depth)), value: update.value! };
    }
    return this.applyToBranch({ kind: BRANCH, children: new Array(16).fill(null), value: null }, depth, lo, hi);
  }

  private async applyToLeaf(leaf: Subtrie & { kind: typeof LEAF }, depth: number, lo: number, hi: number): Promise<Subtrie | null> {
    // The common cases without restructuring: the leaf's own key alone changes, or only deletes of
    // keys that are not there.
    let own = -1;
    let others = false;
    for (let i = lo; i < hi; i++) {
      const update = this.updates[i]!;
      if (matchesAt(update.path, depth, leaf.key) && update.path.length === depth + leaf.key.length) own = i;
      else if (update.value !== null) others = true;
    }
    if (!others) {
      if (own === -1) return leaf;
      const value = this.updates[own]!.value;
      if (value === null) return null;
      return equalsBytes(value, leaf.value) ? leaf : { kind: LEAF, key: leaf.key, value };
    }
    const expanded = leafAsBranch(leaf);
    const result = await this.applyToBranch(expanded, depth, lo, hi);
    return result === expanded ? leaf : result;
  }

  private async applyToExtension(
    extension: Subtrie & { kind: typeof EXTENSION },
    depth: number,
    lo: number,
    hi: number,
  ): Promise<Subtrie | null> {
    const end = depth + extension.key.length;
    let first = -1;
    let last = -1;
    let divergingPuts = false;
    for (let i = lo; i < hi; i++) {
      const update = this.updates[i]!;
      if (update.path.length >= end && matchesAt(update.path, depth, extension.key)) {
        if (first === -1) first = i;
        last = i;
      } else if (update.value !== null) {
        divergingPuts = true;
      }
    }
    if (divergingPuts) {
      const expanded = extensionAsBranch(extension);
      const result = await this.applyToBranch(expanded, depth, lo, hi);
      return result === expanded ? extension : result;
    }
    if (first === -1) return extension;
    // Sorted by path, so the updates under the extension are contiguous.
    const child = await this.apply(extension.child, end, first, last + 1);
    if (child === extension.child) return extension;
    if (child === null) return null;
    return this.extend(extension.key, child);
  }

  private async applyToBranch(branch: Subtrie & { kind: typeof BRANCH }, depth: number, lo: number, hi: number): Promise<Subtrie | null> {
    let value = branch.value;
    let changed = false;
    let i = lo;
    // A key ending here (only with keys of different lengths) sorts before the longer ones.
    while (i < hi && this.updates[i]!.path.length === depth) {
      const next = this.updates[i]!.value;
      if (next === null ? value !== null : value === null || !equalsBytes(next, value)) {
        value = next;
        changed = true;
      }
      i++;
    }
    let children = branch.children;
    while (i < hi) {
      const nibble = this.updates[i]!.path[depth]!;
      let end = i + 1;
      while (end < hi && this.updates[end]!.path[depth] === nibble) end++;
      const child = await this.apply(branch.children[nibble]!, depth + 1, i, end);
      if (child !== branch.children[nibble]) {
        if (children === branch.children) children = branch.children.slice();
        children[nibble] = child;
        changed = true;
      }
      i = end;
    }
    if (!changed) return branch;
    return this.normalizeBranch(children, value);
  }

  /** A branch as the canonical trie has it: none with fewer than two entries (children and value). */
  private async normalizeBranch(children: (Subtrie | null)[], value: Uint8Array | null): Promise<Subtrie | null> {
    let count = 0;
    let only = -1;
    for (let nibble = 0; nibble < 16; nibble++) {
      if (children[nibble] !== null) {
        count++;
        only = nibble;
      }
    }
    if (count === 0) return value === null ? null : { kind: LEAF, key: [], value };
    if (count === 1 && value === null) return this.extend([only], children[only]!);
    return { kind: BRANCH, children, value };
  }

  /** `key` followed by `child`: merged into the child when it is a leaf or an extension. */
  private async extend(key: number[], child: Subtrie): Promise<Subtrie> {
    if (child.kind === STORED) {
      // The sibling left alone by a delete: its kind decides the fold.
      const node = await this.load(child.ref);
      if (node instanceof BranchMPTNode) return { kind: EXTENSION, key, child };
      child = toSubtrie(node);
    }
    if (child.kind === LEAF) return { kind: LEAF, key: key.concat(child.key), value: child.value };
    if (child.kind === EXTENSION) return { kind: EXTENSION, key: key.concat(child.key), child: child.child };
    return { kind: EXTENSION, key, child };
  }

  /**
   * Encodes `subtrie` bottom-up, appending the writes of hashed nodes to `ops`: a hash, or the raw node
   * when its encoding is shorter than 32 bytes (embedded in the parent), and each hashed node to `made`.
   * The root is always hashed.
   */
  encode(subtrie: Subtrie, isRoot: boolean, ops: BatchDBOp[], made: [Uint8Array, MPTNode][]): NodeRef {
    let node: MPTNode;
    switch (subtrie.kind) {
      case STORED:
        if (!isRoot || !isRawMPTNode(subtrie.ref)) return subtrie.ref;
        node = decodeRawMPTNode(subtrie.ref);
        break;
      case LEAF:
        node = new LeafMPTNode(subtrie.key, subtrie.value);
        break;
      case EXTENSION:
        node = new ExtensionMPTNode(subtrie.key, this.encode(subtrie.child, false, ops, made) as Uint8Array);
        break;
      case BRANCH: {
        const branch = new BranchMPTNode();
        for (let nibble = 0; nibble < 16; nibble++) {
          const child = subtrie.children[nibble]!;
          if (child !== null) branch._branches[nibble] = this.encode(child, false, ops, made) as Uint8Array;
        }
        branch._value = subtrie.value;
        node = branch;
        break;
      }
    }
    const encoded = node.serialize();
    if (encoded.length < 32 && !isRoot) return node.raw() as Uint8Array[];
    const hash = this.internals.hash(encoded);
    ops.push({ type: "put", key: this.internals._getDbKey(hash), value: encoded });
    made.push([hash, node]);
    return hash;
  }

  private async load(ref: NodeRef): Promise<MPTNode> {
    try {
      return await this.trie.lookupNode(ref);
    } catch (cause) {
      const subject = isRawMPTNode(ref) ? "embedded node" : bytesToHex(ref);
      throw new TrieUpdateError(TrieUpdateErrorCode.NodeUnavailable, `trie node ${subject} could not be read`, subject, { cause });
    }
  }
}

/** Whether `path` continues with `key` from `depth` on. */
function matchesAt(path: Uint8Array, depth: number, key: number[]): boolean {
  if (path.length < depth + key.length) return false;
  for (let i = 0; i < key.length; i++) if (path[depth + i] !== key[i]) return false;
  return true;
}

/** A node read from the trie as a subtrie whose children stay stored references. */
function toSubtrie(node: MPTNode): Subtrie {
  if (node instanceof LeafMPTNode) return { kind: LEAF, key: node._nibbles, value: node._value };
  if (node instanceof ExtensionMPTNode) return { kind: EXTENSION, key: node._nibbles, child: { kind: STORED, ref: node._value as NodeRef } };
  const children = new Array<Subtrie | null>(16);
  for (let nibble = 0; nibble < 16; nibble++) {
    const ref = node.getBranch(nibble);
    children[nibble] = ref === null ? null : { kind: STORED, ref: ref as NodeRef };
  }
  return { kind: BRANCH, children, value: node.value() };
}

/** The same entries one nibble down, as a branch (to insert beside a leaf). */
function leafAsBranch(leaf: Subtrie & { kind: typeof LEAF }): Subtrie & { kind: typeof BRANCH } {
  const children = new Array<Subtrie | null>(16).fill(null);
  if (leaf.key.length === 0) return { kind: BRANCH, children, value: leaf.value };
  children[leaf.key[0]!] = { kind: LEAF, key: leaf.key.slice(1), value: leaf.value };
  return { kind: BRANCH, children, value: null };
}

/** The same entries one nibble down, as a branch (to insert where a path leaves the extension). */
function extensionAsBranch(extension: Subtrie & { kind: typeof EXTENSION }): Subtrie & { kind: typeof BRANCH } {
  const children = new Array<Subtrie | null>(16).fill(null);
  children[extension.key[0]!] =
    extension.key.length === 1 ? extension.child : { kind: EXTENSION, key: extension.key.slice(1), child: extension.child };
  return { kind: BRANCH, children, value: null };
}
