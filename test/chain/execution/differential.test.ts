/**
 * End to end: blocks built by Concord's executor (every patch installed: interpreter loop, jump and
 * opcode-table caches, RLP codec, state manager and caches, trie node cache, batched flush, warm state
 * from block to block, Concord's crypto) replayed on fully unpatched ethereumjs (createVM +
 * MerkleStateManager + runBlock, its own crypto and RLP) in a child process where no patch is
 * installed. Every block's state root, receipts root, logs bloom, gas used and requests hash, and
 * every receipt's status, gas and logs, must be the same.
 *
 * Chains: the project's governance contracts through a whole DAO decision, and random programs with
 * fixed seeds (a failure names its seed and block). Concord's staking system calls are not part of
 * these chains: stock ethereumjs has no equivalent (they are tested in blockExecutor.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { bytesToHex } from "@ethereumjs/util";
import type { ReplayResult } from "./differential/chainRecord.ts";
import type { RecordingChain } from "./differential/recordingChain.ts";
import { governanceChain, randomChain } from "./differential/scenarios.ts";

const RANDOM_SEEDS = [1, 2, 3];
const RANDOM_BLOCKS = 12;
const RANDOM_TXS_PER_BLOCK = 30;

async function replayOnStock(chains: RecordingChain[]): Promise<Map<string, ReplayResult>> {
  const dir = mkdtempSync(join(tmpdir(), "concord-differential-"));
  try {
    const files = chains.map((chain, i) => {
      const file = join(dir, `chain${i}.json`);
      writeFileSync(file, JSON.stringify(chain.record()));
      return file;
    });
    const script = fileURLToPath(new URL("./differential/stockReplay.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, ...files], { maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
    const results = stdout.trim().split("\n").map((line) => JSON.parse(line) as ReplayResult);
    return new Map(results.map((result) => [result.name, result]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(chain: RecordingChain, replay: ReplayResult | undefined): void {
  assert.ok(replay !== undefined, `${chain.name}: no stock replay`);
  assert.equal(replay.genesisRoot, bytesToHex(chain.fixture.genesis.header.stateRoot), `${chain.name}: genesis state root`);
  assert.equal(replay.results.length, chain.results.length, `${chain.name}: blocks replayed`);
  for (const [i, concord] of chain.results.entries()) {
    assert.deepEqual(replay.results[i], concord, `${chain.name}, block ${concord.number}: stock ethereumjs (actual) vs Concord (expected)`);
  }
}

test("Concord's executor and unpatched ethereumjs agree on every block of real-contract and random chains", async (t) => {
  const started = performance.now();
  const chains = [await governanceChain()];
  for (const seed of RANDOM_SEEDS) chains.push(await randomChain(seed, RANDOM_BLOCKS, RANDOM_TXS_PER_BLOCK));
  const built = performance.now();

  // The chains exercise what they claim: mixed outcomes, logs, contracts created, several tx types.
  for (const chain of chains.slice(1)) {
    const receipts = chain.results.flatMap((block) => block.receipts);
    const where = `${chain.name}`;
    assert.ok(receipts.length >= RANDOM_BLOCKS * RANDOM_TXS_PER_BLOCK * 0.8, `${where}: only ${receipts.length} transactions included`);
    assert.ok(receipts.filter((r) => r.status === 1).length > receipts.length / 4, `${where}: too few successes`);
    assert.ok(receipts.filter((r) => r.status === 0).length > receipts.length / 20, `${where}: too few failures`);
    assert.ok(receipts.reduce((n, r) => n + r.logs.length, 0) > 20, `${where}: too few logs`);
  }

  const replays = await replayOnStock(chains);
  const all = chains.flatMap((chain) => chain.results.flatMap((block) => block.receipts));
  const summary =
    `differential: ${chains.length} chains, ${chains.reduce((n, c) => n + c.results.length, 0)} blocks, ` +
    `${all.length} transactions (${all.filter((r) => r.status === 1).length} succeeded, ${all.filter((r) => r.status === 0).length} failed), ` +
    `${all.reduce((n, r) => n + r.logs.length, 0)} logs; ` +
    `built ${((built - started) / 1000).toFixed(1)} s, replayed on stock ethereumjs ${((performance.now() - built) / 1000).toFixed(1)} s`;
  t.diagnostic(summary);
  console.log(summary);
  for (const chain of chains) compare(chain, replays.get(chain.name));
});
