/**
 * End-to-end throughput and latency through JSON-RPC: Concord (one validator) against Hardhat's node,
 * started in the same run on the same machine.
 *
 * For each node and workload (ETH transfers, ERC20 transfers) it pre-signs N transactions from the 20
 * test accounts (off the clock); one client per account sends its transactions in nonce order with
 * eth_sendRawTransaction, each as soon as the previous one was answered (Hardhat's automine refuses
 * nonce gaps, so per-sender order must hold). A newHeads WebSocket subscription timestamps each
 * block as it is pushed; the including block's arrival is a transaction's "receipt" time (both nodes
 * push a head once its receipts are readable). It prints tx/s from first send to last inclusion and
 * the median send-to-inclusion latency (medians over the runs), Concord's ratio to Hardhat, and the
 * CPU each node and the benchmark client used during the runs (in % of one core), so a reader can
 * tell a saturated node from one waiting on its client.
 *
 * The client is kept cheap on purpose (node:http keep-alive sockets, pre-serialised bodies, one
 * pushed message per block instead of polling): on 2 cores it competes with the node for CPU.
 *
 *   npx tsx bench/rpcThroughput.ts [--txs 2000] [--runs 3] [--only hardhat|concord]
 *       [--workload transfer|erc20]  measure one workload only (both by default)
 *       [--validators N]             Concord as N validator processes agreeing over libp2p (default 1)
 *       [--pattern P]                how the client sends (default send-and-wait; "all" runs each):
 *                                    send-and-wait  20 connections, one per sender, each waiting for its answer
 *                                    batch100       JSON-RPC batches of 100 eth_sendRawTransaction, one after another
 *                                                   (ethers' provider batches what a script sends at once)
 *                                    batch10x4      batches of 10 on 4 connections at once
 *                                    one-at-a-time  one client, each transaction answered before the next
 *                                    ethers         a script's Promise.all of provider.broadcastTransaction through
 *                                                   an ethers JsonRpcProvider (which batches what is sent within 10 ms)
 *       [--concord-url URL]          measure an already running node (e.g. one under a profiler)
 *       [--concord-cpu-prof DIR]     start the Concord node under V8's profiler (.cpuprofile in DIR)
 *       [--client-cpu-prof DIR]      profile this client during the measured windows only
 *       [--hardhat-quiet]            turn off Hardhat's per-request console log (hardhat_setLoggingEnabled
 *                                    false): `npx hardhat node` logs every call by default, which costs it
 *                                    ~20% of its throughput here; quiet is the stronger reference
 */
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { HDNodeWallet, Interface, JsonRpcProvider, Mnemonic, Transaction, keccak256, type TransactionRequest } from "ethers";
import secp256k1 from "secp256k1";
import { HeadSubscription } from "./lib/headSubscription.ts";
import { JsonRpcHttpClient } from "./lib/jsonRpcHttp.ts";
import { cpuBetween } from "./lib/processCpu.ts";
import { PROJECT_ROOT, nodeCpu as readNodeCpu, startConcordNode, startConcordValidators, startHardhatNode, type RunningNode } from "./lib/processes.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const { values: args } = parseArgs({
  options: {
    txs: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    only: { type: "string" },
    workload: { type: "string" },
    "concord-url": { type: "string" },
    "concord-cpu-prof": { type: "string" },
    "client-cpu-prof": { type: "string" },
    "hardhat-quiet": { type: "boolean", default: false },
    validators: { type: "string", default: "1" },
    pattern: { type: "string", default: "send-and-wait" },
  },
});
const ALL_PATTERNS = ["send-and-wait", "batch100", "batch10x4", "one-at-a-time", "ethers"] as const;
type Pattern = (typeof ALL_PATTERNS)[number];
const PATTERNS: readonly Pattern[] = args.pattern === "all" ? ALL_PATTERNS : [args.pattern as Pattern];
if (!PATTERNS.every((pattern) => ALL_PATTERNS.includes(pattern))) throw new RangeError(`--pattern must be one of ${ALL_PATTERNS.join(", ")} or all`);
const VALIDATORS = Number(args.validators);
const TXS = Number(args.txs);
const RUNS = Number(args.runs);
if (!(Number.isSafeInteger(TXS) && TXS > 0 && Number.isSafeInteger(RUNS) && RUNS > 0)) {
  throw new RangeError("--txs and --runs must be positive integers");
}
if (args.only !== undefined && args.only !== "hardhat" && args.only !== "concord") {
  throw new RangeError("--only must be hardhat or concord");
}

