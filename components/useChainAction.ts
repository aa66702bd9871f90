"use client";
/**
 * Sends a contract call from the connected wallet and follows it: checked first against the pending
 * block (so a revert is explained before the wallet asks anything), then signed, then pending with its
 * hash, then confirmed or failed. Every error becomes words (appLib/errorWords.ts).
 */
import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import type { Abi, Address, Hash, TransactionReceipt } from "viem";
import { useConfig, useConnection, usePublicClient } from "wagmi";
import { getWalletClient } from "wagmi/actions";
import { describeError, type ErrorKind } from "../appLib/errorWords.ts";
import { useAppConfig } from "./AppConfigContext.tsx";

export type TxState =
  | { phase: "idle" }
  | { phase: "working"; label: string; step: string }
  | { phase: "pending"; label: string; hash: Hash }
  | { phase: "confirmed"; label: string; hash: Hash; blockNumber: bigint }
  | { phase: "failed"; label: string; message: string; kind: ErrorKind | "reverted"; hash?: Hash };

export interface ContractWrite {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
}

export function useChainAction() {
  const config = useAppConfig();
  const wagmi = useConfig();
  const router = useRouter();
  const publicClient = usePublicClient();
  const { address, chainId, isConnected } = useConnection();
  const [state, setState] = useState<TxState>({ phase: "idle" });

  const fail = useCallback(
    (label: string, error: unknown, hash?: Hash) => {
      const words = describeError(error, { token: config.token, chainId: config.chainId });
      setState({ phase: "failed", label, message: words.message, kind: words.kind, hash });
    },
    [config],
  );

  /** Checks the wallet is connected to the app's chain; sets the failure state if not. */
  const ready = useCallback(
    (label: string): Address | undefined => {
      if (!isConnected || address === undefined) {
        setState({ phase: "failed", label, kind: "other", message: "Connect a wallet first (the Connect wallet button at the top)." });
        return undefined;
      }
      if (chainId !== config.chainId) {
        setState({
          phase: "failed",
          label,
          kind: "wrong-network",
          message: `Your wallet is on chain ${chainId}, but this app governs ${config.chainName} (chain ${config.chainId}). Switch networks and try again.`,
        });
        return undefined;
      }
      return address;
    },
    [address, chainId, config, isConnected],
  );

  const write = useCallback(
    async (label: string, request: ContractWrite): Promise<TransactionReceipt | undefined> => {
      const account = ready(label);
      if (account === undefined || publicClient === undefined) return undefined;
      let hash: Hash | undefined;
      try {
        setState({ phase: "working", label, step: "Checking the transaction…" });
        // "pending": the next block's context, whose timestamp is now even on an idle chain.
        await publicClient.simulateContract({ ...request, account, blockTag: "pending" } as never);
        const gas = await publicClient.estimateContractGas({ ...request, account, blockTag: "pending" } as never);
        setState({ phase: "working", label, step: "Confirm the transaction in your wallet…" });
        const wallet = await getWalletClient(wagmi, { chainId: config.chainId, account });
        hash = await wallet.writeContract({ ...request, account, chain: wallet.chain, gas: (gas * 12n) / 10n } as never);
        setState({ phase: "pending", label, hash });
        const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
        if (receipt.status !== "success") {
          setState({ phase: "failed", label, kind: "reverted", hash, message: "The transaction was included but failed (it reverted); nothing changed." });
          return undefined;
        }
        setState({ phase: "confirmed", label, hash, blockNumber: receipt.blockNumber });
        router.refresh();
        return receipt;
      } catch (error) {
        fail(label, error, hash);
        return undefined;
      }
    },
    [config, fail, publicClient, ready, router, wagmi],
  );

  return { state, setState, write, fail, ready, account: address };
}
