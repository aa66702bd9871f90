import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { initCrypto } from "../../../chain/execution/crypto.ts";
import { runSimulation } from "./simulation/simulator.ts";

// A slice of the seeds bench/consensusSimulation.ts runs by the thousand (2,000 in a few minutes).
// CONCORD_SIMULATION_SEEDS=from..to runs others.
const [FROM, TO] = (process.env.CONCORD_SIMULATION_SEEDS ?? "1..200").split("..").map(Number) as [number, number];

describe("Tendermint consensus, simulated (4-7 validators; loss, duplication, reordering, partitions, crashes, byzantine equivocators under 1/3)", () => {
  before(() => initCrypto());

  it(`agrees, decides only valid blocks with valid certificates, never double-signs, and progresses, for seeds ${FROM}..${TO}`, () => {
    let byzantine = 0;
    let crashes = 0;
    let partitions = 0;
    for (let seed = FROM; seed <= TO; seed++) {
      // runSimulation throws a SimulationFailure naming the seed and the command that replays it.
      const result = runSimulation({ seed, heights: 3 });
      assert.equal(result.heights, 3);
      if (result.byzantine > 0) byzantine++;
      if (result.crashes > 0) crashes++;
      if (result.partitions > 0) partitions++;
    }
    // The slice exercises every kind of fault, not only the easy runs.
    const runs = TO - FROM + 1;
    assert.ok(byzantine > runs / 4 && crashes > runs / 4 && partitions > runs / 4, `faults in ${byzantine}/${crashes}/${partitions} of ${runs} runs`);
  });
});
