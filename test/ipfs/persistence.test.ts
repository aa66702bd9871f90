import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
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
    assert.ok(dead !== undefined && dead > 0);
    await writeFile(join(dataDir, "repo.lock"), String(dead));
    const node = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    try {
      assert.equal(await readFile(join(dataDir, "repo.lock"), "utf8"), String(process.pid), "the lock now names this process");
      const ipfs = create({ url: node.apiUrl });
      const added = await ipfs.add("written after the takeover\n");
      assert.equal(Buffer.concat(await all(ipfs.cat(added.cid))).toString(), "written after the takeover\n");
    } finally {
      await node.stop();
    }
    await assert.rejects(stat(join(dataDir, "repo.lock")), { code: "ENOENT" });
  });

  it("refuses the data directory while another live process's node holds it, and takes it over once that process is killed", async () => {
    const holder = await startHolder(dataDir);
    try {
      assert.equal(await readFile(join(dataDir, "repo.lock"), "utf8"), String(holder.pid));
      await assert.rejects(startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 }), (error: unknown) => {
        assert.ok(isIpfsError(error, "IPFS_DATA_DIR_LOCKED"));
        assert.equal(error.message, `the IPFS data directory ${dataDir} is in use by process ${holder.pid}; stop it or choose another data directory`);
        assert.deepEqual(error.details, { dataDir, pid: holder.pid });
        return true;
      });
      // The holder crashes (no chance to release the lock): its lock is stale and is taken over.
      holder.kill("SIGKILL");
      await once(holder, "exit");
      assert.equal(await readFile(join(dataDir, "repo.lock"), "utf8"), String(holder.pid), "the crashed holder's lock is still there");
      const node = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
      try {
        assert.equal(await readFile(join(dataDir, "repo.lock"), "utf8"), String(process.pid));
      } finally {
        await node.stop();
      }
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill("SIGKILL");
    }
  });

  it("releases the lock on stop so the next start succeeds", async () => {
    const node = await startIpfsNode({ dataDir, apiPort: 0, gatewayPort: 0 });
    await node.stop();
    await assert.rejects(stat(join(dataDir, "repo.lock")), { code: "ENOENT" });
  });
});

/** Starts another process whose IPFS node holds `dir`; resolves once it does. */
async function startHolder(dir: string): Promise<ChildProcess & { pid: number }> {
  const script = fileURLToPath(new URL("./helpers/dataDirHolder.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, dir], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the holder process exited (${code}) before holding the data directory`);
    }),
  ])) as [string];
  assert.equal(line, `ready ${child.pid}`);
  return child as ChildProcess & { pid: number };
}
