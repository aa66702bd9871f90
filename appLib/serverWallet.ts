import "server-only";
/**
 * Accounts the server sends from (the vote relay, the devnet faucet, the developer wallet): viem
 * wallet clients over the same node, signing locally and sending raw transactions (standard JSON-RPC,
 * so any node works), one transaction at a time per account so nonces never collide.
 */
import { createWalletClient, http, type Account, type Hex, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chainState } from "./chain.ts";

interface Sender {
  client: WalletClient;
  account: Account;
  queue: Promise<unknown>;
}

const sendersKey = Symbol.for("concord.app.senders");
type GlobalWithSenders = typeof globalThis & { [sendersKey]?: Map<string, Sender> };

async function senderFor(account: Account): Promise<Sender> {
  const holder = globalThis as GlobalWithSenders;
  holder[sendersKey] ??= new Map();
  let sender = holder[sendersKey].get(account.address);
  if (sender === undefined) {
    const { chain, rpcUrl } = await chainState();
    sender = { client: createWalletClient({ account, chain, transport: http(rpcUrl, { retryCount: 0 }) }), account, queue: Promise.resolve() };
    holder[sendersKey].set(account.address, sender);
  }
  return sender;
}

export function accountFromKey(key: Hex): Account {
  return privateKeyToAccount(key);
}

/** Runs `work` with this account's wallet client after its earlier sends have been handed to the node. */
export async function withSender<T>(account: Account, work: (client: WalletClient, account: Account) => Promise<T>): Promise<T> {
  const sender = await senderFor(account);
  const run = sender.queue.then(() => work(sender.client, sender.account));
  sender.queue = run.catch(() => undefined);
  return run;
}