const wallets = Array.from({ length: 20 }, (_, i) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${i}`),
);
const privateKeys = wallets.map((w) => Buffer.from(w.privateKey.slice(2), "hex"));

// Signing thousands of transactions leaves garbage whose collection (partly on helper threads)
// would otherwise run during the measured window and take CPU from the node under test.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const clientProfiler = args["client-cpu-prof"] === undefined ? undefined : new Session();
if (clientProfiler !== undefined) {
  clientProfiler.connect();
  await clientProfiler.post("Profiler.enable");
}

interface RunResult {
  txPerSecond: number;
  medianLatencyMs: number;
  /** CPU used during the run in % of one core; undefined when not measurable. */
  nodeCpuPercent?: number;
  /** The node's busiest main thread (where its JavaScript runs), in % of one core. */
  nodeMainThreadPercent?: number;
  /** Transactions per block that held any of the run's. */
  txPerBlock: number;
  /** Node CPU (all threads) per transaction, in microseconds: less sensitive to a busy machine. */
  nodeCpuPerTxUs?: number;
  clientCpuPercent: number;
}

type Workload = "transfer" | "erc20";
const ALL_WORKLOADS: readonly Workload[] = ["transfer", "erc20"];
if (args.workload !== undefined && !ALL_WORKLOADS.includes(args.workload as Workload)) {
  throw new RangeError("--workload must be transfer or erc20");
}
const WORKLOADS = args.workload === undefined ? ALL_WORKLOADS : [args.workload as Workload];

interface SignedTx {
  raw: string;
  hash: string;
}

/**
 * Signs with the native secp256k1 addon (RFC 6979, like ethers): tens of microseconds per signature
 * instead of ~1 ms in JavaScript, so the tens of thousands of transactions of a full run are ready
 * in seconds. Off the clock either way.
 */
function sign(request: TransactionRequest & { chainId: bigint; nonce: number }, key: Buffer): SignedTx {
  const tx = Transaction.from({ ...request, type: 2, to: request.to as string } as never);
  const digest = Buffer.from(tx.unsignedHash.slice(2), "hex");
  const { signature, recid } = secp256k1.ecdsaSign(digest, key);
  tx.signature = {
    r: `0x${Buffer.from(signature.subarray(0, 32)).toString("hex")}`,
    s: `0x${Buffer.from(signature.subarray(32)).toString("hex")}`,
    yParity: recid as 0 | 1,
  } as never;
  const raw = tx.serialized;
  return { raw, hash: keccak256(raw) };
}

async function deployToken(client: JsonRpcHttpClient): Promise<string> {
  const artifact = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, "artifacts/contracts/governance/ConcordToken.sol/ConcordToken.json"), "utf8"),
  );
  const iface = new Interface(artifact.abi);
  const data =
    artifact.bytecode +
    iface.encodeDeploy([wallets.map((w) => w.address), wallets.map(() => 10n ** 24n)]).slice(2);
  const deployer = wallets[0];
  const { raw } = sign(
    {
      chainId: BigInt(await client.call<string>("eth_chainId")),
      nonce: Number(await client.call<string>("eth_getTransactionCount", [deployer.address, "pending"])),
      gasLimit: 5_000_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, data,
    },
    privateKeys[0],
  );
  const hash = await client.call<string>("eth_sendRawTransaction", [raw]);
  for (;;) {
    const receipt = await client.call<{ contractAddress: string; status: string } | null>("eth_getTransactionReceipt", [hash]);
    if (receipt !== null) {
      if (receipt.status !== "0x1") throw new Error("token deployment reverted");
      return receipt.contractAddress;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function signWorkload(client: JsonRpcHttpClient, workload: Workload, token: string): Promise<SignedTx[][]> {
  const chainId = BigInt(await client.call<string>("eth_chainId"));
  const erc20 = new Interface(["function transfer(address to, uint256 amount) returns (bool)"]);
  const perSender = Math.ceil(TXS / wallets.length);
  const starts = await client.batch<string>(
    wallets.map((w) => ({ method: "eth_getTransactionCount", params: [w.address, "pending"] })),
  );
  return wallets.map((_, w) => {
    const out: SignedTx[] = [];
    for (let i = 0; i < perSender && w * perSender + i < TXS; i++) {
      // A fresh recipient per transaction: every transfer writes a new account (or token balance).
      const recipient = `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString("hex")}`;
      const request: TransactionRequest =
        workload === "transfer"
          ? { to: recipient, value: 1n, gasLimit: 21_000n }
          : { to: token, data: erc20.encodeFunctionData("transfer", [recipient, 1n]), gasLimit: 100_000n };
      out.push(
        sign(
          { ...request, chainId, nonce: Number(starts[w]) + i, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n },
          privateKeys[w],
        ),
      );
    }
    return out;
  });
}

/** Interleaves the senders' lists (s0 n0, s1 n0, ..., s0 n1, ...): any prefix keeps every sender's nonce order. */
function interleave(bySender: SignedTx[][]): SignedTx[] {
  const out: SignedTx[] = [];
  for (let i = 0; out.length < bySender.flat().length; i++) for (const txs of bySender) if (i < txs.length) out.push(txs[i]);
  return out;
}

function checkHashes(answered: string[], sent: SignedTx[]): void {
  answered.forEach((hash, i) => {
    if (hash !== sent[i].hash) throw new Error(`node answered hash ${hash} for ${sent[i].hash}`);
  });
}

/** Sends every transaction the way `pattern` says, each sender's in nonce order. */
async function send(pattern: Pattern, client: JsonRpcHttpClient, bySender: SignedTx[][], sentAt: Map<string, number>, url: string): Promise<void> {
  const sendBatches = async (txs: SignedTx[], size: number) => {
    for (let i = 0; i < txs.length; i += size) {
      const batch = txs.slice(i, i + size);
      const now = performance.now();
      for (const tx of batch) sentAt.set(tx.hash, now);
      checkHashes(await client.batch<string>(batch.map((tx) => ({ method: "eth_sendRawTransaction", params: [tx.raw] }))), batch);
    }
  };
  const sendOneByOne = async (txs: SignedTx[]) => {
    for (const tx of txs) {
      sentAt.set(tx.hash, performance.now());
      checkHashes([await client.call<string>("eth_sendRawTransaction", [tx.raw])], [tx]);
    }
  };
  switch (pattern) {
    case "send-and-wait":
      await Promise.all(bySender.map(sendOneByOne));
      return;
    case "batch100":
      await sendBatches(interleave(bySender), 100);
      return;
    case "batch10x4":
      // Each connection sends for its own 5 senders, so no sender's nonces cross connections.
      await Promise.all([0, 1, 2, 3].map((c) => sendBatches(interleave(bySender.filter((_, s) => s % 4 === c)), 10)));
      return;
    case "one-at-a-time":
      await sendOneByOne(interleave(bySender));
      return;
    case "ethers": {
      // What a script does: fire everything, await all. ethers groups the calls into batches of up to 100.
      const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
      try {
        const txs = interleave(bySender);
        const now = performance.now();
        for (const tx of txs) sentAt.set(tx.hash, now);
        const answers = await Promise.all(txs.map((tx) => provider.broadcastTransaction(tx.raw)));
        checkHashes(answers.map((answer) => answer.hash), txs);
      } finally {
        provider.destroy();
      }
      return;
    }
  }
}

async function runOnce(
  node: RunningNode,
  client: JsonRpcHttpClient,
  heads: HeadSubscription,
  workload: Workload,
  token: string,
  pattern: Pattern,
): Promise<RunResult> {
  const bySender = await signWorkload(client, workload, token);
  const wanted = new Set(bySender.flat().map((tx) => tx.hash));
  const total = wanted.size;
  const sentAt = new Map<string, number>();
  const includedAt = new Map<string, number>();
  let nextBlock = BigInt(await client.call<string>("eth_blockNumber")) + 1n;
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 50)); // let concurrent sweeping finish

  // Which block holds which transaction is read with one batch request at a time, started by head
  // notifications; the time that counts is the notification's arrival, not this read's.
  let allIncluded!: () => void;
  let failed!: (error: unknown) => void;
  const complete = new Promise<void>((resolve, reject) => {
    allIncluded = resolve;
    failed = reject;
  });
  let reading = false;
  let blocksUsed = 0;
  const readNewBlocks = async () => {
    if (reading) return;
    reading = true;
    try {
      while (heads.latest >= nextBlock) {
        const numbers: bigint[] = [];
        for (; nextBlock <= heads.latest; nextBlock++) numbers.push(nextBlock);
        const blocks = await client.batch<{ transactions: string[] }>(
          numbers.map((n) => ({ method: "eth_getBlockByNumber", params: [`0x${n.toString(16)}`, false] })),
        );
        blocks.forEach((block, i) => {
          const at = heads.arrivals.get(numbers[i])!;
          let ours = 0;
          for (const hash of block.transactions) {
            if (!wanted.has(hash)) continue;
            includedAt.set(hash, at);
            ours++;
          }
          if (ours > 0) blocksUsed++;
        });
      }
      if (includedAt.size === total) allIncluded();
    } catch (error) {
      failed(error);
    } finally {
      reading = false;
    }
  };
  heads.onHead(() => void readNewBlocks());

  await clientProfiler?.post("Profiler.start");
  const cpuBefore = { client: process.cpuUsage(), node: readNodeCpu(node) };
  const first = performance.now();
  await send(pattern, client, bySender, sentAt, node.rpcUrl);
  void readNewBlocks(); // heads that arrived before the last send was answered
  await complete;
  heads.onHead(undefined);
  if (clientProfiler !== undefined) {
    const { profile } = await clientProfiler.post("Profiler.stop");
    const dir = args["client-cpu-prof"]!;
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `client-${node.name.split(" ")[0]}-${workload}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  }
  const last = Math.max(...includedAt.values());
  const elapsedSeconds = (last - first) / 1000;
  const clientCpu = process.cpuUsage(cpuBefore.client);
  const nodeCpuAfter = readNodeCpu(node);
  const nodeCpu = nodeCpuAfter === undefined || cpuBefore.node === undefined ? undefined : cpuBetween(cpuBefore.node, nodeCpuAfter);
  const latencies = [...sentAt].map(([hash, at]) => includedAt.get(hash)! - at).sort((a, b) => a - b);
  // CPU is sampled until now, slightly after `last`: a small overestimate, the same for both nodes.
  const wallSeconds = (performance.now() - first) / 1000;
  return {
    txPerSecond: total / elapsedSeconds,
    medianLatencyMs: latencies[latencies.length >> 1],
    txPerBlock: total / blocksUsed,
    nodeCpuPercent: nodeCpu === undefined ? undefined : (nodeCpu.totalSeconds / wallSeconds) * 100,
    nodeMainThreadPercent: nodeCpu === undefined ? undefined : (nodeCpu.busiestMainThreadSeconds / wallSeconds) * 100,
    nodeCpuPerTxUs: nodeCpu === undefined ? undefined : (nodeCpu.totalSeconds / total) * 1e6,
    clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1e6 / wallSeconds) * 100,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

