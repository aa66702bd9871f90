/**
 * Commit latency and throughput as the validator set grows: for each count (1, 4, 7, 10 by default)
 * a fresh network of that many validator processes (1: the single-validator devnet node) takes
 * transfers from one client that sends each as soon as the previous one is answered (a devnet
 * answers once the transaction is committed), then from 20 senders at once. Prints the median
 * send-to-commit latency, transfers per second, blocks per second, and the CPU the validator
 * processes spent per transfer under the 20 senders (all of them together). Every validator runs on
 * this machine, so beyond a few the numbers say more about 2 cores than about the protocol.
 *
 *   npx tsx bench/validatorScaling.ts [--counts 1,4,7,10] [--txs 200] [--runs 3]
 */
import { parseArgs } from "node:util";
import { HDNodeWallet, Mnemonic, Transaction } from "ethers";
import { JsonRpcHttpClient } from "./lib/jsonRpcHttp.ts";
import { nodeCpu, startConcordNode, startConcordValidators, type RunningNode } from "./lib/processes.ts";
import { cpuBetween } from "./lib/processCpu.ts";

const { values: args } = parseArgs({ options: { counts: { type: "string", default: "1,4,7,10" }, txs: { type: "string", default: "200" }, runs: { type: "string", default: "3" } } });
const COUNTS = args.counts.split(",").map(Number);
const TXS = Number(args.txs);
const RUNS = Number(args.runs);
const MNEMONIC = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
const senders = Array.from({ length: 20 }, (_, i) => HDNodeWallet.fromMnemonic(MNEMONIC, `m/44'/60'/0'/0/${i}`));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function signed(client: JsonRpcHttpClient, sender: HDNodeWallet, count: number): Promise<string[]> {
  const nonce = Number(BigInt(await client.call<string>("eth_getTransactionCount", [sender.address, "pending"])));
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      sender.signTransaction(Transaction.from({ type: 2, chainId: 31337n, nonce: nonce + i, to: "0x000000000000000000000000000000000000dEaD", value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 1n }) as never),
    ),
  );
}

async function oneClient(client: JsonRpcHttpClient): Promise<{ medianMs: number; txPerSecond: number }> {
  const raws = await signed(client, senders[0]!, TXS);
  const latencies: number[] = [];
  const started = performance.now();
  for (const raw of raws) {
    const sent = performance.now();
    await client.call("eth_sendRawTransaction", [raw]);
    // A devnet answers once committed; a receipt check makes sure for the single-validator node too.
    latencies.push(performance.now() - sent);
  }
  return { medianMs: median(latencies), txPerSecond: TXS / ((performance.now() - started) / 1000) };
}

async function twentyClients(client: JsonRpcHttpClient, node: RunningNode): Promise<{ txPerSecond: number; blocksPerSecond: number; cpuPerTxMs: number | undefined }> {
  const per = Math.max(1, Math.floor(TXS / 20));
  const batches = await Promise.all(senders.map((sender) => signed(client, sender, per)));
  const firstBlock = BigInt(await client.call<string>("eth_blockNumber"));
  const cpuBefore = nodeCpu(node);
  const started = performance.now();
  await Promise.all(batches.map(async (raws) => {
    for (const raw of raws) await client.call("eth_sendRawTransaction", [raw]);
  }));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = nodeCpu(node);
  const blocks = Number(BigInt(await client.call<string>("eth_blockNumber")) - firstBlock);
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuBetween(cpuBefore, cpuAfter).totalSeconds;
  return { txPerSecond: (per * 20) / seconds, blocksPerSecond: blocks / seconds, cpuPerTxMs: cpuSeconds === undefined ? undefined : (cpuSeconds * 1000) / (per * 20) };
}

const rows: string[] = [];
for (const count of COUNTS) {
  const node: RunningNode = count === 1 ? await startConcordNode() : await startConcordValidators(count);
  const client = new JsonRpcHttpClient(node.rpcUrl);
  try {
    await oneClient(client); // warm-up
    const single = [];
    const many = [];
    for (let run = 0; run < RUNS; run++) {
      single.push(await oneClient(client));
      many.push(await twentyClients(client, node));
    }
    const cpu = many.every((r) => r.cpuPerTxMs !== undefined) ? median(many.map((r) => r.cpuPerTxMs!)).toFixed(2) : "?";
    const row = `| ${count} | ${median(single.map((r) => r.medianMs)).toFixed(1)} | ${median(single.map((r) => r.txPerSecond)).toFixed(0)} | ${median(many.map((r) => r.txPerSecond)).toFixed(0)} | ${median(many.map((r) => r.blocksPerSecond)).toFixed(1)} | ${cpu} |`;
    process.stderr.write(`  ${node.name}: ${row}\n`);
    rows.push(row);
  } finally {
    client.close();
    await node.stop();
  }
}
console.log(`\nValidator set scaling: ${TXS} transfers per run, ${RUNS} runs (median), every validator on this machine`);
console.log("| validators | one client: median send-to-commit (ms) | one client: tx/s | 20 clients: tx/s | 20 clients: blocks/s | 20 clients: CPU per tx, all validators (ms) |\n|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
