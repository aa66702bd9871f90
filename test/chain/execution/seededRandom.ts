/**
 * Deterministic random numbers and trie node sources for the differential trie / state tests, so a
 * failing seed reproduces.
 */
import type { StateNodeSource } from "../../../chain/execution/stateNodeDb.ts";

/** mulberry32 */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (length: number) => Uint8Array.from({ length }, () => int(256));
  return { next, int, bytes, pick: <T>(items: readonly T[]) => items[int(items.length)]! };
}
export type Random = ReturnType<typeof seeded>;

/**
 * Runs `body` with numbers from `seed` (or from CONCORD_TEST_SEED when set, to explore others); a
 * failure's message starts with the seed, so it can be replayed.
 */
export async function withSeed<T>(seed: number, body: (random: Random) => T | Promise<T>): Promise<T> {
  const chosen = process.env.CONCORD_TEST_SEED === undefined ? seed : Number(process.env.CONCORD_TEST_SEED);
  try {
    return await body(seeded(chosen));
  } catch (error) {
    if (error instanceof Error) error.message = `[seed ${chosen}: rerun with CONCORD_TEST_SEED=${chosen}] ${error.message}`;
    throw error;
  }
}

/** Committed trie nodes (the chain store's role): what a fresh trie can read. */
export class Nodes implements StateNodeSource {
  readonly map = new Map<string, Uint8Array>();
  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key);
  }
  absorb(writes: ReadonlyMap<string, Uint8Array>): void {
    for (const [key, value] of writes) this.map.set(key, value);
  }
  copy(): Nodes {
    const copy = new Nodes();
    copy.absorb(this.map);
    return copy;
  }
}
