/**
 * Keys derived from a BIP-39 mnemonic: the 20 dev accounts (exactly Hardhat's and Anvil's, from the
 * well-known test mnemonic at m/44'/60'/0'/0/i) and the devnet validators' signing keys, taken from
 * another account index (m/44'/60'/1'/0/i) so the user accounts stay exactly Hardhat's.
 */
import { HDNodeWallet, Mnemonic } from "ethers";
import type { Hex } from "../types.ts";

export const TEST_MNEMONIC = "test test test test test test test test test test test junk";
export const DEV_ACCOUNTS_PATH = "m/44'/60'/0'/0";
export const VALIDATOR_KEYS_PATH = "m/44'/60'/1'/0";
/** What Hardhat funds each dev account with: 10000 ETH. */
export const DEV_ACCOUNT_BALANCE = 10_000n * 10n ** 18n;

export interface DerivedKey {
  /** Lowercase 0x address. */
  address: Hex;
  privateKey: Uint8Array;
  path: string;
}

/** `count` keys at `basePath`/0 .. `basePath`/(count-1). */
export function deriveKeys(mnemonic: string, basePath: string, count: number): DerivedKey[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid key count ${count}`);
  const base = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(mnemonic), basePath);
  return Array.from({ length: count }, (_, index) => {
    const wallet = base.deriveChild(index);
    return {
      address: wallet.address.toLowerCase() as Hex,
      privateKey: Buffer.from(wallet.privateKey.slice(2), "hex"),
      path: wallet.path ?? `${basePath}/${index}`,
    };
  });
}

export function devAccountKeys(count = 20, mnemonic = TEST_MNEMONIC): DerivedKey[] {
  return deriveKeys(mnemonic, DEV_ACCOUNTS_PATH, count);
}

export function validatorKeys(count: number, mnemonic = TEST_MNEMONIC): DerivedKey[] {
  return deriveKeys(mnemonic, VALIDATOR_KEYS_PATH, count);
}
