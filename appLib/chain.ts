import "server-only";
/**
 * The server's view of the chain: one viem client over the configured node's standard JSON-RPC
 * (batched), the chain id it reports, whether it is a devnet, and the deployment's contracts.
 */
import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";
import { appConfig } from "./config.ts";
import { governanceContracts, type Deployment, type GovernanceContracts } from "./contracts.ts";
import { deployedAddresses } from "./deployment.ts";

export class ChainUnavailableError extends Error {
  readonly code = "CHAIN_UNAVAILABLE";
  constructor(rpcUrl: string, options?: { cause?: unknown }) {
    super(`cannot reach the chain node at ${rpcUrl}: is the devnet running (\`npm start\`)?`, options);
    this.name = "ChainUnavailableError";
  }
}

interface ChainState {
  rpcUrl: string;
  chain: Chain;
  client: PublicClient;
}

const stateKey = Symbol.for("concord.app.chain");
type GlobalWithChain = typeof globalThis & { [stateKey]?: Promise<ChainState> };

/** The chain as the node describes it; asked once per process (a node's chain id never changes). */
export function chainState(): Promise<ChainState> {
  const holder = globalThis as GlobalWithChain;
  holder[stateKey] ??= connect(appConfig().rpcUrl).catch((error: unknown) => {
    holder[stateKey] = undefined;
    throw error;
  });
  return holder[stateKey];
}

async function connect(rpcUrl: string): Promise<ChainState> {
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (cause) {
    throw new ChainUnavailableError(rpcUrl, { cause });
  }
  const chain = concordChain(chainId, rpcUrl);
  // Batched: the eth_calls a page makes together go as one JSON-RPC batch (there is no multicall
  // contract on a fresh devnet).
  const client = createPublicClient({ chain, transport: http(rpcUrl, { batch: { wait: 5 }, retryCount: 1 }) }) as PublicClient;
  return { rpcUrl, chain, client };
}

export function concordChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? "Concord devnet" : `Concord (chain ${chainId})`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export async function publicClient(): Promise<PublicClient> {
  return (await chainState()).client;
}

/** True on 31337 and on the devnet's own chain id: only there do the developer wallet and faucet exist. */
export async function isDevnet(): Promise<boolean> {
  const { chain } = await chainState();
  return appConfig().devnetChainIds.has(chain.id);
}

export interface GovernanceAccess {
  client: PublicClient;
  deployment: Deployment;
  contracts: GovernanceContracts;
}

export async function governance(): Promise<GovernanceAccess> {
  const [{ client, chain }, addresses] = await Promise.all([chainState(), deployedAddresses()]);
  return { client, deployment: { chainId: chain.id, addresses }, contracts: governanceContracts(addresses) };
}
