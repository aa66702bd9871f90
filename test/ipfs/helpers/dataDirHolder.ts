/**
 * Another process's IPFS node on a data directory (argv[2]), for persistence.test.ts: starts the
 * node, writes "ready <pid>" when it holds the directory, and runs until killed. Stdin closing (the
 * test ending) stops it cleanly.
 */
import { startIpfsNode } from "../../../ipfs/ipfsNode.ts";

const node = await startIpfsNode({ dataDir: process.argv[2]!, apiPort: 0, gatewayPort: 0 });
process.stdout.write(`ready ${process.pid}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void node.stop().then(() => process.exit(0));
});
