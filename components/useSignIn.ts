"use client";
/** Sign-In with Ethereum from the browser: nonce from the server, EIP-4361 message, wallet signature, verification. */
import { useCallback, useState } from "react";
import { SiweMessage } from "siwe";
import { getAddress } from "viem";
import { useConfig, useConnection } from "wagmi";
import { signMessage } from "wagmi/actions";
import { describeError } from "../appLib/errorWords.ts";
import { useAppConfig } from "./AppConfigContext.tsx";
import { callApi } from "./apiClient.ts";
import { useSession } from "./Providers.tsx";

/** How long a sign-in message stays valid: enough to read it in the wallet. */
const MESSAGE_LIFETIME_MS = 10 * 60 * 1000;

export function useSignIn() {
  const config = useAppConfig();
  const wagmi = useConfig();
  const session = useSession();
  const { address } = useConnection();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const signIn = useCallback(async (): Promise<boolean> => {
    if (address === undefined) {
      setError("Connect a wallet first.");
      return false;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { nonce } = await callApi<{ nonce: string }>("/api/auth/nonce");
      const issuedAt = new Date();
      const message = new SiweMessage({
        domain: window.location.host,
        address: getAddress(address),
        statement: "Sign in to Concord to propose, vote and use the DAO's services. This costs nothing and sends no transaction.",
        uri: window.location.origin,
        version: "1",
        chainId: config.chainId,
        nonce,
        issuedAt: issuedAt.toISOString(),
        expirationTime: new Date(issuedAt.getTime() + MESSAGE_LIFETIME_MS).toISOString(),
      }).prepareMessage();
      const signature = await signMessage(wagmi, { account: address, message });
      await callApi("/api/auth/verify", { body: { message, signature } });
      await session.refresh();
      return true;
    } catch (cause) {
      setError(describeError(cause, { chainId: config.chainId }).message);
      return false;
    } finally {
      setBusy(false);
    }
  }, [address, config.chainId, session, wagmi]);

  const signOut = useCallback(async () => {
    setError(undefined);
    try {
      await callApi("/api/auth/session", { method: "DELETE" });
    } catch (cause) {
      setError(describeError(cause).message);
    }
    await session.refresh();
  }, [session]);

  return { signIn, signOut, busy, error, signedInAs: session.address, matchesWallet: session.address != null && address !== undefined && session.address === getAddress(address) };
}
