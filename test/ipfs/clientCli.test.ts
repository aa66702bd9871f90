import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as dagPb from "@ipld/dag-pb";
import all from "it-all";
import { CID } from "multiformats/cid";
import { create } from "kubo-rpc-client";
import { apiUrlOf, chooseApiUrl, type CliIo, runIpfsCli, takeGlobalOptions } from "../../ipfs/cli.ts";
import { IpfsClient, resolveIpfsApiUrl } from "../../ipfs/client.ts";
import { isIpfsError } from "../../ipfs/errors.ts";
import { apiFilePath, type IpfsNode, startIpfsNode } from "../../ipfs/ipfsNode.ts";
import { deterministicBuffer } from "./helpers/deterministicData.ts";

const HELLO_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

/** A port nothing listens on: bound, noted, released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function captureIo(env: Record<string, string | undefined>): CliIo & { out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (chunk: string | Uint8Array) => out.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()) },
    stderr: { write: (chunk: string) => err.push(chunk) },
    env,
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("resolveIpfsApiUrl", () => {
  it("defaults to the embedded node's API", () => {
    assert.equal(resolveIpfsApiUrl({}), "http://127.0.0.1:5001");
  });

  it("prefers CONCORD_IPFS_API, then IPFS_API_URL, without a trailing slash", () => {
    assert.equal(resolveIpfsApiUrl({ CONCORD_IPFS_API: "http://kubo:5001/", IPFS_API_URL: "http://other:5001" }), "http://kubo:5001");
    assert.equal(resolveIpfsApiUrl({ IPFS_API_URL: "http://other:5001" }), "http://other:5001");
    assert.equal(resolveIpfsApiUrl({ CONCORD_IPFS_API: "  " }), "http://127.0.0.1:5001");
  });
});

describe("which API `concord ipfs` talks to", () => {
  it("takes --api (URL or Kubo multiaddr, before or after the command) and --ipfs-api-port, leaving the rest", () => {
    assert.deepEqual(takeGlobalOptions(["--api", "/ip4/127.0.0.1/tcp/5002", "add", "f", "--quiet"]), { api: { api: "/ip4/127.0.0.1/tcp/5002" }, argv: ["add", "f", "--quiet"] });
    assert.deepEqual(takeGlobalOptions(["add", "f", "--api=http://h:1"]), { api: { api: "http://h:1" }, argv: ["add", "f"] });
    assert.deepEqual(takeGlobalOptions(["--ipfs-api-port", "5002", "pin", "ls"]), { api: { apiPort: "5002" }, argv: ["pin", "ls"] });
    // After the command, --data-dir is the daemon's own option.
    assert.deepEqual(takeGlobalOptions(["daemon", "--data-dir=/x"]), { api: {}, argv: ["daemon", "--data-dir=/x"] });
    assert.equal(apiUrlOf("/ip4/127.0.0.1/tcp/5002"), "http://127.0.0.1:5002");
    assert.equal(apiUrlOf("/ip6/::1/tcp/5002"), "http://[::1]:5002");
    assert.equal(apiUrlOf("http://127.0.0.1:5002/"), "http://127.0.0.1:5002");
    assert.equal(chooseApiUrl({ apiPort: "5003" }, { CONCORD_IPFS_API: "http://env:1" }), "http://127.0.0.1:5003");
    assert.equal(chooseApiUrl({ api: "http://flag:1" }, { CONCORD_IPFS_API: "http://env:1" }), "http://flag:1");
  });

  it("refuses a bad --api, port or missing value with usage (exit code 2)", async () => {
    for (const argv of [["--api", "localhost:5001", "id"], ["--ipfs-api-port", "70000", "id"], ["id", "--api"]]) {
      const io = captureIo({});
      assert.equal(await runIpfsCli(argv, io), 2, argv.join(" "));
      assert.match(io.err(), /--api must be a URL|--ipfs-api-port must be a port number|--api needs a value/);
    }
  });

  it("follows the devnet's running IPFS node through its data directory, and says so when none runs", async () => {
    const devnetDir = await mkdtemp(join(tmpdir(), "concord-devnet-dir-"));
    const node = await startIpfsNode({ dataDir: join(devnetDir, "ipfs"), apiPort: 0, gatewayPort: 0, swarmPort: 0 });
    try {
      assert.equal((await readFile(apiFilePath(join(devnetDir, "ipfs")), "utf8")).trim(), node.apiUrl);
      const io = captureIo({ CONCORD_DATA_DIR: devnetDir });
      assert.equal(await runIpfsCli(["id"], io), 0, io.err());
      assert.match(io.out(), new RegExp(node.peerId));
      const flagged = captureIo({});
      assert.equal(await runIpfsCli(["--data-dir", devnetDir, "id"], flagged), 0, flagged.err());
      assert.match(flagged.out(), new RegExp(node.peerId));
    } finally {
      await node.stop();
    }
    await assert.rejects(access(apiFilePath(join(devnetDir, "ipfs"))), { code: "ENOENT" }, "the API file goes with the node");
    const io = captureIo({});
    assert.equal(await runIpfsCli(["--data-dir", devnetDir, "id"], io), 2);
    assert.match(io.err(), new RegExp(`no running IPFS node in ${devnetDir}`));
    await rm(devnetDir, { recursive: true, force: true });
  });
});

describe("IpfsClient and the concord ipfs CLI against a running node", () => {
  let node: IpfsNode;
  let client: IpfsClient;
  let workDir: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    node = await startIpfsNode({ apiPort: 0, gatewayPort: 0 });
    client = new IpfsClient({ apiUrl: node.apiUrl });
    env = { CONCORD_IPFS_API: node.apiUrl };
    workDir = await mkdtemp(join(tmpdir(), "concord-ipfs-cli-"));
    await writeFile(join(workDir, "hello.txt"), "hello world\n");
    await mkdir(join(workDir, "site", "css"), { recursive: true });
    await writeFile(join(workDir, "site", "index.html"), "<h1>hi</h1>\n");
    await writeFile(join(workDir, "site", "css", "main.css"), "h1 {}\n");
    await writeFile(join(workDir, "site", ".secret"), "not published\n");
  });
  after(async () => {
    await node.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  describe("client", () => {
    it("adds, reads and pins text", async () => {
      const added = await client.add("hello world\n");
      assert.deepEqual(added, { path: HELLO_CID, cid: HELLO_CID, size: 20 });
      assert.equal(await client.catText(HELLO_CID), "hello world\n");
      assert.deepEqual(await client.cat(`/ipfs/${HELLO_CID}`, { offset: 6, length: 5 }), Buffer.from("world"));
      assert.deepEqual(await client.listPins({ paths: [HELLO_CID] }), [{ cid: HELLO_CID, type: "recursive" }]);
    });

    it("adds a local directory, leaving dot-files out unless asked", async () => {
      const added = await client.addPath(join(workDir, "site"));
      assert.deepEqual(added.map((entry) => entry.path).sort(), ["site", "site/css", "site/css/main.css", "site/index.html"]);
      assert.equal(await client.catText(`/ipfs/${added.at(-1)!.cid}/css/main.css`), "h1 {}\n");
      const withHidden = await client.addPath(join(workDir, "site"), { hidden: true, onlyHash: true });
      assert.ok(withHidden.some((entry) => entry.path === "site/.secret"));
      assert.notEqual(withHidden.at(-1)!.cid, added.at(-1)!.cid);
    });

    it("unpins and pins again", async () => {
      const { cid } = await client.add("pin me\n", { pin: false });
      assert.equal(await client.pin(cid), cid);
      assert.equal(await client.unpin(cid), cid);
      await assert.rejects(client.listPins({ paths: [cid] }), { code: "IPFS_API_ERROR", message: `path '/ipfs/${cid}' is not pinned` });
    });

    it("reports API errors as IPFS_API_ERROR with the server's message and status", async () => {
      await assert.rejects(client.cat("notacid"), (error: unknown) => {
        assert.ok(isIpfsError(error, "IPFS_API_ERROR"));
        assert.equal(error.message, 'invalid path "notacid": path does not have enough components');
        assert.equal(error.details.status, 500);
        return true;
      });
    });

    it("says how to start the node when the API cannot be reached", async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      await assert.rejects(new IpfsClient({ apiUrl: url }).add("x"), {
        code: "IPFS_API_UNREACHABLE",
        message: `cannot reach the IPFS API at ${url}: start the devnet with npm start or set CONCORD_IPFS_API`,
      });
    });

    it("reports a response cut off mid-stream instead of returning truncated bytes", async () => {
      // 175 distinct leaves of 1 KiB: the root links a full 174-leaf node and a node holding the last leaf.
      // Deleting that last leaf lets cat stream 174 KiB before it finds the hole.
      const { cid } = await create({ url: node.apiUrl }).add(deterministicBuffer(175 * 1024, "cut-off"), { chunker: "size-1024", pin: false });
      const read = async (block: CID) => dagPb.decode(Buffer.concat(await all(node.helia.blockstore.get(block))));
      const root = await read(cid);
      const tail = await read(root.Links[1].Hash);
      await node.helia.blockstore.delete(tail.Links[0].Hash);
      await assert.rejects(client.cat(cid.toString()), {
        code: "IPFS_API_ERROR",
        message: `the IPFS API at ${node.apiUrl} closed the connection before the response was complete`,
      });
    });

    it("refuses a malformed CID before calling the API", async () => {
      await assert.rejects(client.pin("zzz"), { code: "IPFS_INVALID_PATH" });
    });
  });

  describe("CLI", () => {
    it("adds a file and prints its CID and name", async () => {
      const io = captureIo(env);
      assert.equal(await runIpfsCli(["add", join(workDir, "hello.txt")], io), 0);
      assert.equal(io.out(), `added ${HELLO_CID} hello.txt\n`);
    });

    it("adds with --cid-version=1 using the modern profile", async () => {
      const io = captureIo(env);
      assert.equal(await runIpfsCli(["add", "--cid-version=1", "--quiet", join(workDir, "hello.txt")], io), 0);
      assert.equal(io.out(), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4\n");
    });

    it("adds a directory, the root last", async () => {
      const io = captureIo(env);
      assert.equal(await runIpfsCli(["add", join(workDir, "site")], io), 0);
      const lines = io.out().trim().split("\n");
      assert.equal(lines.length, 4);
      assert.match(lines.at(-1)!, /^added Qm\w{44} site$/);
    });

    it("cats content to stdout", async () => {
      const io = captureIo(env);
      assert.equal(await runIpfsCli(["cat", HELLO_CID], io), 0);
      assert.equal(io.out(), "hello world\n");
    });

    it("lists pins", async () => {
      const io = captureIo(env);
      assert.equal(await runIpfsCli(["pin", "ls", "--type=recursive"], io), 0);
      assert.ok(io.out().split("\n").includes(`${HELLO_CID} recursive`));
    });

    it("explains usage errors with exit code 2", async () => {
      for (const argv of [["frob"], ["add"], ["add", "--cid-version=3", "x"], ["cat", HELLO_CID, "--offset=-1"], ["pin", "ls", "--type=weird"]]) {
        const io = captureIo(env);
        assert.equal(await runIpfsCli(argv, io), 2, argv.join(" "));
        assert.match(io.err(), /^concord ipfs: .+\n\nusage: concord ipfs <command>/);
      }
    });

    it("reports a missing file and an unreachable API with exit code 1", async () => {
      const missing = captureIo(env);
      assert.equal(await runIpfsCli(["add", join(workDir, "nope.txt")], missing), 1);
      assert.equal(missing.err(), `concord ipfs: cannot read ${join(workDir, "nope.txt")}: no such file or directory\n`);
      const url = `http://127.0.0.1:${await closedPort()}`;
      const unreachable = captureIo({ CONCORD_IPFS_API: url });
      assert.equal(await runIpfsCli(["pin", "ls"], unreachable), 1);
      assert.equal(unreachable.err(), `concord ipfs: cannot reach the IPFS API at ${url}: start the devnet with npm start or set CONCORD_IPFS_API\n`);
    });

    it("runs a node in the foreground until interrupted", async () => {
      let interrupt!: () => void;
      const io = { ...captureIo({}), untilInterrupted: () => new Promise<void>((resolve) => (interrupt = resolve)) };
      const running = runIpfsCli(["daemon", "--api-port=0", "--gateway-port=0"], io);
      while (!io.out().includes("Ctrl-C to stop")) await new Promise((resolve) => setTimeout(resolve, 20));
      const apiUrl = /IPFS RPC API: (\S+)/.exec(io.out())![1];
      assert.equal((await new IpfsClient({ apiUrl }).version()).version, "0.1.0");
      interrupt();
      assert.equal(await running, 0);
      assert.match(io.out(), /IPFS gateway: http:\/\/127\.0\.0\.1:\d+\n(swarm: \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+\n)+Ctrl-C to stop\nIPFS node stopped\n$/);
    });

    it("runs standalone with npx tsx ipfs/cli.ts", async () => {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "ipfs/cli.ts", "add", join(workDir, "hello.txt")], {
        env: { ...process.env, CONCORD_IPFS_API: node.apiUrl },
      });
      assert.equal(stdout, `added ${HELLO_CID} hello.txt\n`);
    });
  });
});
