/**
 * `concord ipfs` follows the devnet it belongs to: its IPFS node is found through the devnet's data
 * directory (whatever port it got), and `--api` picks another node as Kubo's `ipfs --api` does.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CliIo, runIpfsCli } from "../../ipfs/cli.ts";
import { type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { startDevnetProcess } from "./devnetProcess.ts";

const HELLO_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

/** A URL nothing answers on: a port bound, noted and released. */
async function deadApiUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: { write: (chunk: string | Uint8Array) => (out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env,
  };
  const code = await runIpfsCli(argv, io);
  return { code, out, err };
}

describe("concord ipfs and the devnet it belongs to", () => {
  let devnetDir: string;
  let node: IpfsNode;
  let port: string;
  before(async () => {
    devnetDir = await mkdtemp(path.join(tmpdir(), "concord-ipfs-command-"));
    // Where and how the devnet starts its IPFS node (devnet.ts), on a port that is not the default.
    node = await startIpfsNode({ dataDir: path.join(devnetDir, "ipfs"), apiPort: 0, gatewayPort: 0, swarmPort: 0 });
    port = new URL(node.apiUrl).port;
  });
  after(async () => {
    await node?.stop();
    await rm(devnetDir, { recursive: true, force: true });
  });

  it("uses the node of the devnet named by --data-dir, even where the environment names another API", async () => {
    const result = await runCli(["--data-dir", devnetDir, "id"], { CONCORD_IPFS_API: await deadApiUrl() });
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(node.peerId));
  });

  it("takes --api as Kubo's ipfs does (URL or multiaddr, before or after the command), over --data-dir and the environment", async () => {
    const env = { CONCORD_IPFS_API: await deadApiUrl() };
    const missingDevnet = path.join(devnetDir, "no-such-devnet");
    for (const argv of [
      ["--api", `/ip4/127.0.0.1/tcp/${port}`, "id"],
      ["--api=" + node.apiUrl, "--data-dir", missingDevnet, "id"],
      ["id", "--api", `/ip4/127.0.0.1/tcp/${port}/http`],
      ["--ipfs-api-port", port, "id"],
    ]) {
      const result = await runCli(argv, env);
      assert.equal(result.code, 0, `${argv.join(" ")}: ${result.err}`);
      assert.match(result.out, new RegExp(node.peerId), argv.join(" "));
    }
  });

  it("goes where --api says, not to the devnet's node, when both are there", async () => {
    const result = await runCli(["--data-dir", devnetDir, "--api", await deadApiUrl(), "id"]);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.out, new RegExp(node.peerId));
  });

  it("works the same through `concord ipfs` (devnet/cli.ts), and refuses a bad --api with usage", async () => {
    const file = path.join(devnetDir, "hello.txt");
    await writeFile(file, "hello world\n");
    const add = startDevnetProcess(["ipfs", "--api", `/ip4/127.0.0.1/tcp/${port}`, "add", file]);
    assert.equal(await add.exited, 0, add.output());
    assert.match(add.output(), new RegExp(`added ${HELLO_CID} hello.txt`));
    const cat = startDevnetProcess(["ipfs", "cat", HELLO_CID, `--api=${node.apiUrl}`]);
    assert.equal(await cat.exited, 0, cat.output());
    assert.equal(cat.output(), "hello world\n");
    const bad = startDevnetProcess(["ipfs", "--api", `localhost:${port}`, "id"]);
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /--api must be a URL \(http:\/\/127\.0\.0\.1:5001\) or a multiaddr/);
  });
});
