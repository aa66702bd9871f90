import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { create as createKuboClient } from "kubo-rpc-client";
import { deploymentDirFor, deploymentIdFor } from "../../devnet/deployContracts.ts";
import { PROJECT_ROOT, rpc, startDevnetProcess } from "./devnetProcess.ts";

// The web app has tests of its own (test/app, test/e2e); these stay on the chain, IPFS and deployment.
// The single-validator devnet (its resume keeps the exact block; a BFT devnet makes empty blocks).
const ACCOUNT_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ACCOUNT_2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ALL_PORTS_FREE = ["--validators", "1", "--port", "0", "--ipfs-api-port", "0", "--gateway-port", "0", "--no-app"];

describe("concord devnet (what `npm start` runs)", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "concord-devnet-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  let deployed: Record<string, string>;
  let blockAfterFirstRun: bigint;

  it("starts the chain and IPFS, deploys the contracts, prints where everything is, and stops on Ctrl-C", async () => {
    const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, ...ALL_PORTS_FREE]);
    try {
      const [, rpcUrl] = await devnet.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
      const [, ipfsApi] = await devnet.waitFor(/IPFS API\s+(http:\/\/127\.0\.0\.1:\d+)/);
      const [, gateway] = await devnet.waitFor(/IPFS gateway\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await devnet.waitFor(/Ctrl-C stops the devnet/);
      assert.match(devnet.output(), /Deploying the contracts with Ignition/);
      // Balances as they are: the deployer (#0) paid for the deployment, #1 has the genesis' 10000 ETH.
      assert.match(devnet.output(), /#0\s+0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\s+0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\s+9999\.\d+ ETH/);
      assert.match(devnet.output(), /#1\s+0x70997970C51812dc3A010C7d01b50e0d17dc79C8\s+0x59c6\w+\s+10000 ETH\n/);

      assert.equal(await rpc<string>(rpcUrl, "eth_chainId"), "0x7a69");
      // Genesis is dated when the chain was created, as Hardhat's and Anvil's (not 1970).
      const genesis = await rpc<{ timestamp: string }>(rpcUrl, "eth_getBlockByNumber", ["0x0", false]);
      assert.ok(Math.abs(Number(genesis.timestamp) - Date.now() / 1000) < 900, `genesis timestamp ${Number(genesis.timestamp)}`);
      deployed = JSON.parse(await readFile(path.join(dataDir, "deployed-addresses.json"), "utf8"));
      for (const future of ["Governance#ConcordGovernor", "Identity#EthereumDIDRegistry", "Content#ContentRegistry"]) {
        const address = deployed[future];
        assert.ok(address, `${future} missing from ${Object.keys(deployed).join(", ")}`);
        assert.match(devnet.output(), new RegExp(`${future}\\s+${address}`));
        assert.notEqual(await rpc<string>(rpcUrl, "eth_getCode", [address, "latest"]), "0x", `${future} has no code`);
        // One progress line per deployed contract, not Ignition's redrawn batches.
        assert.equal(devnet.output().split(`${future} deployed at ${address}`).length - 1, 1, `progress for ${future}`);
      }
      assert.equal(devnet.output().match(/^ {4}\d+ futures in \d+ batches$/gm)?.length, 1, "one line saying what the deployment will do");
      // The journal is the data directory's, never the source tree's.
      await access(path.join(deploymentDirFor(dataDir), "journal.jsonl"));
      await assert.rejects(access(path.join(PROJECT_ROOT, "ignition", "deployments", deploymentIdFor(dataDir))), { code: "ENOENT" });
      // Balances move: the banner of the next start must show these, not the genesis' 10000 ETH.
      await rpc(rpcUrl, "eth_sendTransaction", [{ from: ACCOUNT_1, to: ACCOUNT_2, value: "0xde0b6b3a7640000" }]); // 1 ETH
      blockAfterFirstRun = BigInt(await rpc<string>(rpcUrl, "eth_blockNumber"));

      // The IPFS node is the one every part uses: add through its API, read through its gateway.
      const ipfs = createKuboClient({ url: ipfsApi });
      const { cid } = await ipfs.add(new TextEncoder().encode("hello world\n"));
      assert.equal(cid.toString(), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
      assert.equal(await (await fetch(`${gateway}/ipfs/${cid}`)).text(), "hello world\n");
    } finally {
      assert.equal(await devnet.interrupt(), 0, devnet.output());
    }
    assert.match(devnet.output(), /Stopped\./);
  });

  it("resumes the same chain on the next start, without deploying again", async () => {
    const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, ...ALL_PORTS_FREE]);
    try {
      const [, rpcUrl] = await devnet.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await devnet.waitFor(/Ctrl-C stops the devnet/);
      assert.match(devnet.output(), new RegExp(`resumed at block ${blockAfterFirstRun}`));
      assert.doesNotMatch(devnet.output(), /Deploying the contracts/);
      // The balances of now, after the transfer of the first run: 1 ETH and its fee from #1 to #2.
      assert.match(devnet.output(), new RegExp(`#1\\s+${ACCOUNT_1}\\s+0x\\w+\\s+9998\\.9999 ETH\n`));
      assert.match(devnet.output(), new RegExp(`#2\\s+${ACCOUNT_2}\\s+0x\\w+\\s+10001 ETH\n`));
      assert.equal(BigInt(await rpc<string>(rpcUrl, "eth_blockNumber")), blockAfterFirstRun);
      const governor = deployed["Governance#ConcordGovernor"];
      assert.notEqual(await rpc<string>(rpcUrl, "eth_getCode", [governor, "latest"]), "0x");
    } finally {
      assert.equal(await devnet.interrupt(), 0, devnet.output());
    }
  });

  it("resumes an unfinished deployment from the journal in the data directory, deploying nothing twice", async () => {
    // As after a first start stopped mid-deployment: the journal is there, the addresses file is not yet.
    await rm(path.join(dataDir, "deployed-addresses.json"));
    const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, ...ALL_PORTS_FREE]);
    try {
      const [, rpcUrl] = await devnet.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await devnet.waitFor(/Ctrl-C stops the devnet/);
      assert.match(devnet.output(), /Deploying the contracts/);
      assert.match(devnet.output(), /resuming the journal: nothing left to do/);
      assert.doesNotMatch(devnet.output(), / deployed at /);
      assert.equal(BigInt(await rpc<string>(rpcUrl, "eth_blockNumber")), blockAfterFirstRun, "no transaction sent");
      assert.deepEqual(JSON.parse(await readFile(path.join(dataDir, "deployed-addresses.json"), "utf8")), deployed);
    } finally {
      assert.equal(await devnet.interrupt(), 0, devnet.output());
    }
  });

  it("refuses a port that is taken, naming it and the option to change it", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const devnet = startDevnetProcess(["devnet", "--data-dir", dataDir, "--validators", "1", "--port", String(port), "--no-ipfs", "--no-app"]);
      assert.equal(await devnet.exited, 1);
      assert.match(devnet.output(), new RegExp(`port ${port} \\(JSON-RPC\\) is already in use.*--port <port>`));
    } finally {
      blocker.close();
    }
  });

  it("rejects a bad option with usage advice and exit code 2", async () => {
    const devnet = startDevnetProcess(["devnet", "--port", "99999"]);
    assert.equal(await devnet.exited, 2);
    assert.match(devnet.output(), /--port must be a port number from 0 to 65535, got '99999'/);
    assert.match(devnet.output(), /Run with --help/);
  });
});
