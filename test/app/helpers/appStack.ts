/**
 * The whole stack the app tests run against, started as a developer starts it: `concord devnet` with
 * the chain, IPFS, the Ignition deployment and the web app, every port picked free. The deployment
 * uses the devnet's own parameters with short governance delays (votes open after 1 s; the timelock
 * waits seconds), so a proposal's whole life fits in a test; time travel skips the voting period.
 * On a network of validators (`validators` > 1), where there is no time travel, `travel` waits for
 * the wall clock instead: give such a stack a short voting period.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, createWalletClient, http, parseEventLogs, type Address, type Hex, type PublicClient } from "viem";
import { contractAbis } from "../../../appLib/contracts.generated.ts";
import { proposalDescription } from "../../../appLib/proposalDescription.ts";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { deploymentIdFor, PARAMETERS_FILE } from "../../../devnet/deployContracts.ts";
import { PROJECT_ROOT, rpc, startDevnetProcess, type DevnetProcess } from "../../devnet/devnetProcess.ts";

/** The well-known test keys (public: Hardhat's and Anvil's accounts #0..#4). */
export const TEST_KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];

export const TEST_GOVERNANCE_TIMING = {
  votingDelay: 1,
  votingPeriod: 300,
  lateQuorumExtension: 10,
  timelockMinDelay: 20,
};

export interface AppStack {
  appUrl: string;
  rpcUrl: string;
  ipfsApiUrl: string;
  gatewayUrl: string;
  chainId: number;
  dataDir: string;
  addresses: { governor: Address; token: Address; timelock: Address };
  client: PublicClient;
  devnet: DevnetProcess;
  account(index: number): PrivateKeyAccount;
  /** Sends a contract call or transfer from a test key straight to the node and waits for it. */
  send(index: number, request: Parameters<ReturnType<typeof createWalletClient>["sendTransaction"]>[0] | Record<string, unknown>): Promise<Hex>;
  /** Proposes straight to the Governor from test account `index`; returns the proposal id. */
  propose(index: number, actions: { target: Address; value: bigint; calldata: Hex }[], title: string): Promise<bigint>;
  /**
   * Makes a block at least `seconds` after the latest one: time travel on a single validator; on a
   * network of validators, a wait until the wall clock is there and then `evm_mine`.
   */
  travel(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

export interface AppStackOptions {
  /** Validator processes of the devnet (default 1: the tests that travel in time need it). */
  validators?: number;
  /** Governance timing in seconds, over TEST_GOVERNANCE_TIMING. */
  governance?: Partial<typeof TEST_GOVERNANCE_TIMING>;
}

export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const validators = options.validators ?? 1;
  const dataDir = await mkdtemp(path.join(tmpdir(), "concord-app-test-"));
  const parameters = JSON.parse(await readFile(path.join(PROJECT_ROOT, PARAMETERS_FILE), "utf8")) as Record<string, Record<string, unknown>>;
  parameters.Governance = { ...parameters.Governance, ...TEST_GOVERNANCE_TIMING, ...options.governance };
  const parametersFile = path.join(dataDir, "test-parameters.json");
  await writeFile(parametersFile, JSON.stringify(parameters, null, 2));

  const devnet = startDevnetProcess([
    "devnet",
    "--validators", String(validators),
    "--data-dir", path.join(dataDir, "devnet"),
    "--port", "0", "--ipfs-api-port", "0", "--gateway-port", "0", "--app-port", "0",
    "--ignition-parameters", parametersFile,
  ]);
  const cleanup = async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(path.join(PROJECT_ROOT, "ignition", "deployments", deploymentIdFor(path.join(dataDir, "devnet"))), { recursive: true, force: true });
  };
  try {
    await devnet.waitFor(/Ctrl-C stops the devnet/, 400_000);
  } catch (error) {
    await devnet.interrupt();
    await cleanup();
    throw error;
  }
  const output = devnet.output();
  const appUrl = /App\s+(http:\/\/\S+)/.exec(output)![1];
  const rpcUrl = /JSON-RPC\s+(http:\/\/\S+)/.exec(output)![1];
  const ipfsApiUrl = /IPFS API\s+(http:\/\/\S+)/.exec(output)![1];
  const gatewayUrl = /IPFS gateway\s+(http:\/\/[^/\s]+)/.exec(output)![1];
  const futures = JSON.parse(await readFile(path.join(dataDir, "devnet", "deployed-addresses.json"), "utf8")) as Record<string, Address>;
  const addresses = {
    governor: futures["Governance#ConcordGovernor"],
    token: futures["Governance#ConcordToken"],
    timelock: futures["Governance#ConcordTimelock"],
  };
  const chainId = Number(BigInt(await rpc<string>(rpcUrl, "eth_chainId")));
  const client = createPublicClient({ transport: http(rpcUrl), pollingInterval: 100 }) as PublicClient;
  const accounts = TEST_KEYS.map((key) => privateKeyToAccount(key));
  const chain = { id: chainId, name: "Concord test devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } };

  return {
    appUrl,
    rpcUrl,
    ipfsApiUrl,
    gatewayUrl,
    chainId,
    dataDir,
    addresses,
    client,
    devnet,
    account: (index) => accounts[index],
    async send(index, request) {
      const wallet = createWalletClient({ account: accounts[index], chain, transport: http(rpcUrl) });
      const hash = "abi" in request ? await wallet.writeContract(request as never) : await wallet.sendTransaction(request as never);
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return hash;
    },
    async propose(index, actions, title) {
      const account = accounts[index];
      const description = proposalDescription(title, "Proposed by a test.", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", account.address);
      const { request } = await client.simulateContract({
        account,
        address: addresses.governor,
        abi: contractAbis.ConcordGovernor,
        functionName: "propose",
        args: [actions.map((a) => a.target), actions.map((a) => a.value), actions.map((a) => a.calldata), description],
      });
      const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
      const receipt = await client.waitForTransactionReceipt({ hash: await wallet.writeContract(request) });
      const [created] = parseEventLogs({ abi: contractAbis.ConcordGovernor, eventName: "ProposalCreated", logs: receipt.logs });
      return created.args.proposalId;
    },
    async travel(seconds) {
      // From the latest block's time, which runs ahead of the wall clock when blocks come faster than
      // one a second (each is at least its parent + 1 s).
      const latest = await client.getBlock({ blockTag: "latest" });
      const target = Number(latest.timestamp) + seconds;
      if (validators === 1) {
        await rpc(rpcUrl, "evm_setNextBlockTimestamp", [target]);
      } else {
        // A validator stamps its block with its clock (at least its parent's time + 1).
        const wait = target * 1000 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
      }
      await rpc(rpcUrl, "evm_mine");
    },
    async stop() {
      try {
        const code = await devnet.interrupt();
        if (code !== 0) throw new Error(`the devnet exited with ${code}:\n${devnet.output()}`);
      } finally {
        await cleanup();
      }
    },
  };
}
