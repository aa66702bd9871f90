/**
 * ethereumjs' MerkleStateManager with a flush that writes the tries in batches.
 *
 * Why: at the end of every block (`getStateRoot()` after the block's one checkpoint, blockExecutor.ts)
 * the state manager flushes its caches into the tries, and ethereumjs does it one key at a time: a
 * `trie.put` or `trie.del` per storage slot and per account, each re-encoding and re-hashing the path
 * from its leaf to the root and writing every node on it (nodes the next put replaces at once), and for
 * each slot setting the account's storageRoot and putting the account back into the cache. Profiled on
 * the JSON-RPC benchmark that was 11-16% of the node's main thread, plus the LevelDB writes of the
 * replaced nodes. Here each storage trie takes its block's slots in one `applyTrieUpdates`
 * (trieBatchUpdate.ts), its account is updated once, and the account trie takes all accounts in one.
 *
 * What it does is otherwise the original's, in the same order: code first (code in the database, the
 * code hash on the account), then storage (skipped for an account that no longer exists, as there),
 * then accounts (deleted ones deleted). Roots, database contents and caches afterwards are the same.
 * `putStorage` stops ethereumjs writing every SSTORE through to the trie as well (see there).
 */
import { Caches, CODEHASH_PREFIX, MerkleStateManager } from "@ethereumjs/statemanager";
import { RLP } from "@ethereumjs/rlp";
import { Account, EthereumJSErrorWithoutCode, concatBytes, createAddressFromString, unpadBytes, unprefixedHexToBytes, type Address } from "@ethereumjs/util";
import type { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { applyTrieUpdates, type TrieUpdate } from "./trieBatchUpdate.ts";
import { AccountElement, ConcordCaches } from "./stateCaches.ts";

/** The parent's private hash function (the Common's keccak256, or noble's without one). */
interface KeccakHolder {
  keccakFunction: (bytes: Uint8Array) => Uint8Array;
}

export class ConcordStateManager extends MerkleStateManager {
  /** A cached account comes as a copy of its decoded snapshot (stateCaches.ts), not decoded from RLP. */
  override async getAccount(address: Address): Promise<Account | undefined> {
    const element = this._caches?.account?.get(address);
    if (element instanceof AccountElement) return element.account();
    return super.getAccount(address);
  }

  /**
   * With a storage cache, a slot is written to the cache only; the trie gets it at the next flush.
   *
   * ethereumjs means to do exactly that (`cache.put(...) ?? writeToTrie(...)`), but the cache's put
   * returns nothing, so every SSTORE was ALSO written through to the storage trie at once: a full
   * path re-encoded and re-hashed per SSTORE, and the replaced nodes stored with the block (~8% of
   * the node's main thread on the ERC20 benchmark, after the batched flush). Reads take the cache
   * first, and the flush writes every slot changed since the last one, so the trie is only ever
   * behind the cache between flushes, as for accounts. Checks and errors are the original's.
   */
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const storage = this._caches?.storage;
    if (storage === undefined) return super.putStorage(address, key, value);
    if (key.length !== 32) throw EthereumJSErrorWithoutCode("Storage key must be 32 bytes long");
    if (value.length > 32) throw EthereumJSErrorWithoutCode("Storage value cannot be longer than 32 bytes");
    if ((await this.getAccount(address)) === undefined) throw EthereumJSErrorWithoutCode("putStorage() called on non-existing account");
    storage.put(address, key, RLP.encode(unpadBytes(value)));
  }

  override async flush(): Promise<void> {
    const codeItems = this._caches?.code?.flush() ?? [];
    for (const [addressHex, { code }] of codeItems) {
      if (code === undefined) continue;
      const address = createAddressFromString(`0x${addressHex}`);
      const codeHash = (this as unknown as KeccakHolder).keccakFunction(code);
      const key = this._prefixCodeHashes ? concatBytes(CODEHASH_PREFIX, codeHash) : codeHash;
      await this._getCodeDB().put(key, code);
      if ((await this.getAccount(address)) === undefined) await this.putAccount(address, new Account());
      await this.modifyAccountFields(address, { codeHash });
    }

    // The cache lists a contract's changed slots together (one diff map per address).
    const slotsByAddress = new Map<string, TrieUpdate[]>();
    for (const [addressHex, keyHex, encoded] of this._caches?.storage?.flush() ?? []) {
      // As the original: the cached RLP decoded, empty (zeroed or cleared slot) deletes, else put re-encoded.
      const value = RLP.decode(encoded ?? new Uint8Array(0));
      const slot: TrieUpdate = {
        key: unprefixedHexToBytes(keyHex),
        value: value instanceof Uint8Array && value.length > 0 ? RLP.encode(value) : undefined,
      };
      const slots = slotsByAddress.get(addressHex);
      if (slots === undefined) slotsByAddress.set(addressHex, [slot]);
      else slots.push(slot);
    }
    for (const [addressHex, slots] of slotsByAddress) {
      const address = createAddressFromString(`0x${addressHex}`);
      const account = await this.getAccount(address);
      if (account === undefined) continue;
      const storageTrie = this._getStorageTrie(address, account);
      await applyTrieUpdates(storageTrie, slots);
      // The original also files the trie under the unhashed address (_modifyContractStorage): kept,
      // so the state manager holds the same tries afterwards.
      this._storageTries[addressHex] = storageTrie;
      account.storageRoot = storageTrie.root();
      await this.putAccount(address, account);
    }

    const accountItems = this._caches?.account?.flush() ?? [];
    if (accountItems.length > 0) {
      await applyTrieUpdates(
        this._trie,
        accountItems.map(([addressHex, { accountRLP }]) => ({ key: unprefixedHexToBytes(addressHex), value: accountRLP })),
      );
    }
  }

  /** A copy as the original's (same trie, copied caches and Common) that flushes in batches too. */
  override shallowCopy(downlevelCaches = true): ConcordStateManager {
    const common = this.common.copy();
    common.setHardfork(this.common.hardfork());
    const trieOptions = (this._trie as unknown as { _opts: { cacheSize: number } })._opts;
    const trie: MerklePatriciaTrie = this._trie.shallowCopy(false, { cacheSize: downlevelCaches ? 0 : trieOptions.cacheSize });
    const caches: Caches | undefined = this._caches?.shallowCopy(downlevelCaches);
    return new ConcordStateManager({
      common,
      trie,
      prefixStorageTrieKeys: this._prefixStorageTrieKeys,
      prefixCodeHashes: this._prefixCodeHashes,
      caches,
    });
  }
}
