/**
 * The developer wallet: an EIP-1193 provider announced through EIP-6963 like any browser wallet,
 * offered only on a devnet. It signs with the devnet's public test accounts through the app's server
 * (app/api/dev-wallet, which refuses off a devnet) and reads through the app's JSON-RPC proxy.
 */
import { getAddress, numberToHex, type Address } from "viem";
import { RPC_PROXY_PATH } from "../appLib/clientConfig.ts";

export const DEV_WALLET_RDNS = "dev.concord.developer-wallet";
const STORAGE_KEY = "concord.devWallet.account";
/** Set once the page connected: like an extension, the wallet then reconnects after a reload. */
const CONNECTED_KEY = "concord.devWallet.connected";

// A plain data: URI, so nothing is fetched from anywhere.
const ICON =
  "data:image/svg+xml;base64," +
  (typeof btoa === "function"
    ? btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b45309"/><text x="16" y="22" font-size="16" text-anchor="middle" fill="#fff" font-family="sans-serif">D</text></svg>')
    : "");

class ProviderRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

type Listener = (...args: unknown[]) => void;

const SIGNING_METHODS = new Set(["personal_sign", "eth_signTypedData_v4", "eth_sendTransaction"]);

export class DevWalletProvider {
  readonly isConcordDevWallet = true;
  #account: Address;
  #connected = false;
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(
    readonly chainId: number,
    readonly accounts: readonly Address[],
  ) {
    const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
    this.#account = accounts.find((account) => account === saved) ?? accounts[0];
    this.#connected = typeof localStorage !== "undefined" && localStorage.getItem(CONNECTED_KEY) === "1";
  }

  get account(): Address {
    return this.#account;
  }

  /** The account picker: later signatures come from `address`. */
  selectAccount(address: Address): void {
    const account = getAddress(address);
    if (!this.accounts.includes(account)) throw new Error(`${account} is not a devnet test account`);
    this.#account = account;
    localStorage.setItem(STORAGE_KEY, account);
    this.#emit("accountsChanged", [account]);
  }

  on(event: string, listener: Listener): void {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event)!.add(listener);
  }

  removeListener(event: string, listener: Listener): void {
    this.#listeners.get(event)?.delete(listener);
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(...args);
  }

  async request({ method, params }: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown> {
    const list = Array.isArray(params) ? params : [];
    switch (method) {
      case "eth_requestAccounts":
        this.#connected = true;
        localStorage.setItem(CONNECTED_KEY, "1");
        return [this.#account];
      case "eth_accounts":
        return this.#connected ? [this.#account] : [];
      case "eth_chainId":
        return numberToHex(this.chainId);
      case "net_version":
        return String(this.chainId);
      case "wallet_requestPermissions":
      case "wallet_getPermissions":
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_revokePermissions":
        this.#connected = false;
        localStorage.removeItem(CONNECTED_KEY);
        return null;
      case "wallet_switchEthereumChain": {
        const wanted = Number((list[0] as { chainId?: string } | undefined)?.chainId);
        if (wanted === this.chainId) return null;
        throw new ProviderRpcError(4902, `the developer wallet only knows the devnet (chain ${this.chainId})`);
      }
      case "wallet_addEthereumChain":
        throw new ProviderRpcError(4200, "the developer wallet only knows the devnet");
    }
    if (SIGNING_METHODS.has(method)) {
      const response = await fetch("/api/dev-wallet", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ method, params: list }),
      });
      const payload = (await response.json()) as { result?: unknown; error?: { code: string; message: string; data?: unknown } };
      if (payload.error !== undefined) throw new ProviderRpcError(payload.error.data === undefined ? -32603 : 3, payload.error.message, payload.error.data);
      return payload.result;
    }
    const response = await fetch(RPC_PROXY_PATH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: list }),
    });
    const payload = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (payload.error !== undefined) throw new ProviderRpcError(payload.error.code, payload.error.message, payload.error.data);
    return payload.result;
  }
}

/** Announces the provider to EIP-6963 listeners (wagmi discovers it like any injected wallet). */
export function announceDevWallet(provider: DevWalletProvider): () => void {
  const detail = Object.freeze({
    info: Object.freeze({ uuid: "6c9d2a8e-1f1b-4d5e-9a51-3c0d7e5f2b10", name: "Developer wallet (devnet test accounts)", icon: ICON, rdns: DEV_WALLET_RDNS }),
    provider,
  });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  return () => window.removeEventListener("eip6963:requestProvider", announce);
}
