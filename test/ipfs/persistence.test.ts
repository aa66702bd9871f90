import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import all from "it-all";
import { create } from "kubo-rpc-client";
import { isIpfsError } from "../../ipfs/errors.ts";
import { startIpfsNode } from "../../ipfs/ipfsNode.ts";

describe("a node with a data directory", () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "concord-ipfs-persist-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps blocks, pins and its peer id across a restart", async () => {
    const first = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    const ipfs = create({ url: first.apiUrl });
    const pinned = await ipfs.add("kept and pinned\n");
    const direct = await ipfs.add("kept, pinned directly\n", { pin: false });
    await ipfs.pin.add(direct.cid, { recursive: false });
    const loose = await ipfs.add("kept, not pinned\n", { pin: false });
    const peerId = first.peerId;
    await first.stop();

    const second = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    try {
      assert.equal(second.peerId, peerId);
      const again = create({ url: second.apiUrl });
      assert.equal(Buffer.concat(await all(again.cat(pinned.cid))).toString(), "kept and pinned\n");
      assert.equal(Buffer.concat(await all(again.cat(loose.cid))).toString(), "kept, not pinned\n");
      const pins = await all(again.pin.ls({ type: "all" }));
      assert.deepEqual(
        pins.map((pin) => [pin.cid.toString(), pin.type]).sort(),
        [[pinned.cid.toString(), "recursive"], [direct.cid.toString(), "direct"]].sort(),
      );
    } finally {
      await second.stop();
    }
  });

  it("keeps its peer key readable by the owner only", async () => {
    const info = await stat(join(dataDir, "peer-key"));
    assert.equal(info.mode & 0o777, 0o600);
  });

  it("refuses a second node on the same data directory", async () => {
    const holder = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    try {
      await assert.rejects(startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 }), (error: unknown) => {
        assert.ok(isIpfsError(error, "IPFS_DATA_DIR_LOCKED"));
        assert.equal(error.message, `the IPFS data directory ${dataDir} is in use by another node in this process; stop it or choose another data directory`);
        return true;
      });
    } finally {
      await holder.stop();
    }
  });

  it("takes over the lock a crashed process left behind", async () => {
    // A pid that existed and has exited: the lock is stale.
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    await writeFile(join(dataDir, "repo.lock"), String(dead));
    const node = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    await node.stop();
  });

  it("releases the lock on stop so the next start succeeds", async () => {
    const node = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    await node.stop();
    await assert.rejects(stat(join(dataDir, "repo.lock")), { code: "ENOENT" });
  });
});
