/**
 * End-to-end throughput and latency through JSON-RPC: Concord (one validator) against Hardhat's node,
 * started in the same run on the same machine.
 *
 * For each node and workload (ETH transfers, ERC20 transfers) it pre-signs N transactions from the 20
 * test accounts; one client per account sends its transactions in nonce order with
 * eth_sendRawTransaction, and a follower notes when each transaction first appears in a block (one
 * batch request per new head). It prints tx/s from first send to last inclusion and the median
 * send-to-inclusion latency, the median over several runs, and Concord's ratio to Hardhat.
 *
 *   npx tsx bench/rpc-throughput.ts [--txs 2000] [--runs 3] [--only hardhat|concord] [--concord-url URL]
 */
import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { HDNodeWallet, Interface, Mnemonic, Wallet, type TransactionRequest } from "ethers";
import { PROJECT_ROOT, rpc, rpcBatch, startConcordNode, startHardhatNode, type RunningNode } from "./lib/processes.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const { values: args } = parseArgs({
  options: {
    txs: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    only: { type: "string" },
    // Measure an already running Concord node instead of starting one (e.g. one under a profiler).
    "concord-url": { type: "string" },
  },
});
const TXS = Number(args.txs);
const RUNS = Number(args.runs);

const wallets = Array.from({ length: 20 }, (_, i) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${i}`),
);

interface RunResult {
  txPerSecond: number;
  medianLatencyMs: number;
}

type Workload = "transfer" | "erc20";

async function chainId(url: string): Promise<bigint> {
  return BigInt(await rpc<string>(url, "eth_chainId"));
}

async function nonceOf(url: string, address: string): Promise<number> {
  return Number(await rpc<string>(url, "eth_getTransactionCount", [address, "pending"]));
}

async function deployToken(node: RunningNode): Promise<string> {
  const artifact = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, "artifacts/contracts/governance/ConcordToken.sol/ConcordToken.json"), "utf8"),
  );
  const iface = new Interface(artifact.abi);
  const data =
    artifact.bytecode +
    iface.encodeDeploy([wallets.map((w) => w.address), wallets.map(() => 10n ** 24n)]).slice(2);
  const deployer = wallets[0];
  const tx = await deployer.signTransaction({
    type: 2, chainId: await chainId(node.rpcUrl), nonce: await nonceOf(node.rpcUrl, deployer.address),
    gasLimit: 5_000_000n, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n, data,
  });
  const hash = await rpc<string>(node.rpcUrl, "eth_sendRawTransaction", [tx]);
  for (;;) {
    const receipt = await rpc<{ contractAddress: string; status: string } | null>(node.rpcUrl, "eth_getTransactionReceipt", [hash]);
    if (receipt !== null) {
      if (receipt.status !== "0x1") throw new Error("token deployment reverted");
      return receipt.contractAddress;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function signWorkload(node: RunningNode, workload: Workload, token: string | undefined): Promise<string[][]> {
  const id = await chainId(node.rpcUrl);
  const erc20 = new Interface(["function transfer(address to, uint256 amount) returns (bool)"]);
  const perSender = Math.ceil(TXS / wallets.length);
  const signed: string[][] = await Promise.all(
    wallets.map(async (wallet, w) => {
      const start = await nonceOf(node.rpcUrl, wallet.address);
      const out: string[] = [];
      for (let i = 0; i < perSender && w * perSender + i < TXS; i++) {
        const recipient = Wallet.createRandom().address;
        const request: TransactionRequest =
          workload === "transfer"
            ? { to: recipient, value: 1n, gasLimit: 21_000n }
            : { to: token, data: erc20.encodeFunctionData("transfer", [recipient, 1n]), gasLimit: 100_000n };
        out.push(
          await wallet.signTransaction({
            ...request, type: 2, chainId: id, nonce: start + i,
            maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n,
          }),
        );
      }
      return out;
    }),
  );
  return signed;
}

async function runOnce(node: RunningNode, workload: Workload, token: string | undefined): Promise<RunResult> {
  const bySender = await signWorkload(node, workload, token);
  const total = bySender.reduce((sum, list) => sum + list.length, 0);
  const sentAt = new Map<string, number>();
  const includedAt = new Map<string, number>();
  let nextBlock = BigInt(await rpc<string>(node.rpcUrl, "eth_blockNumber")) + 1n;

  // The head follower fetches every new block's transaction hashes in one batch request per poll:
  // the same observation cost on both nodes, whatever their block sizes.
  const follower = (async () => {
    while (includedAt.size < total) {
      const head = BigInt(await rpc<string>(node.rpcUrl, "eth_blockNumber"));
      if (head >= nextBlock) {
        const numbers: string[] = [];
        for (; nextBlock <= head; nextBlock++) numbers.push(`0x${nextBlock.toString(16)}`);
        const blocks = await rpcBatch<{ transactions: string[] }>(
          node.rpcUrl, numbers.map((n) => ({ method: "eth_getBlockByNumber", params: [n, false] })),
        );
        const now = performance.now();
        for (const block of blocks) for (const hash of block.transactions) includedAt.set(hash, now);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  })();

  // One client per sender, sending its transactions in nonce order, each as soon as the previous
  // send was answered (Hardhat's automine cannot queue a nonce gap).
  const first = performance.now();
  await Promise.all(
    bySender.map(async (raws) => {
      for (const raw of raws) {
        const started = performance.now();
        sentAt.set(await rpc<string>(node.rpcUrl, "eth_sendRawTransaction", [raw]), started);
      }
    }),
  );
  await follower;
  const last = Math.max(...includedAt.values());
  const latencies = [...sentAt].map(([hash, at]) => includedAt.get(hash)! - at).sort((a, b) => a - b);
  return { txPerSecond: (total / (last - first)) * 1000, medianLatencyMs: latencies[latencies.length >> 1] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

async function measure(start: () => Promise<RunningNode>): Promise<Record<Workload, RunResult> & { name: string }> {
  const node = await start();
  try {
    const token = await deployToken(node);
    const results = {} as Record<Workload, RunResult>;
    for (const workload of ["transfer", "erc20"] as const) {
      await runOnce(node, workload, token); // warm-up: JIT, caches
      const runs: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(node, workload, token));
      results[workload] = {
        txPerSecond: median(runs.map((r) => r.txPerSecond)),
        medianLatencyMs: median(runs.map((r) => r.medianLatencyMs)),
      };
      process.stderr.write(`  ${node.name} ${workload}: ${results[workload].txPerSecond.toFixed(0)} tx/s\n`);
    }
    return { name: node.name, ...results };
  } finally {
    await node.stop();
  }
}

console.log(`JSON-RPC throughput: ${TXS} txs per run from 20 senders, ${RUNS} runs (median)`);
const reference = args.only === "concord" ? undefined : await measure(startHardhatNode);
const concordUrl = args["concord-url"];
const startConcord = concordUrl === undefined
  ? startConcordNode
  : async (): Promise<RunningNode> => ({ name: "Concord (running node)", rpcUrl: concordUrl, stop: async () => {} });
const concord = args.only === "hardhat" ? undefined : await measure(startConcord);
const rows = [reference, concord].filter((r) => r !== undefined);
console.log("\n| node | workload | tx/s | median latency (ms) |\n|---|---|---|---|");
for (const row of rows)
  for (const workload of ["transfer", "erc20"] as const)
    console.log(`| ${row.name} | ${workload} | ${row[workload].txPerSecond.toFixed(0)} | ${row[workload].medianLatencyMs.toFixed(1)} |`);
if (reference && concord)
  for (const workload of ["transfer", "erc20"] as const)
    console.log(`Concord / Hardhat ${workload} throughput: ${(concord[workload].txPerSecond / reference[workload].txPerSecond).toFixed(2)}x`);
