/**
 * A wallet for the browser tests: an EIP-1193 provider injected into every page and announced through
 * EIP-6963 like a browser extension, whose requests are answered by the test process, which signs
 * with a test key (viem local accounts) and talks to the node over standard JSON-RPC. The test
 * switches accounts and networks, and can make the wallet reject the next request as a person would.
 */
import type { BrowserContext, Page } from "playwright-core";
import { createWalletClient, getAddress, http, numberToHex, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { typedDataFromJson } from "../../appLib/typedDataJson.ts";

export const TEST_WALLET_NAME = "Concord Test Wallet";

const INJECTED = `(() => {
  const listeners = new Map();
  const provider = {
    isConcordTestWallet: true,
    async request({ method, params }) {
      const answer = JSON.parse(await window.__concordTestWallet(method, JSON.stringify(params ?? [])));
      if (answer.error) { const error = new Error(answer.error.message); error.code = answer.error.code; if (answer.error.data) error.data = answer.error.data; throw error; }
      return answer.result;
    },
    on(event, listener) { if (!listeners.has(event)) listeners.set(event, new Set()); listeners.get(event).add(listener); },
    removeListener(event, listener) { listeners.get(event)?.delete(listener); },
  };
  window.__concordTestWalletEmit = (event, value) => { for (const listener of listeners.get(event) ?? []) listener(value); };
  const detail = Object.freeze({
    info: Object.freeze({ uuid: "0b7d5b4e-7c1f-4a59-9d33-5e2f1c0a9b77", name: ${JSON.stringify(TEST_WALLET_NAME)}, rdns: "dev.concord.test-wallet",
      icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiPjxyZWN0IHdpZHRoPSIxIiBoZWlnaHQ9IjEiIGZpbGw9IiMwYTAiLz48L3N2Zz4=" }),
    provider,
  });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();`;

export class TestWallet {
  account: PrivateKeyAccount;
  chainId: number;
  /** Requests answered so far, by method (what the page asked the wallet for). */
  readonly log: string[] = [];
  #rejectNext = false;
  /** Like a real wallet, accounts are shown to a site only after it asked (eth_requestAccounts). */
  #connected = false;
  /** The page events (accountsChanged, chainChanged) are sent to. */
  page: Page | undefined;

  constructor(
    readonly accounts: readonly PrivateKeyAccount[],
    readonly rpcUrl: string,
    readonly nodeChainId: number,
  ) {
    this.account = accounts[0];
    this.chainId = nodeChainId;
  }

  async install(context: BrowserContext): Promise<void> {
    await context.exposeFunction("__concordTestWallet", async (method: string, paramsJson: string) => {
      try {
        return JSON.stringify({ result: await this.#answer(method, JSON.parse(paramsJson) as unknown[]) });
      } catch (error) {
        const coded = error as { code?: number; message?: string; data?: unknown; walk?: unknown };
        return JSON.stringify({ error: { code: coded.code ?? -32603, message: coded.message ?? String(error), data: coded.data } });
      }
    });
    await context.addInitScript({ content: INJECTED });
  }

  /** The next signing request is refused with EIP-1193's 4001, as when a person clicks Reject. */
  rejectNextRequest(): void {
    this.#rejectNext = true;
  }

  async useAccount(page: Page, index: number): Promise<void> {
    this.account = this.accounts[index];
    await page.evaluate((address) => (window as unknown as { __concordTestWalletEmit(e: string, v: unknown): void }).__concordTestWalletEmit("accountsChanged", [address]), this.account.address);
  }

  async useChain(page: Page, chainId: number): Promise<void> {
    this.chainId = chainId;
    await page.evaluate((id) => (window as unknown as { __concordTestWalletEmit(e: string, v: unknown): void }).__concordTestWalletEmit("chainChanged", id), numberToHex(chainId));
  }

  async #answer(method: string, params: unknown[]): Promise<unknown> {
    this.log.push(method);
    switch (method) {
      case "eth_requestAccounts":
        this.#connected = true;
        return [this.account.address];
      case "eth_accounts":
        return this.#connected ? [this.account.address] : [];
      case "eth_chainId":
        return numberToHex(this.chainId);
      case "wallet_switchEthereumChain": {
        const wanted = Number((params[0] as { chainId: string }).chainId);
        if (wanted !== this.nodeChainId) throw Object.assign(new Error("Unrecognized chain"), { code: 4902 });
        this.chainId = wanted;
        // A wallet announces the switch; wagmi waits for it.
        setTimeout(() => void this.page?.evaluate((id) => (window as unknown as { __concordTestWalletEmit(e: string, v: unknown): void }).__concordTestWalletEmit("chainChanged", id), numberToHex(wanted)), 10);
        return null;
      }
      case "wallet_requestPermissions":
      case "wallet_getPermissions":
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_revokePermissions":
        this.#connected = false;
        return null;
    }
    if (method === "personal_sign" || method === "eth_signTypedData_v4" || method === "eth_sendTransaction") {
      if (this.#rejectNext) {
        this.#rejectNext = false;
        throw Object.assign(new Error("User rejected the request."), { code: 4001 });
      }
    }
    switch (method) {
      case "personal_sign": {
        const [data, address] = params as [Hex, string];
        this.#assertCurrent(address);
        return this.account.signMessage({ message: { raw: data } });
      }
      case "eth_signTypedData_v4": {
        const [address, typedData] = params as [string, string];
        this.#assertCurrent(address);
        return this.account.signTypedData(typedDataFromJson(typedData));
      }
      case "eth_sendTransaction": {
        const [tx] = params as [{ from: string; to?: Hex; data?: Hex; value?: Hex; gas?: Hex }];
        this.#assertCurrent(tx.from);
        const chain = { id: this.nodeChainId, name: "devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [this.rpcUrl] } } };
        const wallet = createWalletClient({ account: this.account, chain, transport: http(this.rpcUrl) });
        return wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value === undefined ? undefined : BigInt(tx.value),
          gas: tx.gas === undefined ? undefined : BigInt(tx.gas),
        });
      }
    }
    // Reads: straight to the node, as a wallet uses its own RPC endpoint.
    const response = await fetch(this.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (body.error !== undefined) throw Object.assign(new Error(body.error.message), body.error);
    return body.result;
  }

  #assertCurrent(address: string): void {
    if (getAddress(address) !== this.account.address) throw Object.assign(new Error(`the wallet is on ${this.account.address}, not ${address}`), { code: 4100 });
  }
}
