import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { devAccountKeys } from "../../chain/execution/devAccounts.ts";
import { waitForReceipt } from "../chain/rpc/helpers/testChain.ts";
import { rpc, startDevnetProcess, type DevnetProcess } from "./devnetProcess.ts";

/** A base port with `count` free ports after it (probed, so a busy machine's ports are skipped). */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const servers = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      const server = createServer();
      ok = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false));
        server.listen(base + i, "127.0.0.1", () => resolve(true));
      });
      servers.push(server);
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (ok) return base;
  }
  throw new Error("no free port range");
}

const blockNumber = async (url: string) => BigInt(await rpc<string>(url, "eth_blockNumber"));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A client on each validator's JSON-RPC, the whole time the tests below run: it sends ETH transfers
 * from its own test account (answered once committed, on a network of validators), one after
 * another, and reads its balance between sends. A validator's loop is paused before that validator
 * is killed or stopped (its in-flight send is answered first) and resumed once it is back.
 */
class ClientLoad {
  readonly sent: string[][] = [[], [], [], []];
  readonly errors: string[] = [];
  private readonly loops = new Map<number, Promise<void>>();
  private readonly pausing = new Set<number>();
  private readonly nonces: bigint[] = [];
  private readonly wallets = devAccountKeys(6)
    .slice(2)
    .map((key) => new Wallet(`0x${Buffer.from(key.privateKey).toString("hex")}`));

  constructor(private readonly urls: string[]) {}

  resume(i: number): void {
    this.pausing.delete(i);
    if (!this.loops.has(i)) this.loops.set(i, this.run(i).finally(() => this.loops.delete(i)));
  }

  async pause(i: number): Promise<void> {
    this.pausing.add(i);
    await this.loops.get(i);
  }

