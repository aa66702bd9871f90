/**
 * The soak: a steady transfer load on a live node while clients attack it the ways issue 13 lists,
 * phase by phase, so a reader sees whether any client can take throughput, responsiveness or memory
 * away from everyone else.
 *
 * Phases (each `--seconds` long, on the same node, one after the other):
 *   baseline   the transfer load alone
 *   calls      + 4 clients running heavy but finite eth_calls back to back (a 10M-gas loop each):
 *              calls run on worker threads, so block throughput should not drop
 *   attack     + 2 clients looping eth_call of an endless loop with gas 2^64-1 (cap + time limit),
 *              + a client installing 1,000-address x 4,000-topic filters until refused, and one
 *              subscribing the same over WebSocket, + 50 MB bodies, + 10,000-call batches,
 *              + malformed JSON, + a foreign web page calling dev methods (403)
 * The transfer load: `--senders` dev accounts, each sending an ETH transfer with eth_sendTransaction
 * and waiting for its answer (committed) before the next. A prober calls eth_blockNumber every 50 ms.
 * Printed per phase: blocks made, transactions confirmed and tx/s, the slowest and median
 * eth_blockNumber, the node's peak resident memory, and what the attackers got back.
 *
 *   npx tsx bench/adversarialSoak.ts [--seconds 30] [--senders 10]
 *       [--attacks endless-call,heavy-filter,heavy-subscription,big-body,big-batch,malformed,foreign-page]
 *                                     the attack phase's attackers (all by default), to see which costs what
 */
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { JsonRpcHttpClient } from "./lib/jsonRpcHttp.ts";
import { processGroupRss } from "./lib/processCpu.ts";
import { startConcordNode } from "./lib/processes.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    senders: { type: "string", default: "10" },
    attacks: { type: "string", default: "endless-call,heavy-filter,heavy-subscription,big-body,big-batch,malformed,foreign-page" },
  },
});
const SECONDS = Number(args.seconds);
const SENDERS = Number(args.senders);
const ATTACKS = new Set(args.attacks.split(","));
if (!(SECONDS > 0 && Number.isSafeInteger(SENDERS) && SENDERS > 0 && SENDERS <= 20)) throw new RangeError("--seconds > 0, --senders in 1..20");

const ENDLESS_LOOP = "0x5b600056";
/** PUSH3 300000, then count down to 0 and STOP: a finite loop of ~7.8M gas (26 gas an iteration). */
const FINITE_LOOP = "0x620493e05b600190038060045700";
const hex = (value: bigint) => `0x${value.toString(16)}`;

interface PhaseResult {
  phase: string;
  blocks: number;
  confirmed: number;
  slowestBlockNumberMs: number;
  medianBlockNumberMs: number;
  peakRssMb: number;
  attackers: Map<string, number>;
}

const node = await startConcordNode();
const client = new JsonRpcHttpClient(node.rpcUrl);
const accounts = await client.call<string[]>("eth_accounts");
const results: PhaseResult[] = [];
try {
  for (const phase of ["baseline", "calls", "attack"] as const) {
    process.stderr.write(`phase ${phase}: ${SECONDS} s...\n`);
    results.push(await runPhase(phase));
  }
} finally {
  client.close();
  await node.stop();
}

console.log(`\nSoak on one Concord validator, ${SENDERS} senders waiting on each transfer, ${SECONDS} s per phase\n`);
console.log("| phase | blocks | transfers confirmed | tx/s | eth_blockNumber slowest / median | peak RSS | what the attackers got |");
console.log("|---|---|---|---|---|---|---|");
for (const r of results) {
  const attackers = [...r.attackers].map(([answer, count]) => `${answer} x${count}`).join("; ") || "-";
  console.log(
    `| ${r.phase} | ${r.blocks} | ${r.confirmed} | ${(r.confirmed / SECONDS).toFixed(0)} | ${r.slowestBlockNumberMs.toFixed(0)} / ${r.medianBlockNumberMs.toFixed(1)} ms | ${r.peakRssMb.toFixed(0)} MB | ${attackers} |`,
  );
}

