/**
 * The database under one execution's state trie: reads fall through to the committed store, writes
 * stay in memory until the block that produced them is committed.
 *
 * This is what makes a block's commit one atomic write: the trie nodes and contract code a block
 * creates are handed to storage together with the block, receipts and head (`writes()`), instead of
 * reaching LevelDB while the block is still being built or verified. A block that is never
 * committed (a failed round, a rejected proposal) simply drops its overlay.
 *
 * Keys are the trie's database keys (node hashes, and the prefixed code hashes the state manager
 * adds). Everything is content-addressed and the trie runs without pruning, so a key, once written,
 * always maps to the same value: that is why reads can be cached without invalidation.
 */
import type { BatchDBOp, DB } from "@ethereumjs/util";

/** Where committed trie nodes and code are read from (storage implements it). */
export interface StateNodeSource {
  /** `key`: the trie's database key as unprefixed lowercase hex. */
  getStateNode(key: string): Promise<Uint8Array | undefined>;
}

/** A source with nothing committed yet (the genesis state is built on it). */
export const emptyStateSource: StateNodeSource = { getStateNode: async () => undefined };

export class StateNodeDb implements DB<string, Uint8Array> {
  private overlay = new Map<string, Uint8Array>();
  /** The previous block's writes, while a state is carried from one block to its child. */
  private previous: ReadonlyMap<string, Uint8Array> | undefined;

  constructor(private readonly source: StateNodeSource) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.overlay.get(key) ?? this.previous?.get(key) ?? (await this.source.getStateNode(key));
  }

  /**
   * Starts the next block on the same tries (a state kept warm from its parent, blockExecutor.ts):
   * `writes()` reports only what comes after. The parent's nodes stay readable from here as well
   * until the one after, in case its commit has not reached the source yet.
   */
  beginBlock(): void {
    this.previous = this.overlay;
    this.overlay = new Map();
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.overlay.set(key, value);
  }

  /**
   * Never called with pruning off (the trie only deletes nodes when `useNodePruning` is set).
   * Ignored rather than applied: a node is shared by every state root that contains it.
   */
  async del(_key: string): Promise<void> {}

  async batch(ops: BatchDBOp<string, Uint8Array>[]): Promise<void> {
    for (const op of ops) if (op.type === "put") this.overlay.set(op.key, op.value);
  }

  shallowCopy(): DB<string, Uint8Array> {
    return this;
  }

  async open(): Promise<void> {}

  /** The nodes and code written since this database was created, keyed by unprefixed hex. */
  writes(): ReadonlyMap<string, Uint8Array> {
    return this.overlay;
  }
}
