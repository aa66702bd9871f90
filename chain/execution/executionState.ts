/**
 * A VM over the state at one state root, for one block execution or one call: its own state manager
 * (with ethereumjs' non-evicting caches), its own trie overlay (`StateNodeDb`) and its own copy of
 * `Common` (each EVM subscribes to its Common's events, so sharing one would leak listeners).
 *
 * Nothing here touches storage: reads go to the committed trie nodes through `StateNodeSource`,
 * writes stay in the overlay and are returned to the caller as data. Decoded nodes are shared by
 * all tries through the process's trie node cache (trieNodeCache.ts).
 */
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { ConcordCaches } from "./patches/stateCaches.ts";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { ValueEncoding } from "@ethereumjs/util";
import { createVM, paramsVM, type VM } from "@ethereumjs/vm";
import { paramsEVM } from "@ethereumjs/evm";
import type { Common } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";

type EVMMockBlock = Awaited<ReturnType<EVMMockBlockchainInterface["getBlock"]>>;
import { StateNodeDb, type StateNodeSource } from "./stateNodeDb.ts";
import { cacheTrieNodes } from "./patches/trieNodeCache.ts";
import { installPatches } from "./patches/installPatches.ts";
import { NO_MORE_PARAMS, preparedCommon } from "./patches/preparedCommon.ts";
import { ConcordStateManager } from "./patches/stateManager.ts";

/** Hashes of committed blocks by number, for the BLOCKHASH opcode (storage implements it). */
export interface BlockHashSource {
  blockHash(number: bigint): Promise<Uint8Array | undefined>;
}

/** The EVM reads BLOCKHASH through a "blockchain" with only getBlock(number).hash(). */
class BlockHashLookup implements EVMMockBlockchainInterface {
  constructor(private readonly source: BlockHashSource) {}

  async getBlock(number: number): Promise<EVMMockBlock> {
    const hash = (await this.source.blockHash(BigInt(number))) ?? new Uint8Array(32);
    return { hash: () => hash };
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): EVMMockBlockchainInterface {
    return this;
  }
}

export interface ExecutionState {
  vm: VM;
  stateManager: MerkleStateManager;
  /** The state manager's account, storage and code caches. */
  caches: Caches;
  db: StateNodeDb;
  trie: MerklePatriciaTrie;
}

export async function openExecutionState(
  common: Common,
  stateNodes: StateNodeSource,
  blockHashes: BlockHashSource,
  stateRoot: Uint8Array,
): Promise<ExecutionState> {
  // The node installs them when it starts; tests and tools that run blocks without a node get the
  // same EVM (a no-op after the first call; throws if a patch does not fit the library).
  await installPatches();
  // A copy of a Common with the EVM's and VM's parameters merged once (preparedCommon.ts): the
  // constructors below then merge nothing, and the EVM reuses the opcode tables of the last one.
  const vmCommon = preparedCommon(common, "vm", [paramsEVM, paramsVM]).copy();
  const db = new StateNodeDb(stateNodes);
  const trie = cacheTrieNodes(
    new MerklePatriciaTrie({ db, useKeyHashing: true, common: vmCommon, valueEncoding: ValueEncoding.Bytes, root: stateRoot }),
  );
  const caches = new ConcordCaches();
  const stateManager = new ConcordStateManager({ common: vmCommon, trie, caches });
  const vm = await createVM({
    common: vmCommon,
    stateManager,
    blockchain: new BlockHashLookup(blockHashes),
    params: NO_MORE_PARAMS,
    evmOpts: { params: NO_MORE_PARAMS },
  });
  return { vm, stateManager, caches, db, trie };
}

/** Just the state manager (no VM) over `stateRoot`: account, code and storage reads. */
export function openStateReader(common: Common, stateNodes: StateNodeSource, stateRoot: Uint8Array): MerkleStateManager {
  const trie = cacheTrieNodes(
    new MerklePatriciaTrie({ db: new StateNodeDb(stateNodes), useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes, root: stateRoot }),
  );
  return new ConcordStateManager({ common, trie, caches: new ConcordCaches() });
}

/** Whether the committed trie holds `stateRoot` (an empty trie's root always exists). */
export async function hasStateRoot(stateNodes: StateNodeSource, common: Common, stateRoot: Uint8Array): Promise<boolean> {
  // Not through the node cache: the question is what the store holds, not what was ever decoded.
  const trie = new MerklePatriciaTrie({ db: new StateNodeDb(stateNodes), useKeyHashing: true, common, valueEncoding: ValueEncoding.Bytes });
  return trie.checkRoot(stateRoot);
}
