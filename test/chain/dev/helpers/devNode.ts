/**
 * A real Concord node in dev mode for the dev-method tests: in memory (or on a data directory), one
 * validator staked in the genesis registry exactly as `concord devnet` creates its chain
 * (devnet/devnet.ts startChain: the default genesis with the test mnemonic's accounts, the first
 * validator key with 1000 ETH of stake), and its JSON-RPC server on a free port.
 */
import { devAccountKeys, validatorKeys } from "../../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig, type GenesisConfig } from "../../../../chain/execution/genesis.ts";
import { ConcordNode, type NodeOptions } from "../../../../chain/node.ts";

export const DEVNET_VALIDATOR_STAKE = 1_000n * 10n ** 18n;

export function devnetGenesis(): GenesisConfig {
  const [validator] = validatorKeys(1);
  return defaultGenesisConfig({ validators: [{ operator: validator!.address, signer: validator!.address, stake: DEVNET_VALIDATOR_STAKE }] });
}

export interface DevNode {
  node: ConcordNode;
  url: string;
  close(): Promise<void>;
}

export async function startDevNode(options: Partial<NodeOptions> = {}): Promise<DevNode> {
  const [validator] = validatorKeys(1);
  const node = new ConcordNode({
    genesis: devnetGenesis(),
    validatorKey: validator!.privateKey,
    rpc: { port: 0, onInternalError: (method, error) => console.error(`internal error in ${method}:`, error) },
    syncWrites: false,
    devMode: true,
    ...options,
  });
  await node.start();
  return { node, url: node.rpc!.url, close: () => node.stop() };
}

/** The test mnemonic's accounts as 0x keys and lowercase addresses (Hardhat's 20 dev accounts). */
export const DEV = devAccountKeys(20).map(({ address, privateKey }) => ({ address, key: `0x${Buffer.from(privateKey).toString("hex")}` }));

/** A dev node in a child process (devNodeProcess.ts): its URL, and a stop that waits for its exit. */
export async function spawnDevNode(): Promise<{ url: string; stop(): Promise<void> }> {
  const { spawn } = await import("node:child_process");
  const script = new URL("./devNodeProcess.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^listening (\S+)$/m.exec(output);
      if (match !== null) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the dev node process exited with ${code} before listening: ${output}`)));
  });
  return {
    url,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}