type Measured = { name: string; results: Map<string, RunResult> };
const key = (pattern: Pattern, workload: Workload) => `${pattern} ${workload}`;

async function measure(start: () => Promise<RunningNode & { quiet?: boolean }>): Promise<Measured> {
  const node = await start();
  const client = new JsonRpcHttpClient(node.rpcUrl);
  const heads = await HeadSubscription.open(node.wsUrl);
  try {
    if (node.quiet) await client.call("hardhat_setLoggingEnabled", [false]);
    const token = await deployToken(client);
    const results = new Map<string, RunResult>();
    for (const pattern of PATTERNS) for (const workload of WORKLOADS) {
      await runOnce(node, client, heads, workload, token, pattern); // warm-up: JIT, caches
      const runs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        const run = await runOnce(node, client, heads, workload, token, pattern);
        process.stderr.write(
          `  ${node.name} ${pattern} ${workload} run ${i + 1}: ${run.txPerSecond.toFixed(0)} tx/s, median latency ${run.medianLatencyMs.toFixed(1)} ms, ` +
            `${run.txPerBlock.toFixed(1)} tx/block, ` +
            `node CPU ${run.nodeCpuPercent?.toFixed(0) ?? "?"}% (main thread ${run.nodeMainThreadPercent?.toFixed(0) ?? "?"}%, ` +
            `${run.nodeCpuPerTxUs?.toFixed(0) ?? "?"} us/tx), client CPU ${run.clientCpuPercent.toFixed(0)}%\n`,
        );
        runs.push(run);
      }
      const medianOf = (pick: (run: RunResult) => number | undefined) => {
        const values = runs.map(pick).filter((value) => value !== undefined);
        return values.length === 0 ? undefined : median(values);
      };
      results.set(key(pattern, workload), {
        txPerSecond: median(runs.map((r) => r.txPerSecond)),
        medianLatencyMs: median(runs.map((r) => r.medianLatencyMs)),
        txPerBlock: median(runs.map((r) => r.txPerBlock)),
        nodeCpuPercent: medianOf((r) => r.nodeCpuPercent),
        nodeMainThreadPercent: medianOf((r) => r.nodeMainThreadPercent),
        nodeCpuPerTxUs: medianOf((r) => r.nodeCpuPerTxUs),
        clientCpuPercent: median(runs.map((r) => r.clientCpuPercent)),
      });
    }
    return { name: node.name, results };
  } finally {
    heads.close();
    client.close();
    await node.stop();
  }
}

