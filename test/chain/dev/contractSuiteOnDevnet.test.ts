/**
 * THE acceptance test of dev mode: the project's whole contract suite (test/contracts, written for
 * Hardhat's in-process network) passes against a running Concord node over HTTP, and Ignition
 * deploys the Concord module to it with the project's own Hardhat config.
 *
 * How the suite runs: one `hardhat test nodejs --network devnet <file>` per test file, against a
 * node in dev mode, the chain reverted to its initial snapshot between files. Two nodes (each in a
 * process of its own) take files from one queue, so both cores work: a single run keeps ~0.8 of
 * them busy, the node and the Hardhat client waiting on each other. In-process, every
 * `network.create()` is a chain of its own; against one node they all share a chain, and two
 * things in the suite depend on the in-process isolation across files (reported to the lead):
 * - describe bodies run at load time, concurrently across files (node:test, isolation "none"), and
 *   two of them deploy with Ignition from the same account: Ignition assigns nonces itself, so on a
 *   shared chain one of them gets "nonce too low";
 * - DIDResolution.test.ts backdates its chain an hour (`initialDate`, an in-process option) so that
 *   block times stay behind the wall clock the DID resolver compares them with; on a shared chain
 *   earlier files have moved block time days ahead.
 * Per file, from the initial state, each file sees what it sees in-process: a chain of its own.
 * The client config differences (remote accounts, one Ignition journal per deploy call) are in
 * devnetSuite/hardhat.config.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { call } from "../rpc/helpers/rpcClient.ts";
import { spawnDevNode } from "./helpers/devNode.ts";
import { PROJECT_ROOT, runHardhat, testSummary, type TestSummary } from "./helpers/hardhatCli.ts";

const SUITE_CONFIG = path.join(import.meta.dirname, "devnetSuite", "hardhat.config.ts");
const NODES = 2;

/** The files `hardhat test nodejs` runs: every JS/TS file under the nodejs tests path. */
function contractTestFiles(): string[] {
  const root = path.join(PROJECT_ROOT, "test", "contracts");
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => /\.(ts|cts|mts|js|cjs|mjs)$/i.test(file))
    .map((file) => path.join("test", "contracts", file))
    .sort();
}

function add(total: TestSummary, part: TestSummary): TestSummary {
  return {
    passing: total.passing + part.passing,
    failing: total.failing + part.failing,
    skipped: total.skipped + part.skipped,
    todo: total.todo + part.todo,
    cancelled: total.cancelled + part.cancelled,
  };
}

describe("the contract suite against a running Concord devnet", () => {
  let devnets: { url: string; stop(): Promise<void> }[] = [];
  let scratch: string;

  before(async () => {
    const compiled = await runHardhat(["compile", "--quiet"]);
    assert.equal(compiled.code, 0, compiled.output);
    devnets = await Promise.all(Array.from({ length: NODES }, () => spawnDevNode()));
    scratch = mkdtempSync(path.join(tmpdir(), "concord-devnet-suite-"));
  });

  after(async () => {
    await Promise.all(devnets.map((devnet) => devnet.stop()));
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("passes every test file, each from the devnet's initial state, as many tests as in-process", async () => {
    const inProcessRun = await runHardhat(["test", "nodejs", "--no-compile"], {}, { readOnly: true });
    const inProcess = testSummary(inProcessRun.output);
    assert.equal(inProcessRun.code, 0, inProcessRun.output.slice(-4000));
    assert.ok(inProcess.passing > 0, "the in-process run reported no passing test");

    // Each *.test.* file in a run of its own; the support modules (fixtures, helpers: node:test counts
    // each as one passing file) together in one more, which saves a Hardhat start-up per module.
    // Largest files first, so the two queues end together.
    const files = contractTestFiles();
    const isTest = (file: string) => /\.test\.[cm]?[jt]s$/.test(file);
    const size = (group: string[]) => group.reduce((sum, file) => sum + statSync(path.join(PROJECT_ROOT, file)).size, 0);
    const queue = [...files.filter(isTest).map((file) => [file]), files.filter((file) => !isTest(file))].sort((a, b) => size(b) - size(a));
    const runs = queue.length;
    const env = { CONCORD_SUITE_IGNITION_DIR: path.join(scratch, "ignition") };
    let total: TestSummary = { passing: 0, failing: 0, skipped: 0, todo: 0, cancelled: 0 };
    const failures: string[] = [];
    const started = Date.now();
    await Promise.all(
      devnets.map(async (devnet) => {
        let initial = await call<string>(devnet.url, "evm_snapshot");
        for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
          const run = await runHardhat(["--config", SUITE_CONFIG, "test", "nodejs", "--no-compile", "--network", "devnet", ...group], { ...env, CONCORD_RPC_URL: devnet.url }, { readOnly: true });
          const summary = testSummary(run.output);
          console.log(`${group.join(" ")}: ${summary.passing} passing, ${summary.failing} failing in ${run.durationMs} ms`);
          if (run.code !== 0) failures.push(`${group.join(" ")} failed against the devnet:\n${run.output.slice(-6000)}`);
          total = add(total, summary);
          assert.equal(await call(devnet.url, "evm_revert", [initial]), true);
          initial = await call<string>(devnet.url, "evm_snapshot");
        }
      }),
    );
    console.log(`devnet: ${total.passing} passing from ${files.length} files in ${runs} runs on ${NODES} nodes, ${Date.now() - started} ms; in-process: ${inProcess.passing} passing in ${inProcessRun.durationMs} ms`);
    assert.deepEqual(failures, []);
    assert.deepEqual(total, { passing: inProcess.passing, failing: 0, skipped: 0, todo: 0, cancelled: 0 });
  });

  it("lets Ignition deploy the Concord module with the project's own config, and resume it on the same chain", async () => {
    const devnet = devnets[0]!;
    const deploymentId = `devnet-acceptance-${process.pid}-${Date.now()}`;
    const deploymentDir = path.join(PROJECT_ROOT, "ignition", "deployments", deploymentId);
    const deploy = () =>
      runHardhat(
        ["ignition", "deploy", "ignition/modules/Concord.ts", "--network", "devnet", "--parameters", "ignition/parameters.devnet.json", "--deployment-id", deploymentId],
        { CONCORD_RPC_URL: devnet.url },
      );
    try {
      const first = await deploy();
      assert.equal(first.code, 0, first.output.slice(-4000));
      assert.match(first.output, /successfully deployed/);
      const governor = /Governance#ConcordGovernor - (0x[0-9a-fA-F]{40})/.exec(first.output)?.[1];
      assert.ok(governor !== undefined, first.output.slice(-2000));
      assert.notEqual(await call(devnet.url, "eth_getCode", [governor, "latest"]), "0x");
      // Same node, same instance id (hardhat_metadata): Ignition keeps its journal and has nothing to do.
      const again = await deploy();
      assert.equal(again.code, 0, again.output.slice(-4000));
      assert.match(again.output, /Nothing new to deploy/);
      assert.match(again.output, new RegExp(`Governance#ConcordGovernor - ${governor}`));
    } finally {
      rmSync(deploymentDir, { recursive: true, force: true });
    }
  });
});
