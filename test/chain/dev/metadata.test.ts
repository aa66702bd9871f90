/**
 * hardhat_metadata / anvil_metadata and web3_clientVersion in dev mode; the chain's instance id is
 * made once with the chain and kept with its data (Ignition keys its journal on chain 31337 by it).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { startDevNode, type DevNode } from "./helpers/devNode.ts";

interface Metadata {
  clientVersion: string;
  chainId: number;
  instanceId: string;
  latestBlockNumber: number;
  latestBlockHash: string;
  snapshots?: Record<string, [number, string]>;
}

let devnet: DevNode;

before(async () => {
  devnet = await startDevNode();
});
after(() => devnet.close());

describe("hardhat_metadata", () => {
  it("describes the chain and its head in Hardhat's shape", async () => {
    await call(devnet.url, "evm_mine");
    const metadata = await call<Metadata>(devnet.url, "hardhat_metadata");
    const head = await call<{ number: string; hash: string }>(devnet.url, "eth_getBlockByNumber", ["latest", false]);
    assert.deepEqual(Object.keys(metadata).sort(), ["chainId", "clientVersion", "instanceId", "latestBlockHash", "latestBlockNumber"]);
    assert.equal(metadata.chainId, 31337);
    assert.equal(metadata.latestBlockNumber, Number(head.number));
    assert.equal(metadata.latestBlockHash, head.hash);
    assert.match(metadata.instanceId, /^0x[0-9a-f]{64}$/);
    assert.equal(metadata.clientVersion, await call(devnet.url, "web3_clientVersion"));
  });

  it("says anvil in web3_clientVersion, which Hardhat's network helpers require", async () => {
    assert.match(await call<string>(devnet.url, "web3_clientVersion"), /^anvil-compatible\/Concord\/v\d+\.\d+\.\d+\//);
  });

  it("lists the live snapshots through anvil_metadata", async () => {
    const id = await call<string>(devnet.url, "evm_snapshot");
    const metadata = await call<Metadata>(devnet.url, "anvil_metadata");
    assert.deepEqual(metadata.snapshots?.[id], [metadata.latestBlockNumber, metadata.latestBlockHash]);
    assert.equal(metadata.instanceId, (await call<Metadata>(devnet.url, "hardhat_metadata")).instanceId);
  });

  it("takes no parameters", async () => {
    assert.deepEqual(await callError(devnet.url, "hardhat_metadata", [1]), { code: -32602, message: "too many arguments, want at most 0" });
  });
});

describe("the instance id", () => {
  it("stays with the chain's data across restarts, and differs for another chain", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "concord-dev-instance-"));
    const otherDir = mkdtempSync(join(tmpdir(), "concord-dev-instance-"));
    try {
      const instanceOf = async (dir: string) => {
        const node = await startDevNode({ dataDir: dir });
        try {
          return (await call<Metadata>(node.url, "hardhat_metadata")).instanceId;
        } finally {
          await node.close();
        }
      };
      const first = await instanceOf(dataDir);
      assert.equal(await instanceOf(dataDir), first);
      assert.notEqual(await instanceOf(otherDir), first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
