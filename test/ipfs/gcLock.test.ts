/** The GC lock: collections exclude writers, writers share, a waiting collection is not starved. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GcLock } from "../../ipfs/gcLock.ts";

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("GcLock", () => {
  it("runs writers together and a collection only once they are done", async () => {
    const lock = new GcLock();
    const events: string[] = [];
    const first = gate();
    const writerA = lock.shared(async () => {
      events.push("A start");
      await first.opened;
      events.push("A end");
    });
    const writerB = lock.shared(async () => void events.push("B"));
    const collection = lock.exclusive(async () => void events.push("gc"));
    await tick();
    assert.deepEqual(events, ["A start", "B"], "B shares with A; gc waits");
    first.open();
    await Promise.all([writerA, writerB, collection]);
    assert.deepEqual(events, ["A start", "B", "A end", "gc"]);
  });

  it("makes writers that arrive behind a waiting collection wait for it", async () => {
    const lock = new GcLock();
    const events: string[] = [];
    const holding = gate();
    const writer = lock.shared(async () => {
      await holding.opened;
      events.push("writer");
    });
    const collection = lock.exclusive(async () => void events.push("gc"));
    const late = lock.shared(async () => void events.push("late writer"));
    await tick();
    holding.open();
    await Promise.all([writer, collection, late]);
    assert.deepEqual(events, ["writer", "gc", "late writer"]);
  });

  it("releases the lock when the work fails", async () => {
    const lock = new GcLock();
    await assert.rejects(lock.exclusive(async () => Promise.reject(new Error("sweep failed"))), /sweep failed/);
    assert.equal(await lock.shared(async () => "after"), "after");
  });
});
