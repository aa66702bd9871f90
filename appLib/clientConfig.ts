/** What the browser is told about the chain and deployment (built on the server, passed as props). */
import type { Address } from "viem";
import type { Deployment } from "./contracts.ts";
import type { TokenInfo } from "./proposalActions.ts";

export interface ClientConfig {
  chainId: number;
  chainName: string;
  /** The node's URL, for a wallet adding the network. */
  publicRpcUrl: string;
  deployment: Deployment;
  token: TokenInfo & { name: string };
  /** The developer wallet and faucet exist only on a devnet. */
  isDevnet: boolean;
  /** The developer wallet's accounts (the devnet's public test accounts); empty off a devnet. */
  devAccounts: Address[];
  relayEnabled: boolean;
  faucetEnabled: boolean;
  ipfsGatewayUrl: string | undefined;
}

/** Same-origin JSON-RPC proxy the browser reads the chain through (app/api/rpc). */
export const RPC_PROXY_PATH = "/api/rpc";
