/**
 * ethereumjs' state caches (accounts, code, storage, with checkpoint and revert) made cheaper to use.
 *
 * Why: on the ERC20 JSON-RPC benchmark the account cache alone was ~10% of the node's main thread.
 * ethereumjs keeps each cached account as its RLP: every `getAccount` decodes it into a new Account
 * (RLP decode, bytes to bigint) and every `putAccount` encodes it back, and a transaction gets and puts
 * its sender, recipient and the block's proposer several times. All three caches also sit on a
 * red-black tree (js-sdsl's OrderedMap) whose string comparisons show up on their own (~2%), though
 * nothing here ever iterates them in order.
 *
 * So, with the same checkpoint/revert/flush machinery (the classes below only replace what an element
 * holds and where elements live):
 * - a cached account is an element holding a private snapshot of the Account; `getAccount` returns a
 *   copy of the snapshot (callers mutate what they get), and the RLP is made only when something
 *   asks for `accountRLP` (the flush into the trie, once per block and account);
 * - the caches' element maps are hash maps (`ElementMap`) with the five OrderedMap methods they use.
 */
import { AccountCache, Caches, CacheType, type CachesStateManagerOpts } from "@ethereumjs/statemanager";
import { Account, bytesToUnprefixedHex, type Address } from "@ethereumjs/util";

/** The OrderedMap methods ethereumjs' caches call, on a plain Map (insertion order is never used). */
class ElementMap<V> {
  readonly #entries = new Map<string, V>();
  getElementByKey(key: string): V | undefined {
    return this.#entries.get(key);
  }
  setElement(key: string, value: V): number {
    this.#entries.set(key, value);
    return this.#entries.size;
  }
  eraseElementByKey(key: string): boolean {
    return this.#entries.delete(key);
  }
  size(): number {
    return this.#entries.size;
  }
  clear(): void {
    this.#entries.clear();
  }
}

function copyAccount(account: Account): Account {
  return new Account(account.nonce, account.balance, account.storageRoot, account.codeHash);
}

/** A cached account: its snapshot, and its RLP made on first request (ethereumjs' element shape). */
export class AccountElement {
  #rlp: Uint8Array | undefined;
  constructor(readonly snapshot: Account) {}
  get accountRLP(): Uint8Array {
    return (this.#rlp ??= this.snapshot.serialize());
  }
  account(): Account {
    return copyAccount(this.snapshot);
  }
}

/** Private members of ethereumjs' cache classes that this module works with (same version, pinned). */
interface CacheInternals {
  _orderedMapCache?: unknown;
  _lruCache?: unknown;
  _saveCachePreState(keyHex: string): void;
  _stats: { writes: number };
}

class DecodedAccountCache extends AccountCache {
  override put(address: Address, account: Account | undefined, couldBePartialAccount = false): void {
    const self = this as unknown as CacheInternals;
    // Partial accounts (stateless/binary-tree state managers) and LRU caches keep the original.
    if (account === undefined || couldBePartialAccount || self._orderedMapCache === undefined) {
      super.put(address, account, couldBePartialAccount);
      return;
    }
    const addressHex = bytesToUnprefixedHex(address.bytes);
    self._saveCachePreState(addressHex);
    (self._orderedMapCache as ElementMap<AccountElement>).setElement(addressHex, new AccountElement(copyAccount(account)));
    self._stats.writes += 1;
  }
}

/** ethereumjs' Caches with decoded accounts and hash-map element maps (for ordered-map caches). */
export class ConcordCaches extends Caches {
  constructor(options: CachesStateManagerOpts = {}) {
    const account = { type: options.account?.type ?? CacheType.ORDERED_MAP, size: options.account?.size ?? 100_000 };
    const decoded = account.type === CacheType.ORDERED_MAP && account.size !== 0;
    // The original would build an account cache only for it to be replaced (a node opens a state
    // reader per block, so the ~20 us that costs counts): it is told to build none, then given ours.
    super(decoded ? { ...options, account: { ...account, size: 0 } } : options);
    if (decoded) {
      this.settings.account = account;
      this.account = new DecodedAccountCache(account);
    }
    // Every cache is empty here, so its element map can be swapped for an empty one.
    for (const cache of [this.account, this.code, this.storage]) {
      const internals = cache as unknown as CacheInternals | undefined;
      if (internals?._orderedMapCache !== undefined) internals._orderedMapCache = new ElementMap();
    }
  }

  /** Empty caches with this one's settings, as the original's, of this class. */
  override shallowCopy(downlevelCaches: boolean): ConcordCaches | undefined {
    const copy = super.shallowCopy(downlevelCaches);
    return copy === undefined ? undefined : new ConcordCaches(copy.settings);
  }
}

