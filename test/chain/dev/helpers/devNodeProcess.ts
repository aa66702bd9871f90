/**
 * A dev-mode node in a process of its own (the suite test runs two, one per core): prints
 * "listening <url>" once its JSON-RPC server is up, and stops cleanly on SIGTERM or when stdin closes.
 */
import { startDevNode } from "./devNode.ts";

const devnet = await startDevNode();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await devnet.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
console.log(`listening ${devnet.url}`);
