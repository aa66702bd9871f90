import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { rpc, startDevnetProcess } from "./devnetProcess.ts";

const QUIET = ["--port", "0", "--ipfs-api-port", "0", "--gateway-port", "0", "--no-app", "--no-ipfs"];

describe("npm start: a devnet of four validator processes by default", () => {
  let dataDir: string;
  before(async () => (dataDir = await mkdtemp(path.join(tmpdir(), "concord-devnet4-"))));
  after(() => rm(dataDir, { recursive: true, force: true }));

  it("starts four validators, deploys the contracts through them, lists each in the banner, and stops them all on Ctrl-C", async () => {
    const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, ...QUIET]); // no --validators: the default
    try {
      const [, rpcUrl] = await devnet.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await devnet.waitFor(/Ctrl-C stops the devnet/);
      assert.match(devnet.output(), /Validators\s+4 \(Tendermint BFT over libp2p/);
      const validatorLines = devnet.output().match(/#\d 0x[0-9a-fA-F]{40}\s+http:\/\/127\.0\.0\.1:\d+\s+peer 12D3Koo\w+/g) ?? [];
      assert.equal(validatorLines.length, 4, devnet.output());
      const deployed = JSON.parse(await readFile(path.join(dataDir, "deployed-addresses.json"), "utf8"));
      assert.notEqual(await rpc<string>(rpcUrl!, "eth_getCode", [deployed["Governance#ConcordGovernor"], "latest"]), "0x");
      // Every validator serves the same chain.
      const urls = validatorLines.map((line) => /http:\/\/\S+/.exec(line)![0]);
      const block = await rpc<string>(urls[0]!, "eth_blockNumber");
      const hashes = await Promise.all(urls.map((url) => rpc<{ hash: string } | null>(url, "eth_getBlockByNumber", [block, false])));
      assert.ok(hashes.every((b) => b !== null && b.hash === hashes[0]!.hash), JSON.stringify(hashes));
    } finally {
      assert.equal(await devnet.interrupt(), 0, devnet.output());
    }
    assert.match(devnet.output(), /Stopped\./);
    assert.doesNotMatch(devnet.output(), /stopped unexpectedly/);
  });

  it("keeps the shape it was created with: a single-validator start of this data directory is refused, saying what to do", async () => {
    const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, "--validators", "1", ...QUIET]);
    assert.equal(await devnet.exited, 1);
    assert.match(devnet.output(), /holds a network of 4 validators: start it with --validators 4, or a new chain with --fresh/);
  });
});
