/**
 * Decoded trie nodes kept across tries and blocks, so that walking the state trie does not decode
 * the same nodes again for every account, every block.
 *
 * Every block runs on fresh tries (executionState.ts), and ethereumjs' trie decodes each node it
 * walks through from its RLP bytes: the root and the upper levels are decoded again for every
 * account read and every account written back at the end of the block. With blocks of a few dozen
 * transfers that decoding was the largest single cost of building a block (profiled: ~13% of it in
 * `lookupNode`, most of it RLP decoding of 17-item branch nodes).
 *
 * A node is stored under its hash and the trie has no pruning, so a hash always names the same node
 * (in any trie, of any account, on any chain): entries never go stale and one cache serves the whole
 * process. The trie mutates the nodes it looks up while inserting (`setBranch`, `value(...)`), so
 * the cache keeps a pristine copy and hands out copies; copying a node is a few small array copies,
 * far cheaper than decoding it. Embedded nodes (shorter than a hash, inlined in their parent) are
 * not looked up by hash and are decoded as before.
 */
import { BranchMPTNode, ExtensionMPTNode, LeafMPTNode, MerklePatriciaTrie, type MPTNode, type Path } from "@ethereumjs/mpt";

/** Default capacity: the upper levels of a large state plus the recently touched paths (~1 KB each). */
export const DEFAULT_TRIE_NODE_CACHE_SIZE = 50_000;

/**
 * Two generations instead of a strict LRU: a hit in the young map costs one Map lookup (an LRU's
 * re-insertion on every hit was ~3% of an ERC20 block), a hit in the old one moves the node to the
 * young one, and when the young map is full the old one is dropped. What is in use survives, what
 * was not touched for a whole generation goes: at most `capacity` nodes are held.
 */
export class TrieNodeCache {
  private young = new Map<string, MPTNode>();
  private old = new Map<string, MPTNode>();
  private readonly generation: number;
  hits = 0;
  misses = 0;

  constructor(capacity = DEFAULT_TRIE_NODE_CACHE_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 2) throw new RangeError(`invalid trie node cache capacity ${capacity}`);
    this.generation = Math.floor(capacity / 2);
  }

  /** A private copy of the node with this hash, if cached. */
  get(hash: Uint8Array): MPTNode | undefined {
    const key = keyOf(hash);
    let node = this.young.get(key);
    if (node === undefined) {
      node = this.old.get(key);
      if (node === undefined) {
        this.misses++;
        return undefined;
      }
      this.old.delete(key);
      this.add(key, node);
    }
    this.hits++;
    return copyNode(node);
  }

  /** Keeps `node` (decoded from the bytes stored under `hash`); the caller must not mutate it afterwards. */
  set(hash: Uint8Array, node: MPTNode): void {
    this.add(keyOf(hash), node);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private add(key: string, node: MPTNode): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, node);
  }
}

/** The process's cache (content-addressed entries are valid for every trie). */
export const sharedTrieNodeCache = new TrieNodeCache();

const NODE_CACHE = Symbol("concord.trieNodeCache");

/** The cache `trie`'s lookups go through (cacheTrieNodes), if any: a trie's writer may add the nodes it made. */
export function trieNodeCacheOf(trie: MerklePatriciaTrie): TrieNodeCache | undefined {
  return (trie as MerklePatriciaTrie & { [NODE_CACHE]?: TrieNodeCache })[NODE_CACHE];
}

/**
 * Makes `trie` (and the storage tries the state manager derives from it with `shallowCopy`) look
 * nodes up through `cache`, and find the path to a key by direct descent. Returns the same trie.
 *
 * ethereumjs finds a key's path (for every get, put and delete) with its generic trie walker: a task
 * queue, a promise and a callback per node, built for walking whole tries. A lookup needs one node
 * per level; `findPath` here descends directly and returns exactly what the walker's version returns
 * (the same nodes, the same remaining nibbles, the same handling of a missing node).
 */