async function runPhase(phase: "baseline" | "calls" | "attack"): Promise<PhaseResult> {
  const deadline = Date.now() + SECONDS * 1000;
  const running = () => Date.now() < deadline;
  const attackers = new Map<string, number>();
  const count = (answer: string) => attackers.set(answer, (attackers.get(answer) ?? 0) + 1);
  const startBlock = BigInt(await client.call<string>("eth_blockNumber"));
  let confirmed = 0;
  let peakRss = 0;
  const latencies: number[] = [];

  const senders = accounts.slice(0, SENDERS).map(async (from, i) => {
    const to = accounts[(i + 1) % accounts.length];
    while (running()) {
      await client.call("eth_sendTransaction", [{ from, to, value: "0x1" }]);
      confirmed++;
    }
  });
  const prober = (async () => {
    while (running()) {
      const started = performance.now();
      await client.call("eth_blockNumber");
      latencies.push(performance.now() - started);
      peakRss = Math.max(peakRss, (node.processGroup === undefined ? 0 : processGroupRss(node.processGroup)) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const extra: Promise<void>[] = [];
  if (phase === "calls") {
    for (let i = 0; i < 4; i++) extra.push(loopWhile(running, () => client.call("eth_call", [{ data: FINITE_LOOP, gas: hex(20_000_000n) }, "latest"]), count));
  }
  if (phase === "attack") extra.push(...attacks(running, count));
  await Promise.all([...senders, prober, ...extra]);
  const endBlock = BigInt(await client.call<string>("eth_blockNumber"));
  latencies.sort((a, b) => a - b);
  return {
    phase,
    blocks: Number(endBlock - startBlock),
    confirmed,
    slowestBlockNumberMs: latencies.at(-1) ?? 0,
    medianBlockNumberMs: latencies[Math.floor(latencies.length / 2)] ?? 0,
    peakRssMb: peakRss / 1024 / 1024,
    attackers,
  };
}

/** Runs `attempt` back to back while the phase runs, counting each answer by its kind. */
async function loopWhile(running: () => boolean, attempt: () => Promise<unknown>, count: (answer: string) => void, pauseMs = 0): Promise<void> {
  while (running()) {
    try {
      await attempt();
      count("answered");
    } catch (error) {
      const typed = error as { code?: number; status?: number; message?: string };
      count(typed.code !== undefined ? `error ${typed.code}` : typed.status !== undefined ? `HTTP ${typed.status}` : `failed: ${String(typed.message).slice(0, 40)}`);
    }
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

function attacks(running: () => boolean, count: (answer: string) => void): Promise<void>[] {
  const word = (seed: number, bytes: number) => `0x${seed.toString(16).padStart(bytes * 2, "0")}`;
  // Made once and sent again and again: the attack's cost should land on the node, not on this client.
  const heavy = [1, 2, 3, 4].map((seed) => ({
    address: Array.from({ length: 1_000 }, (_, i) => word(seed * 10_000 + i, 20)),
    topics: [0, 1, 2, 3].map((p) => Array.from({ length: 1_000 }, (_, i) => word(seed * 10_000 + p * 1_000 + i, 32))),
  }));
  const newFilterBodies = heavy.map((criteria) => JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_newFilter", params: [criteria] }));
  let turn = 0;
  const heavyCriteria = () => heavy[turn++ % heavy.length];
  const post = async (body: string | Buffer, headers: Record<string, string> = {}) => {
    const response = await fetch(node.rpcUrl, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: typeof body === "string" ? body : new Uint8Array(body) });
    await response.arrayBuffer();
    if (response.status !== 200) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  };
  /** A pre-serialised JSON-RPC request; throws with the error's code as the client would see it. */
  const postRpc = async (body: string) => {
    const response = await fetch(node.rpcUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    const reply = (await response.json()) as { error?: { code: number } };
    if (reply.error !== undefined) throw Object.assign(new Error("rpc error"), { code: reply.error.code });
  };
  const endless = () => client.call("eth_call", [{ data: ENDLESS_LOOP, gas: hex(2n ** 64n - 1n) }, "latest"]);
  const big = Buffer.alloc(50 * 1024 * 1024, 0x20);
  const batch = JSON.stringify(Array.from({ length: 10_000 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_chainId" })));
  const all: Record<string, () => Promise<void>[]> = {
    "endless-call": () => [0, 1].map(() => loopWhile(running, endless, (answer) => count(`endless eth_call: ${answer}`))),
    "heavy-filter": () => [loopWhile(running, () => postRpc(newFilterBodies[turn++ % newFilterBodies.length]!), (answer) => count(`heavy filter: ${answer}`), 10)],
    "heavy-subscription": () => [subscribeHeavy(running, heavyCriteria, (answer) => count(`heavy subscription: ${answer}`))],
    "big-body": () => [loopWhile(running, () => post(big), (answer) => count(`50 MB body: ${answer}`), 500)],
    "big-batch": () => [loopWhile(running, () => post(batch), (answer) => count(`10k batch: ${answer}`), 200)],
    malformed: () => [loopWhile(running, () => post("{ not json"), (answer) => count(`malformed: ${answer}`), 100)],
    "foreign-page": () => [
      loopWhile(running, () => post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine" }), { Origin: "https://evil.example" }), (answer) => count(`foreign page: ${answer}`), 100),
    ],
  };
  return Object.entries(all).flatMap(([name, start]) => (ATTACKS.has(name) ? start() : []));
}

/** One WebSocket connection that keeps subscribing to heavy log criteria until the phase ends. */
async function subscribeHeavy(running: () => boolean, criteria: () => unknown, count: (answer: string) => void): Promise<void> {
  const socket = new WebSocket(node.wsUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const pending = new Map<number, (reply: { error?: { code: number } }) => void>();
  socket.on("message", (raw) => {
    const reply = JSON.parse(raw.toString()) as { id?: number; error?: { code: number } };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  while (running() && socket.readyState === socket.OPEN) {
    const reply = await new Promise<{ error?: { code: number } }>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method: "eth_subscribe", params: ["logs", criteria()] }));
    });
    count(reply.error === undefined ? "answered" : `error ${reply.error.code}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  socket.close();
}
