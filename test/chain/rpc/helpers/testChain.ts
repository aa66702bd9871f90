/**
 * A real in-memory Concord node with the JSON-RPC server in front of it on a free port: what every
 * method test talks to, over real HTTP and WebSocket.
 */
import { Wallet } from "ethers";
import type { NodeOptions } from "../../../../chain/node/options.ts";
import type { RpcBackend } from "../../../../chain/rpc/backend.ts";
import { startRpcServer, type RpcServer, type RpcServerOptions } from "../../../../chain/rpc/server.ts";
import { call } from "./rpcClient.ts";
import { startNodeForRpcTests } from "./startNode.ts";

/** Hardhat's first dev accounts (the well-known test mnemonic). */
export const DEV_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
] as const;
export const DEV_ADDRESSES = DEV_KEYS.map((key) => new Wallet(key).address.toLowerCase() as `0x${string}`);

export interface TestChain {
  url: string;
  wsUrl: string;
  backend: RpcBackend;
  server: RpcServer;
  close(): Promise<void>;
}

export async function startTestChain(
  options: { rpc?: Partial<RpcServerOptions>; wrapBackend?: (backend: RpcBackend) => RpcBackend; calls?: NodeOptions["calls"] } = {},
): Promise<TestChain> {
  const node = await startNodeForRpcTests({ calls: options.calls });
  const backend = options.wrapBackend === undefined ? node.backend : options.wrapBackend(node.backend);
  let server: RpcServer;
  try {
    server = await startRpcServer(backend, { port: 0, ...options.rpc });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return {
    url: server.url,
    wsUrl: server.wsUrl,
    backend,
    server,
    async close() {
      await server.close();
      await node.stop();
    },
  };
}

export interface Receipt {
  status: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  contractAddress: string | null;
  gasUsed: string;
  logs: { address: string; topics: string[]; data: string; logIndex: string }[];
  [field: string]: unknown;
}

/** Polls until the transaction is committed; the node commits blocks on its own. */
export async function waitForReceipt(url: string, hash: string, timeoutMs = 20_000): Promise<Receipt> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await call<Receipt | null>(url, "eth_getTransactionReceipt", [hash]);
    if (receipt !== null) return receipt;
    if (Date.now() > deadline) throw new Error(`transaction ${hash} not committed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Signs with a dev key and sends through eth_sendRawTransaction; returns the hash. */
export async function sendSigned(
  url: string,
  key: string,
  request: { to?: string | null; value?: bigint; data?: string; gasLimit?: bigint; nonce?: number; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint },
): Promise<string> {
  const wallet = new Wallet(key);
  const nonce = request.nonce ?? Number(BigInt(await call<string>(url, "eth_getTransactionCount", [wallet.address, "pending"])));
  const raw = await wallet.signTransaction({
    type: 2,
    chainId: 31337n,
    nonce,
    to: request.to ?? null,
    value: request.value ?? 0n,
    data: request.data ?? "0x",
    gasLimit: request.gasLimit ?? 21_000n,
    maxFeePerGas: request.maxFeePerGas ?? 100_000_000_000n,
    maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? 1_000_000_000n,
  });
  return call<string>(url, "eth_sendRawTransaction", [raw]);
}
