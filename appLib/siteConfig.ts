import "server-only";
import { governance, isDevnet, chainState } from "./chain.ts";
import type { ClientConfig } from "./clientConfig.ts";
import { appConfig } from "./config.ts";
import { devAccounts } from "./devAccounts.ts";
import { tokenInfo } from "./governance.ts";

/** The browser's configuration for this request (chain, deployment, what the devnet offers). */
export async function clientConfig(): Promise<ClientConfig> {
  const config = appConfig();
  const [{ chain }, access, devnet, token] = await Promise.all([chainState(), governance(), isDevnet(), tokenInfo()]);
  return {
    chainId: chain.id,
    chainName: chain.name,
    publicRpcUrl: config.publicRpcUrl,
    deployment: access.deployment,
    token,
    isDevnet: devnet,
    devAccounts: devnet ? devAccounts().map((account) => account.address) : [],
    relayEnabled: config.relayerKey !== undefined,
    faucetEnabled: devnet && config.faucetKey !== undefined,
    ipfsGatewayUrl: config.ipfsGatewayUrl,
  };
}
