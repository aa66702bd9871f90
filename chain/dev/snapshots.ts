/**
 * evm_snapshot ids, as Hardhat hands them out: "0x1", "0x2", ... in order. An id is used up by
 * evm_revert, and reverting to one also discards every snapshot taken after it (their chains no
 * longer exist). loadFixture relies on both: it re-takes a snapshot after each revert, and compares
 * ids numerically to forget fixtures newer than the one it restores.
 */
export class SnapshotRegistry<T> {
  readonly #snapshots = new Map<bigint, T>();
  #nextId = 1n;

  take(snapshot: T): bigint {
    const id = this.#nextId++;
    this.#snapshots.set(id, snapshot);
    return id;
  }

  /** Removes `id` and every later snapshot; returns the one for `id`, undefined if unknown. */
  takeBack(id: bigint): T | undefined {
    const snapshot = this.#snapshots.get(id);
    if (snapshot === undefined) return undefined;
    for (const later of [...this.#snapshots.keys()]) if (later >= id) this.#snapshots.delete(later);
    return snapshot;
  }

  /** Forgets every snapshot (hardhat_reset); ids keep counting up, so an old id never means a new snapshot. */
  clear(): void {
    this.#snapshots.clear();
  }

  /** Live snapshots by id, oldest first (anvil_metadata lists them). */
  entries(): [bigint, T][] {
    return [...this.#snapshots.entries()];
  }

  get size(): number {
    return this.#snapshots.size;
  }
}
