/** BlockClock: Hardhat's block-time rules, on an injected wall clock. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BlockClock } from "../../../chain/dev/blockClock.ts";

function clockAt(startMs: number) {
  let now = startMs;
  return { clock: new BlockClock(() => now), advance: (ms: number) => (now += ms) };
}

test("runs on the wall clock plus the offset evm_increaseTime adds", () => {
  const { clock } = clockAt(1_000_000_500);
  assert.equal(clock.now(), 1_000_000n);
  assert.equal(clock.increase(60n), 60n);
  assert.equal(clock.increase(40n), 100n);
  assert.equal(clock.now(), 1_000_100n);
  assert.equal(clock.nextBlockTime(), 1_000_100n);
});

test("a next timestamp dates the next block, then re-anchors the clock to continue from it", () => {
  const { clock, advance } = clockAt(1_000_000_000);
  clock.setNextTimestamp(5_000_000n);
  assert.equal(clock.nextBlockTime(), 5_000_000n);
  clock.onBlockCommitted(5_000_000n, true);
  assert.equal(clock.nextTimestamp, undefined);
  assert.equal(clock.now(), 5_000_000n);
  advance(3_000);
  assert.equal(clock.nextBlockTime(), 5_000_003n);
});

test("a block at the clock's own time leaves the offset alone", () => {
  const { clock } = clockAt(1_000_000_000);
  clock.increase(10n);
  clock.onBlockCommitted(999_999_999n, false);
  assert.equal(clock.offset, 10n);
});

test("restoring a captured state winds the clock back to the capture's moment", () => {
  const { clock, advance } = clockAt(1_000_000_000);
  clock.increase(100n);
  const captured = clock.capture();
  advance(7_000);
  clock.increase(86_400n);
  clock.setNextTimestamp(9_999_999n);
  clock.restore(captured);
  assert.equal(clock.now(), 1_000_100n);
  assert.equal(clock.nextTimestamp, undefined);
});
