/** SnapshotRegistry: Hardhat's snapshot ids (ordered, single-use, later ones discarded on revert). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SnapshotRegistry } from "../../../chain/dev/snapshots.ts";

test("ids start at 1 and increase", () => {
  const registry = new SnapshotRegistry<string>();
  assert.deepEqual([registry.take("a"), registry.take("b"), registry.take("c")], [1n, 2n, 3n]);
});

test("taking one back removes it and every later one, and keeps the earlier ones", () => {
  const registry = new SnapshotRegistry<string>();
  const [a, b, c] = [registry.take("a"), registry.take("b"), registry.take("c")];
  assert.equal(registry.takeBack(b), "b");
  assert.deepEqual(registry.entries(), [[a, "a"]]);
  assert.equal(registry.takeBack(c), undefined);
  assert.equal(registry.takeBack(b), undefined);
  assert.equal(registry.takeBack(a), "a");
  assert.equal(registry.size, 0);
});

test("ids are not reused after a revert", () => {
  const registry = new SnapshotRegistry<string>();
  const first = registry.take("a");
  registry.takeBack(first);
  assert.equal(registry.take("b"), first + 1n);
});
