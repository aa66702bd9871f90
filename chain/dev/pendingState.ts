/**
 * State changes made between blocks on a dev chain (hardhat_setBalance, setCode, setNonce,
 * setStorageAt): applied at once to a state root of their own that "latest" reads, eth_call,
 * eth_estimateGas and pool admission see immediately, and that the next block is built on. Its trie
 * nodes are committed with that block, so the block's state root includes them, as on Hardhat.
 *
 * Why an overlay and not one block per change: a block per change would move block numbers and
 * timestamps (a fixture that funds an account would shift every block-number assertion after it, and
 * an evm_setNextBlockTimestamp would be used up by the wrong block), and Hardhat and Anvil apply such
 * changes without mining. The cost is one trie update per change, kept in memory until the next block.
 *
 * The overlay is also the state-node source of the node's executor: reads fall through to the
 * committed store. Every version of it is immutable (a change makes a new map), so a snapshot keeps a
 * version by reference.
 */
import type { MerkleStateManager } from "@ethereumjs/statemanager";
import type { ExecutionState } from "../execution/executionState.ts";
import type { StateNodeSource } from "../execution/stateNodeDb.ts";

export interface PendingStateVersion {
  /** The state root with the changes applied; undefined: no changes since the last block. */
  readonly root: Uint8Array | undefined;
  readonly nodes: ReadonlyMap<string, Uint8Array>;
}

export const EMPTY_PENDING_STATE: PendingStateVersion = { root: undefined, nodes: new Map() };

export class PendingState implements StateNodeSource {
  #version: PendingStateVersion = EMPTY_PENDING_STATE;

  constructor(private readonly committed: StateNodeSource) {}

  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    return this.#version.nodes.get(key) ?? (await this.committed.getStateNode(key));
  }

  get version(): PendingStateVersion {
    return this.#version;
  }

  /** The root reads at "latest" use: the changed one, or the head's when nothing changed. */
  rootOver(headStateRoot: Uint8Array): Uint8Array {
    return this.#version.root ?? headStateRoot;
  }

  /** Runs `change` on a state manager over the current root and keeps the result as the new root. */
  async apply(
    headStateRoot: Uint8Array,
    openState: (root: Uint8Array) => Promise<ExecutionState>,
    change: (state: MerkleStateManager) => Promise<void>,
  ): Promise<void> {
    const { stateManager, db } = await openState(this.rootOver(headStateRoot));
    await change(stateManager);
    const root = await stateManager.getStateRoot();
    const nodes = new Map(this.#version.nodes);
    for (const [key, value] of db.writes()) nodes.set(key, value);
    this.#version = { root, nodes };
  }

  /** Makes `root` (whose nodes are in `nodes` or committed) the state the next block is built on. */
  replace(root: Uint8Array, nodes: ReadonlyMap<string, Uint8Array>): void {
    const merged = new Map(this.#version.nodes);
    for (const [key, value] of nodes) merged.set(key, value);
    this.#version = { root, nodes: merged };
  }

  /** The block built on this version was committed (its nodes went with it). */
  clear(): void {
    this.#version = EMPTY_PENDING_STATE;
  }

  restore(version: PendingStateVersion): void {
    this.#version = version;
  }
}
