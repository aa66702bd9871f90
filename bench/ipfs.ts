/**
 * IPFS benchmark: add and cat throughput through the Kubo RPC API (kubo-rpc-client, as every
 * Concord part uses it) for 1 MB and 100 MB files, the time for a second node to serve a 10 MB
 * file it does not have (bitswap over loopback libp2p, read through its gateway), and memory
 * while several large uploads stream at once. Each node runs as its own process with an on-disk
 * data directory, like the devnet. Prints numbers; never fails on them.
 *
 *   npx tsx bench/ipfs.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createCipheriv, createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { create, type KuboRPCClient } from "kubo-rpc-client";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MB = 1_000_000;

interface DaemonProcess {
  apiUrl: string;
  gatewayUrl: string;
  swarm: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `concord ipfs daemon` in a child process; resolves once it printed its addresses. */
async function startDaemon(dataDir: string, peers: string[]): Promise<DaemonProcess> {
  const args = ["--import", "tsx", join(ROOT, "ipfs/cli.ts"), "daemon", `--data-dir=${dataDir}`, "--api-port=0", "--gateway-port=0", ...peers.map((p) => `--peer=${p}`)];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  await new Promise<void>((resolveStarted, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ctrl-C to stop")) resolveStarted();
    });
    child.once("exit", (code) => reject(new Error(`ipfs daemon exited with ${code} before starting:\n${output}`)));
  });
  return {
    apiUrl: /IPFS RPC API: (\S+)/.exec(output)![1],
    gatewayUrl: /IPFS gateway: (\S+)/.exec(output)![1],
    swarm: [...output.matchAll(/swarm: (\S+)/g)].map((m) => m[1]),
    child,
    stop: () =>
      new Promise<void>((resolveStopped) => {
        child.once("exit", () => resolveStopped());
        child.kill("SIGINT");
      }),
  };
}

/** Incompressible, distinct per seed (so no run reuses another's blocks), produced lazily. */
function* pseudoRandom(size: number, seed: string, chunk = 1 << 20): Generator<Uint8Array> {
  const cipher = createCipheriv("chacha20", createHash("sha256").update(seed).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(chunk);
  for (let left = size; left > 0; left -= chunk) yield cipher.update(zeros.subarray(0, Math.min(chunk, left)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
}

async function addAndCat(ipfs: KuboRPCClient, size: number, runs: number): Promise<{ add: number[]; cat: number[] }> {
  const add: number[] = [];
  const cat: number[] = [];
  for (let run = 0; run < runs; run++) {
    const data = Buffer.concat([...pseudoRandom(size, `bench-${size}-${run}-${Date.now()}`)]);
    const [added, addSeconds] = await timed(() => ipfs.add(data));
    add.push(size / MB / addSeconds);
    const [read, catSeconds] = await timed(async () => {
      let bytes = 0;
      for await (const part of ipfs.cat(added.cid)) bytes += part.length;
      return bytes;
    });
    if (read !== size) throw new Error(`cat returned ${read} bytes, expected ${size}`);
    cat.push(size / MB / catSeconds);
  }
  return { add, cat };
}

async function peakRss(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function main(): Promise<void> {
  const dirs = [await mkdtemp(join(tmpdir(), "concord-bench-ipfs-a-")), await mkdtemp(join(tmpdir(), "concord-bench-ipfs-b-"))];
  const a = await startDaemon(dirs[0], []);
  const b = await startDaemon(dirs[1], a.swarm);
  try {
    const ipfs = create({ url: a.apiUrl });
    const rows: string[] = [];
    for (const [label, size, runs] of [["1 MB", 1 * MB, 7], ["100 MB", 100 * MB, 3]] as const) {
      const { add, cat } = await addAndCat(ipfs, size, runs);
      rows.push(`| ${label} | ${runs} | ${median(add).toFixed(1)} | ${median(cat).toFixed(1)} |`);
    }

    // A 10 MB file added on A, read in full from B's gateway: B has none of its blocks.
    const fetchTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      const data = Buffer.concat([...pseudoRandom(10 * MB, `bench-remote-${run}-${Date.now()}`)]);
      const { cid } = await ipfs.add(data);
      const [bytes, seconds] = await timed(async () => {
        const response = await fetch(`${b.gatewayUrl}/ipfs/${cid}`);
        if (response.status !== 200) throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
        return Buffer.from(await response.arrayBuffer());
      });
      if (!bytes.equals(data)) throw new Error("the remote node served different bytes");
      fetchTimes.push(seconds);
    }

    // Four 50 MB uploads at once, streamed: the node's peak RSS shows nothing is held whole.
    const before = await peakRss(a.child.pid!);
    await Promise.all([0, 1, 2, 3].map((i) => ipfs.add(pseudoRandom(50 * MB, `bench-parallel-${i}-${Date.now()}`, 256 * 1024))));
    const after = await peakRss(a.child.pid!);

    console.log("\nIPFS benchmark (embedded Helia node, Kubo RPC API via kubo-rpc-client, blocks on disk)\n");
    console.log("| file | runs | add MB/s (median) | cat MB/s (median) |");
    console.log("|---|---|---|---|");
    for (const row of rows) console.log(row);
    console.log(`\n10 MB file fetched from the other node via its gateway (bitswap, loopback): median ${(median(fetchTimes) * 1000).toFixed(0)} ms (${fetchTimes.map((t) => `${(t * 1000).toFixed(0)}`).join(", ")} ms)`);
    console.log(`4 concurrent 50 MB streamed uploads: node peak RSS ${(before / MB).toFixed(0)} MB before, ${(after / MB).toFixed(0)} MB after`);
    console.log(`machine: ${process.arch}/${process.platform}, node ${process.version}, load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

await main();
