/**
 * The chain configuration (`Common`) of a Concord network.
 *
 * Every fork up to Prague is active from genesis (block 0 / timestamp 0): that is what the project's
 * Solidity compiler targets (`evmVersion: "prague"` in hardhat.config.ts), and a devnet whose forks
 * activate later fails in buildBlock on the 1559 base fee (TOOLCHAIN.md).
 */
import { Common, Hardfork, Mainnet, createCustomCommon } from "@ethereumjs/common";
import { concordCrypto, initCrypto } from "./crypto.ts";

/** Hardhat's and Anvil's default: wallets, Hardhat 3 and Ignition work with it without prompts. */
export const DEFAULT_CHAIN_ID = 31337n;
export const CONCORD_HARDFORK = Hardfork.Prague;

export interface CommonOptions {
  chainId?: bigint;
}

export async function createConcordCommon(options: CommonOptions = {}): Promise<Common> {
  await initCrypto();
  return createCustomCommon(concordChain(options.chainId ?? DEFAULT_CHAIN_ID), Mainnet, { hardfork: CONCORD_HARDFORK, customCrypto: concordCrypto });
}

/**
 * The chain definition alone (every fork up to Prague at genesis), for a Common with ethereumjs'
 * own crypto: the differential tests run Concord's blocks on stock ethereumjs with it.
 */
export function concordChain(chainId: bigint): Parameters<typeof createCustomCommon>[0] {
  const forksUpToPrague = Mainnet.hardforks
    .slice(0, Mainnet.hardforks.findIndex((fork) => fork.name === CONCORD_HARDFORK) + 1)
    .map((fork) => ({ name: fork.name, block: 0, timestamp: fork.timestamp === undefined ? undefined : 0 }));
  return { name: "concord", chainId: Number(chainId), hardforks: forksUpToPrague };
}