console.log(`JSON-RPC throughput: ${TXS} txs per run from 20 senders, ${RUNS} runs (median), patterns ${PATTERNS.join(", ")}`);
const reference =
  args.only === "concord"
    ? undefined
    : await measure(async () => {
        const node = await startHardhatNode();
        return args["hardhat-quiet"] ? { ...node, name: `${node.name} (quiet)`, quiet: true } : node;
      });
const concordUrl = args["concord-url"];
const startConcord =
  concordUrl === undefined
    ? VALIDATORS > 1
      ? () => startConcordValidators(VALIDATORS)
      : () => startConcordNode({ cpuProfileDir: args["concord-cpu-prof"] })
    : async (): Promise<RunningNode> => ({
        name: "Concord (running node)",
        rpcUrl: concordUrl,
        wsUrl: concordUrl.replace(/^http/, "ws"),
        stop: async () => {},
      });
const concord = args.only === "hardhat" ? undefined : await measure(startConcord);
const rows = [reference, concord].filter((r) => r !== undefined);
const percent = (value: number | undefined) => (value === undefined ? "?" : `${value.toFixed(0)}%`);
console.log(
  "\n| node | pattern | workload | tx/s | median latency (ms) | tx/block | node CPU (main thread) | node CPU per tx | client CPU |\n|---|---|---|---|---|---|---|---|---|",
);
for (const pattern of PATTERNS)
  for (const workload of WORKLOADS)
    for (const row of rows) {
    const r = row.results.get(key(pattern, workload))!;
    console.log(
      `| ${row.name} | ${pattern} | ${workload} | ${r.txPerSecond.toFixed(0)} | ${r.medianLatencyMs.toFixed(1)} | ${r.txPerBlock.toFixed(1)} | ` +
        `${percent(r.nodeCpuPercent)} (${percent(r.nodeMainThreadPercent)}) | ${r.nodeCpuPerTxUs === undefined ? "?" : `${r.nodeCpuPerTxUs.toFixed(0)} us`} | ${percent(r.clientCpuPercent)} |`,
    );
  }
console.log("(CPU in % of one core during the runs; the machine has 2 cores.)");
if (reference && concord)
  for (const pattern of PATTERNS)
    for (const workload of WORKLOADS) {
      const ours = concord.results.get(key(pattern, workload))!;
      const theirs = reference.results.get(key(pattern, workload))!;
      console.log(
        `Concord / Hardhat, ${pattern} ${workload}: throughput ${(ours.txPerSecond / theirs.txPerSecond).toFixed(2)}x, median latency ${ours.medianLatencyMs.toFixed(1)} vs ${theirs.medianLatencyMs.toFixed(1)} ms`,
      );
    }
