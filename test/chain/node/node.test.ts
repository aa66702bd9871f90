import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import { ConcordNode, NodeOptionsError, NodeStateError, type NodeOptions } from "../../../chain/node.ts";
import { devAccountKeys, validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../chain/execution/genesis.ts";
import { STAKING_ADDRESS } from "../../../chain/execution/staking.ts";

const ETHER = 10n ** 18n;
const [validator] = validatorKeys(1);
const accounts = devAccountKeys(3);
const genesis = defaultGenesisConfig({ validators: [{ operator: validator.address, signer: validator.address, stake: 1000n * ETHER }] });

// Dev mode, as `concord devnet` runs it: a send is answered once its block is committed (Hardhat's
// automine). Without it, ethers' tx.wait() can miss the receipt on a chain that makes blocks only on
// demand: its block poller takes the head at its first poll as the starting point, so a block committed
// between the receipt check and that poll is never reported, and no later block comes.
function options(extra: Partial<NodeOptions> = {}): NodeOptions {
  return { genesis, validatorKey: validator.privateKey, rpc: { port: 0 }, devMode: true, ...extra };
}

function wallet(node: ConcordNode, index: number) {
  // cacheTimeout -1: no 250 ms reuse of eth_getTransactionCount answers (a stale nonce on a node that mines at once).
  const provider = new JsonRpcProvider(node.rpc!.url, 31337, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
  return { provider, signer: new Wallet(bytesHex(accounts[index].privateKey), provider) };
}

function bytesHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}

test("a started node serves JSON-RPC: ethers sends a transfer and reads its receipt and balances", async () => {
  const node = new ConcordNode(options());
  await node.start();
  const { provider, signer } = wallet(node, 0);
  try {
    assert.equal((await provider.getNetwork()).chainId, 31337n);
    const tx = await signer.sendTransaction({ to: accounts[1].address, value: parseEther("1.5") });
    const receipt = await tx.wait();
    assert.equal(receipt?.status, 1);
    assert.equal(receipt?.blockNumber, 1);
    assert.equal(await provider.getBalance(accounts[1].address), 10_001_500_000_000_000_000_000n);
    assert.equal(await provider.getTransactionCount(accounts[0].address), 1);
    const validators = await provider.send("concord_validators", ["latest"]);
    assert.equal(validators[0].address, validator.address);
    assert.ok((await provider.getCode(STAKING_ADDRESS)).length > 2);
  } finally {
    provider.destroy();
    await node.stop();
  }
});

test("a node restarted on its data directory resumes the same chain and keeps producing", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "concord-node-"));
  try {
    const first = new ConcordNode(options({ dataDir }));
    await first.start();
    const { provider, signer } = wallet(first, 0);
    let head: bigint;
    let headHash: Uint8Array;
    try {
      // Explicit nonces: ethers caches identical requests for 250 ms, so back-to-back sends on a chain
      // that commits within milliseconds would reuse the first "pending" nonce.
      await (await signer.sendTransaction({ to: accounts[2].address, value: 7n, nonce: 0 })).wait();
      await (await signer.sendTransaction({ to: accounts[2].address, value: 8n, nonce: 1 })).wait();
      head = first.backend.latestBlockNumber();
      headHash = (await first.backend.getBlockByNumber(head))!.hash();
    } finally {
      provider.destroy();
      await first.stop();
    }

    const second = new ConcordNode(options({ dataDir }));
    await second.start();
    const again = wallet(second, 0);
    try {
      assert.equal(second.backend.latestBlockNumber(), head);
      assert.deepEqual((await second.backend.getBlockByNumber(head))!.hash(), headHash);
      assert.equal(await again.provider.getBalance(accounts[2].address), 10_000n * ETHER + 15n);
      assert.ok((await second.backend.commitCertificate(head)) !== undefined);
      const receipt = await (await again.signer.sendTransaction({ to: accounts[2].address, value: 1n, nonce: 2 })).wait();
      assert.equal(BigInt(receipt!.blockNumber), head + 1n);
    } finally {
      again.provider.destroy();
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a data directory of another chain is refused with GENESIS_MISMATCH", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "concord-node-"));
  try {
    const first = new ConcordNode(options({ dataDir, rpc: false }));
    await first.start();
    await first.stop();
    const other = new ConcordNode(options({ dataDir, rpc: false, genesis: { ...genesis, timestamp: 99n } }));
    await assert.rejects(other.start(), (error: unknown) => error instanceof NodeStateError && error.code === "GENESIS_MISMATCH");
    // The refused start closed the database: the right genesis opens it again.
    const again = new ConcordNode(options({ dataDir, rpc: false }));
    await again.start();
    await again.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("invalid options are refused before anything starts, naming the option", () => {
  const cases: [Partial<NodeOptions>, string][] = [
    [{ validatorKey: new Uint8Array(31) }, "validatorKey"],
    [{ heartbeatMs: 0 }, "heartbeatMs"],
    [{ blockGasLimit: 1_000_000n }, "blockGasLimit"],
    [{ rpc: { port: 70_000 } }, "rpc.port"],
    [{ dataDir: "" }, "dataDir"],
    [{ devAccounts: -1 }, "devAccounts"],
    [{ genesis: { ...genesis, gasLimit: 10_000_000n } }, "genesis.gasLimit"],
  ];
  for (const [extra, option] of cases) {
    assert.throws(() => new ConcordNode(options(extra)), (error: unknown) => error instanceof NodeOptionsError && error.option === option, option);
  }
});

test("a node that is not started answers NOT_STARTED, and stop() twice is harmless", async () => {
  const node = new ConcordNode(options({ rpc: false }));
  assert.throws(() => node.backend.latestBlockNumber(), (error: unknown) => error instanceof NodeStateError && error.code === "NOT_STARTED");
  await node.start();
  await assert.rejects(node.start(), (error: unknown) => error instanceof NodeStateError && error.code === "ALREADY_STARTED");
  await node.stop();
  await node.stop();
});

test("the node exposes the dev accounts, the coinbase and the events the RPC layer fans out", async () => {
  const node = new ConcordNode(options({ rpc: false }));
  await node.start();
  try {
    assert.equal(node.devAccounts.size, 20);
    assert.equal(node.coinbase, validator.address);
    const seen: string[] = [];
    node.events.on("pendingTransaction", () => seen.push("pending"));
    node.events.on("newHead", () => seen.push("head"));
    const { signer } = { signer: new Wallet(bytesHex(accounts[0].privateKey)) };
    const raw = await signer.signTransaction({ to: accounts[1].address, value: 1n, nonce: 0, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, chainId: 31337n, type: 2 });
    await node.backend.sendRawTransaction(Buffer.from(raw.slice(2), "hex"));
    const deadline = Date.now() + 5_000;
    while (!seen.includes("head") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(seen, ["pending", "head"]);
    const history = await node.backend.feeHistory(2, "latest", [50]);
    assert.equal(history.oldestBlock, 0n);
    assert.deepEqual(history.reward, [[0n], [1n]]);
    assert.equal(history.baseFeePerGas.length, 3);
  } finally {
    await node.stop();
  }
});

test("refuses a genesis whose staking predeploy never ran its constructor (code copied into alloc), saying what to fix", async () => {
  const { readFile } = await import("node:fs/promises");
  const artifact = JSON.parse(await readFile(join(import.meta.dirname, "../../../artifacts/contracts/staking/ValidatorRegistry.sol/ValidatorRegistry.json"), "utf8"));
  const code = Uint8Array.from(Buffer.from(String(artifact.deployedBytecode).slice(2), "hex"));
  assert.ok(code.length > 1000, "the registry's runtime code");
  const handMade = defaultGenesisConfig({ validators: [], alloc: { [STAKING_ADDRESS]: { code } } });
  const node = new ConcordNode({ genesis: handMade, validatorKey: validator.privateKey, rpc: false });
  await assert.rejects(node.start(), (error: Error & { code?: string }) => {
    assert.equal(error.code, "INVALID_STAKING_GENESIS");
    assert.match(error.message, /system caller is 0x0000000000000000000000000000000000000000, not 0xff+e/);
    assert.match(error.message, /minimum self-stake is 0/);
    assert.match(error.message, /"staking" section/);
    return true;
  });
});
