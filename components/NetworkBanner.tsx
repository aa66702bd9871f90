"use client";
import { useState } from "react";
import { useConnection, useSwitchChain } from "wagmi";
import { describeError } from "../appLib/errorWords.ts";
import { useAppConfig } from "./AppConfigContext.tsx";

/** Shown while the connected wallet is on another chain than the one the app governs. */
export function NetworkBanner() {
  const config = useAppConfig();
  const { isConnected, chainId } = useConnection();
  if (!isConnected || chainId === undefined || chainId === config.chainId) return null;
  return (
    <div className="banner banner-warning" role="alert">
      <p>
        Your wallet is on chain {chainId}. This app governs {config.chainName} (chain {config.chainId}): transactions and signatures need
        that network.
      </p>
      <SwitchNetworkButton />
    </div>
  );
}

/** Asks the wallet to switch to the app's chain (adding it first if the wallet does not know it). */
export function SwitchNetworkButton() {
  const config = useAppConfig();
  const switchChain = useSwitchChain();
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <span className="switch-network">
      <button
        type="button"
        onClick={() => {
          setError(undefined);
          switchChain.mutate({ chainId: config.chainId }, { onError: (cause) => setError(describeError(cause, { chainId: config.chainId }).message) });
        }}
        disabled={switchChain.isPending}
      >
        {switchChain.isPending ? "Switching…" : `Switch to ${config.chainName}`}
      </button>
      {error !== undefined && <span role="alert"> {error}</span>}
    </span>
  );
}
