import "server-only";
/**
 * The devnet's 20 public test accounts (Hardhat's and Anvil's, from the well-known mnemonic): what the
 * developer wallet signs with. Only ever used after the server has checked it runs on a devnet.
 */
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { bytesToHex, getAddress, type Address } from "viem";
import { devAccountKeys } from "../chain/execution/devAccounts.ts";

const accountsKey = Symbol.for("concord.app.devAccounts");

export function devAccounts(): PrivateKeyAccount[] {
  const holder = globalThis as unknown as Record<symbol, PrivateKeyAccount[] | undefined>;
  holder[accountsKey] ??= devAccountKeys(20).map((key) => privateKeyToAccount(bytesToHex(key.privateKey)));
  return holder[accountsKey];
}

export function devAccount(address: Address): PrivateKeyAccount | undefined {
  const wanted = getAddress(address);
  return devAccounts().find((account) => account.address === wanted);
}