export function cacheTrieNodes(trie: MerklePatriciaTrie, cache: TrieNodeCache = sharedTrieNodeCache): MerklePatriciaTrie {
  (trie as MerklePatriciaTrie & { [NODE_CACHE]?: TrieNodeCache })[NODE_CACHE] = cache;
  const lookupNode = trie.lookupNode;
  trie.lookupNode = async function cachedLookupNode(this: MerklePatriciaTrie, node: Uint8Array | Uint8Array[]): Promise<MPTNode> {
    if (Array.isArray(node)) return lookupNode.call(this, node); // embedded: decoded from the parent's bytes
    const cached = cache.get(node);
    if (cached !== undefined) return cached;
    const decoded = await lookupNode.call(this, node);
    cache.set(node, copyNode(decoded));
    return decoded;
  };
  const findPath = trie.findPath;
  trie.findPath = async function descendingFindPath(
    this: MerklePatriciaTrie,
    key: Uint8Array,
    throwIfMissing = false,
    partialPath: { stack: MPTNode[] } = { stack: [] },
  ): Promise<Path> {
    // Resuming from a partial path (proof tooling) is left to ethereumjs.
    if (partialPath.stack.length > 0) return findPath.call(this, key, throwIfMissing, partialPath);
    const target = bytesToNibbles(key);
    const stack: MPTNode[] = [];
    let progress = 0;
    let ref: Uint8Array | Uint8Array[] = this.root();
    try {
      for (;;) {
        const node = await this.lookupNode(ref);
        stack.push(node);
        if (node instanceof BranchMPTNode) {
          if (progress === target.length) return { node, remaining: [], stack };
          const child = node.getBranch(target[progress]!);
          if (child === null) return { node: null, remaining: target.slice(progress), stack };
          progress++;
          ref = child as Uint8Array | Uint8Array[];
          continue;
        }
        const start = progress;
        const nodeKey = node._nibbles;
        if (node instanceof LeafMPTNode && target.length - progress > nodeKey.length) return { node: null, remaining: target.slice(start), stack };
        for (const nibble of nodeKey) {
          if (nibble !== target[progress]) return { node: null, remaining: target.slice(start), stack };
          progress++;
        }
        if (node instanceof LeafMPTNode) return { node, remaining: [], stack };
        ref = node.value() as Uint8Array | Uint8Array[];
      }
    } catch (error) {
      if ((error as Error).message !== "Missing node in DB" || throwIfMissing) throw error;
      return { node: null, remaining: [], stack };
    }
  };
  const shallowCopy = trie.shallowCopy;
  trie.shallowCopy = function cachedShallowCopy(this: MerklePatriciaTrie, ...args: Parameters<MerklePatriciaTrie["shallowCopy"]>) {
    return cacheTrieNodes(shallowCopy.apply(this, args), cache);
  };
  return trie;
}

/** A node the trie may mutate without touching `node`: new node objects and branch arrays, shared bytes. */
function copyNode(node: MPTNode): MPTNode {
  if (node instanceof BranchMPTNode) {
    // Through the constructor, so copies share the decoded nodes' hidden class (Object.create'd
    // ones would make every trie access site polymorphic: measured slower than decoding).
    const copy = new BranchMPTNode();
    copy._branches = node._branches.slice();
    copy._value = node._value;
    return copy;
  }
  if (node instanceof LeafMPTNode) return new LeafMPTNode(node._nibbles.slice(), node._value);
  return new ExtensionMPTNode((node as ExtensionMPTNode)._nibbles.slice(), (node as ExtensionMPTNode)._value);
}

/** A node hash as a Map key: its 32 bytes as a one-byte-per-char string (no hex encoding). */
function keyOf(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("latin1");
}

/** A key's nibbles as the trie's path code wants them: a plain array (it shifts and slices it). */
function bytesToNibbles(key: Uint8Array): number[] {
  const nibbles = new Array<number>(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    nibbles[2 * i] = key[i]! >> 4;
    nibbles[2 * i + 1] = key[i]! & 15;
  }
  return nibbles;
}
