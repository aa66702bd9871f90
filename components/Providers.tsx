"use client";
/**
 * Everything client components share: the app's configuration, wagmi (wallets discovered through
 * EIP-6963, reads through the app's JSON-RPC proxy), react-query, the developer wallet on a devnet,
 * and the Sign-In with Ethereum session.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { defineChain, http } from "viem";
import { createConfig, WagmiProvider } from "wagmi";
import { RPC_PROXY_PATH, type ClientConfig } from "../appLib/clientConfig.ts";
import { AppConfigContext } from "./AppConfigContext.tsx";
import { callApi } from "./apiClient.ts";
import { announceDevWallet, DevWalletProvider } from "./devWallet.ts";

function wagmiConfig(config: ClientConfig) {
  const chain = defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.publicRpcUrl] } },
  });
  return createConfig({
    chains: [chain],
    // Wallets are found the way current dapps find them: EIP-6963 announcements (the developer
    // wallet announces itself the same way). No connector downloads anything.
    connectors: [],
    multiInjectedProviderDiscovery: true,
    transports: { [chain.id]: http(RPC_PROXY_PATH, { batch: { wait: 10 } }) },
    // Receipts on a BFT chain arrive in about a block time: poll often.
    pollingInterval: 500,
    ssr: true,
  });
}

export interface SessionState {
  /** The signed-in address; null when nobody is signed in; undefined while loading. */
  address: `0x${string}` | null | undefined;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionState | undefined>(undefined);
const DevWalletContext = createContext<DevWalletProvider | undefined>(undefined);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside <Providers>");
  return session;
}

/** The developer wallet, when the app runs on a devnet. */
export function useDevWallet(): DevWalletProvider | undefined {
  return useContext(DevWalletContext);
}

export function Providers({ config, children }: { config: ClientConfig; children: ReactNode }) {
  const [wagmi] = useState(() => wagmiConfig(config));
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } } }));
  const [devWallet, setDevWallet] = useState<DevWalletProvider | undefined>(undefined);
  const [address, setAddress] = useState<SessionState["address"]>(undefined);

  useEffect(() => {
    if (!config.isDevnet || config.devAccounts.length === 0) return;
    const provider = new DevWalletProvider(config.chainId, config.devAccounts);
    setDevWallet(provider);
    return announceDevWallet(provider);
  }, [config]);

  const refresh = useCallback(async () => {
    try {
      const session = await callApi<{ address: `0x${string}` | null }>("/api/auth/session");
      setAddress(session.address);
    } catch {
      setAddress(null);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const session = useMemo(() => ({ address, refresh }), [address, refresh]);

  return (
    <AppConfigContext.Provider value={config}>
      <WagmiProvider config={wagmi}>
        <QueryClientProvider client={queryClient}>
          <DevWalletContext.Provider value={devWallet}>
            <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
          </DevWalletContext.Provider>
        </QueryClientProvider>
      </WagmiProvider>
    </AppConfigContext.Provider>
  );
}
