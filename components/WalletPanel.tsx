"use client";
/**
 * The header's wallet area: connect a wallet (any EIP-6963 wallet, or on a devnet the developer
 * wallet with its account picker), sign in with Ethereum, sign out, disconnect.
 */
import { useEffect, useRef, useState } from "react";
import { getAddress, type Address } from "viem";
import { useConnect, useConnection, useConnectors, useDisconnect } from "wagmi";
import { describeError } from "../appLib/errorWords.ts";
import { shortAddress } from "../appLib/format.ts";
import { useAppConfig } from "./AppConfigContext.tsx";
import { DEV_WALLET_RDNS } from "./devWallet.ts";
import { useDevWallet } from "./Providers.tsx";
import { useSignIn } from "./useSignIn.ts";

export function WalletPanel() {
  const { isConnected, address, connector } = useConnection();
  return <div className="wallet-panel">{isConnected && address !== undefined ? <Connected address={address} connectorId={connector?.id} connectorName={connector?.name} /> : <ConnectMenu />}</div>;
}

function ConnectMenu() {
  const config = useAppConfig();
  const connectors = useConnectors();
  const connect = useConnect();
  const [error, setError] = useState<string | undefined>(undefined);
  const details = useRef<HTMLDetailsElement>(null);
  const wallets = [...connectors].sort((a, b) => Number(a.id === DEV_WALLET_RDNS) - Number(b.id === DEV_WALLET_RDNS));
  return (
    <details className="connect-menu" ref={details}>
      <summary className="button">Connect wallet</summary>
      <div className="menu-panel">
        {wallets.length === 0 && (
          <p>No browser wallet found. Install one (for example MetaMask){config.isDevnet ? ", or wait a moment for the developer wallet" : ""}.</p>
        )}
        <ul>
          {wallets.map((wallet) => (
            <li key={wallet.uid}>
              <button
                type="button"
                disabled={connect.isPending}
                onClick={() => {
                  setError(undefined);
                  connect.mutate(
                    { connector: wallet, chainId: config.chainId },
                    {
                      onSuccess: () => details.current?.removeAttribute("open"),
                      onError: (cause) => setError(describeError(cause, { chainId: config.chainId }).message),
                    },
                  );
                }}
              >
                {wallet.icon !== undefined && wallet.icon.startsWith("data:") && <img src={wallet.icon} alt="" width={20} height={20} />}
                {wallet.name}
                {wallet.id === DEV_WALLET_RDNS && <span className="tag tag-warning">devnet only: public test keys</span>}
              </button>
            </li>
          ))}
        </ul>
        {error !== undefined && <p role="alert" className="error">{error}</p>}
      </div>
    </details>
  );
}

function Connected({ address, connectorId, connectorName }: { address: Address; connectorId: string | undefined; connectorName: string | undefined }) {
  const disconnect = useDisconnect();
  const { signIn, signOut, busy, error, signedInAs, matchesWallet } = useSignIn();
  const devWallet = useDevWallet();
  const isDevWallet = connectorId === DEV_WALLET_RDNS && devWallet !== undefined;
  return (
    <div className="connected">
      <p className="account-line">
        <span title={address} data-testid="connected-address">
          {shortAddress(address)}
        </span>{" "}
        <span className="muted">via {connectorName ?? "wallet"}</span>
        {isDevWallet && <span className="tag tag-warning">developer wallet: devnet test keys, never use them elsewhere</span>}
      </p>
      {isDevWallet && <DevAccountPicker />}
      <div className="wallet-actions">
        {signedInAs === undefined ? (
          <span className="muted">Checking sign-in…</span>
        ) : matchesWallet ? (
          <>
            <span className="signed-in" data-testid="signed-in-as">
              Signed in as {shortAddress(signedInAs!)}
            </span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        ) : (
          <button type="button" className="primary" onClick={() => void signIn()} disabled={busy}>
            {busy ? "Check your wallet…" : "Sign in with Ethereum"}
          </button>
        )}
        <button type="button" onClick={() => disconnect.mutate()}>
          Disconnect
        </button>
      </div>
      {signedInAs != null && !matchesWallet && <p className="muted">Signed in as {shortAddress(signedInAs)}, another account: sign in again for this one.</p>}
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

function DevAccountPicker() {
  const devWallet = useDevWallet()!;
  const { address } = useConnection();
  const [selected, setSelected] = useState<string>(address ?? devWallet.account);
  useEffect(() => setSelected(address ?? devWallet.account), [address, devWallet]);
  return (
    <label className="dev-picker">
      Test account{" "}
      <select
        value={selected}
        onChange={(event) => {
          setSelected(event.target.value);
          devWallet.selectAccount(getAddress(event.target.value));
        }}
      >
        {devWallet.accounts.map((account, index) => (
          <option key={account} value={account}>
            #{index} {shortAddress(account)}
          </option>
        ))}
      </select>
    </label>
  );
}