  private async run(i: number): Promise<void> {
    const wallet = this.wallets[i]!;
    try {
      this.nonces[i] ??= BigInt(await rpc<string>(this.urls[i]!, "eth_getTransactionCount", [wallet.address, "pending"]));
      while (!this.pausing.has(i)) {
        const raw = await wallet.signTransaction({
          type: 2, chainId: 31337n, nonce: Number(this.nonces[i]), to: "0x000000000000000000000000000000000000dEaD", value: 1n,
          gasLimit: 21_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 1n,
        });
        this.sent[i]!.push(await rpc<string>(this.urls[i]!, "eth_sendRawTransaction", [raw]));
        this.nonces[i]!++;
        await rpc<string>(this.urls[i]!, "eth_getBalance", [wallet.address, "latest"]);
      }
    } catch (error) {
      this.errors.push(`client of validator ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

describe("four validators, each its own OS process, agreeing over libp2p (concord genesis + concord node --config), with a client sending to each", () => {
  let dir: string;
  const processes: (DevnetProcess | undefined)[] = [];
  const urls: string[] = [];
  const outputs: string[] = ["", "", "", ""];
  let load: ClientLoad | undefined;

  async function startValidator(i: number): Promise<void> {
    const child = startDevnetProcess(["node", "--config", path.join(dir, `validator-${i}`, "config.json")]);
    processes[i] = child;
    const [, url] = await child.waitFor(/JSON-RPC (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    urls[i] = url!;
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "concord-validators-"));
    const genesis = startDevnetProcess(["genesis", "--validators", "4", "--out", dir, "--test-keys", "--p2p-port", String(await freePortRange(4)), "--rpc-port", "0"]);
    assert.equal(await genesis.exited, 0, genesis.output());
    assert.match(genesis.output(), /Wrote .*genesis\.json and 4 validator/);
    for (let i = 0; i < 4; i++) await startValidator(i);
    load = new ClientLoad(urls);
    for (let i = 0; i < 4; i++) load.resume(i);
  });
  after(async () => {
    for (let i = 0; i < 4; i++) await load?.pause(i);
    for (const child of processes) await child?.interrupt();
    await rm(dir, { recursive: true, force: true });
  });

  async function transfer(url: string): Promise<bigint> {
    const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    const wallet = new Wallet(`0x${Buffer.from(devAccountKeys(1)[0]!.privateKey).toString("hex")}`, provider);
    const tx = await wallet.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: 1n });
    provider.destroy();
    // Our own receipt poll, not tx.wait(): ethers' background poller may still have a request in flight
    // when the provider is destroyed, which then rejects with no handler (an unhandled rejection).
    const receipt = await waitForReceipt(url, tx.hash, 30_000);
    assert.equal(receipt.status, "0x1");
    return BigInt(receipt.blockNumber);
  }

  it("wrote keys, peer keys and configs whose peers are the other validators", async () => {
    const config = JSON.parse(await readFile(path.join(dir, "validator-0", "config.json"), "utf8"));
    assert.equal(config.p2p.peers.length, 3);
    for (const peer of config.p2p.peers) assert.match(peer, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo/);
  });

  it("commit a transfer sent to any one of them, the same block everywhere", async () => {
    const height = await transfer(urls[2]!);
    await waitUntil("all four at that height", async () => (await Promise.all(urls.map(blockNumber))).every((n) => n >= height));
    const hashes = await Promise.all(urls.map(async (url) => (await rpc<{ hash: string }>(url, "eth_getBlockByNumber", [`0x${height.toString(16)}`, false])).hash));
    assert.equal(new Set(hashes).size, 1, hashes.join(" "));
  });

  it("feel like Hardhat's node where they can: eth_sendTransaction from a test account answers once committed (a failed one with its cause); history-rewriting dev methods are refused, naming --validators 1", async () => {
    const [from] = await rpc<string[]>(urls[0]!, "eth_accounts");
    const hash = await rpc<string>(urls[0]!, "eth_sendTransaction", [{ from, to: "0x000000000000000000000000000000000000dEaD", value: "0x1" }]);
    const receipt = await rpc<{ status: string } | null>(urls[0]!, "eth_getTransactionReceipt", [hash]);
    assert.equal(receipt?.status, "0x1", "the receipt exists when the send is answered");
    // A committed transaction that failed answers with its cause, as Hardhat's automine: the staking
    // contract's code runs out of the gas a 21,000-gas value transfer leaves it.
    await assert.rejects(
      rpc(urls[0]!, "eth_sendTransaction", [{ from, to: "0x0000000000000000000000000000000000001000", value: "0x1", gas: "0x5208" }]),
      /^Error: eth_sendTransaction: transaction 0x[0-9a-f]{64} failed in block \d+: out of gas$/,
    );
    const response = await fetch(urls[0]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_snapshot", params: [] }) });
    const { error } = (await response.json()) as { error: { code: number; message: string } };
    assert.equal(error.code, -32601);
    assert.match(error.message, /--validators 1/);
  });

  it("mine on evm_mine and hardhat_mine: an empty block agreed on at once, not after the idle network's 5 s; a chosen timestamp or interval is refused, naming --validators 1", async () => {
    // On an idle network: the clients pause (their in-flight sends answered) and resume after.
    for (let i = 0; i < 4; i++) await load!.pause(i);
    try {
      const before = await blockNumber(urls[1]!);
      const started = Date.now();
      assert.equal(await rpc<string>(urls[1]!, "evm_mine", []), "0x0");
      // Answered once committed: the block is there when the answer is (and well before an idle
      // network's empty-block interval, 5 s, would have made one anyway).
      assert.ok(Date.now() - started < 4_000, `evm_mine took ${Date.now() - started} ms`);
      const mined = await rpc<{ number: string; transactions: string[] }>(urls[1]!, "eth_getBlockByNumber", ["latest", false]);
      assert.ok(BigInt(mined.number) > before);
      assert.deepEqual(mined.transactions, []);
      await waitUntil("the others at that height", async () => (await Promise.all(urls.map(blockNumber))).every((n) => n >= BigInt(mined.number)));
      assert.equal(await rpc<string>(urls[2]!, "evm_mine", [{ blocks: "0x3" }]), "0x0");
      assert.ok((await blockNumber(urls[2]!)) >= BigInt(mined.number) + 3n);
      const response = await fetch(urls[0]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [2_000_000_000] }) });
      const { error } = (await response.json()) as { error: { code: number; message: string } };
      assert.equal(error.code, -32602);
      assert.match(error.message, /--validators 1/);

      // hardhat_mine / anvil_mine (hardhat-network-helpers' mine(n)) with the default 1 s interval:
      // agreed blocks, each at least 1 s after its parent.
      // Each validator answers once its own head moved by the blocks asked, so heights are compared on
      // the validator asked: another one may still be receiving the last of them (a few ms behind).
      const from = await blockNumber(urls[3]!);
      assert.equal(await rpc<boolean>(urls[3]!, "hardhat_mine", ["0x3"]), true);
      assert.ok((await blockNumber(urls[3]!)) >= from + 3n);
      const beforeAnvil = await blockNumber(urls[0]!);
      assert.equal(await rpc<null>(urls[0]!, "anvil_mine", []), null);
      const to = await blockNumber(urls[0]!);
      assert.ok(to >= beforeAnvil + 1n && to >= from + 3n, `${from} -> ${beforeAnvil} -> ${to}`);
      const times = await Promise.all(
        Array.from({ length: Number(to - from) }, (_, i) => rpc<{ timestamp: string }>(urls[0]!, "eth_getBlockByNumber", [`0x${(from + 1n + BigInt(i)).toString(16)}`, false])),
      );
      times.reduce((previous, block) => {
        assert.ok(BigInt(block.timestamp) > previous, "timestamps strictly increase");
        return BigInt(block.timestamp);
      }, 0n);
      for (const [params, code] of [[["0x2", "0x3c"], -32602], [["0x3e9"], -32005]] as const) {
        const refused = await fetch(urls[0]!, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hardhat_mine", params }) });
        const { error: mineError } = (await refused.json()) as { error: { code: number; message: string } };
        assert.equal(mineError.code, code, mineError.message);
        assert.match(mineError.message, code === -32602 ? /interval other than 1 second needs a single-validator devnet .*--validators 1/ : /at most 1000 blocks per call/);
      }
    } finally {
      // Resumed even when an assertion above failed, so the tests after this one still see load.
      for (let i = 0; i < 4; i++) load!.resume(i);
    }
  });

  it("keep committing after one is SIGKILLed; restarted, it catches up and nobody double-signs", async () => {
    await load!.pause(3);
    processes[3]!.child.kill("SIGKILL");
    await processes[3]!.exited;
    outputs[3] += processes[3]!.output();
    const height = await transfer(urls[0]!);
    await startValidator(3);
    await waitUntil("the restarted validator to catch up", async () => (await blockNumber(urls[3]!)) >= height);
    load!.resume(3);
    for (const child of processes) assert.doesNotMatch(child!.output(), /DOUBLE_SIGN_REFUSED|refusing to sign/);
  });

  it("halt with two of four stopped, without committing anything, and resume when they return", async () => {
    for (const i of [2, 3]) {
      await load!.pause(i);
      assert.equal(await processes[i]!.interrupt(), 0, processes[i]!.output());
    }
    const before = await blockNumber(urls[0]!);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(await blockNumber(urls[0]!), before, "no block without more than 2/3 of the power");
    for (const i of [2, 3]) await startValidator(i);
    const height = await transfer(urls[1]!);
    assert.ok(height > before);
    for (const i of [2, 3]) load!.resume(i);
  });

  it("served the clients on every validator throughout: each send committed, the same block everywhere, no client error", async () => {
    // Each loop gets a few more sends in after the last restart before it is stopped.
    const sentBefore = load!.sent.map((sent) => sent.length);
    await waitUntil("a few more commits on every validator", async () => load!.sent.every((sent, i) => sent.length >= sentBefore[i]! + 3));
    for (let i = 0; i < 4; i++) await load!.pause(i);
    assert.deepEqual(load!.errors, []);
    for (const [i, sent] of load!.sent.entries()) {
      for (const hash of sent) {
        const receipts = await Promise.all(urls.map((url) => rpc<{ status: string; blockHash: string } | null>(url, "eth_getTransactionReceipt", [hash])));
        assert.equal(receipts[0]?.status, "0x1", `validator ${i}'s client, ${hash}`);
        assert.equal(new Set(receipts.map((receipt) => receipt?.blockHash)).size, 1, `${hash} in the same block on every validator`);
      }
    }
    for (const child of processes) assert.doesNotMatch(child!.output(), /DOUBLE_SIGN_REFUSED|refusing to sign/);
  });
});
