"use client";
/** The connected account: balances, voting power, its delegate; delegate to self or to an address; the devnet faucet. */
import { useState } from "react";
import { getAddress, isAddress, zeroAddress, type Abi } from "viem";
import { useBalance, useConnection, useReadContract } from "wagmi";
import { contractAbis } from "../../appLib/contracts.ts";
import { describeError } from "../../appLib/errorWords.ts";
import { formatEth, formatToken } from "../../appLib/format.ts";
import { callApi } from "../../components/apiClient.ts";
import { useAppConfig } from "../../components/AppConfigContext.tsx";
import { useSession } from "../../components/Providers.tsx";
import { TxStatus } from "../../components/TxStatus.tsx";
import { useChainAction } from "../../components/useChainAction.ts";
import { useSignIn } from "../../components/useSignIn.ts";

export function AccountPanel() {
  const config = useAppConfig();
  const { address } = useConnection();
  const action = useChainAction();
  const [delegatee, setDelegatee] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const token = { address: config.deployment.addresses.token, abi: contractAbis.ConcordToken } as const;
  const account = address ?? zeroAddress;
  const enabled = { query: { enabled: address !== undefined } };
  const eth = useBalance({ address: account, ...enabled });
  const tokens = useReadContract({ ...token, functionName: "balanceOf", args: [account], ...enabled });
  const votes = useReadContract({ ...token, functionName: "getVotes", args: [account], ...enabled });
  const delegate = useReadContract({ ...token, functionName: "delegates", args: [account], ...enabled });

  if (address === undefined) return <p className="card">Connect a wallet to see your voting power and delegate.</p>;
  const busy = action.state.phase === "working" || action.state.phase === "pending";
  const refetch = () => Promise.all([eth.refetch(), tokens.refetch(), votes.refetch(), delegate.refetch()]);

  const delegateTo = async (to: string, label: string) => {
    const receipt = await action.write(label, { ...token, abi: token.abi as Abi, functionName: "delegate", args: [getAddress(to)] });
    if (receipt !== undefined) await refetch();
  };
  const currentDelegate = delegate.data;
  const me = getAddress(address);

  return (
    <>
      <section className="card" aria-labelledby="your-account">
        <h2 id="your-account">Your account</h2>
        <dl className="facts">
          <dt>Address</dt>
          <dd>
            <code>{me}</code>
          </dd>
          <dt>ETH</dt>
          <dd data-testid="eth-balance">{eth.data === undefined ? "…" : formatEth(eth.data.value)}</dd>
          <dt>{config.token.symbol}</dt>
          <dd data-testid="token-balance">{tokens.data === undefined ? "…" : formatToken(tokens.data, config.token)}</dd>
          <dt>Voting power</dt>
          <dd data-testid="voting-power">{votes.data === undefined ? "…" : formatToken(votes.data, config.token)}</dd>
          <dt>Delegate</dt>
          <dd data-testid="delegate">
            {currentDelegate === undefined
              ? "…"
              : currentDelegate === zeroAddress
                ? "nobody yet: your tokens do not vote"
                : currentDelegate === me
                  ? "yourself"
                  : <code>{currentDelegate}</code>}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="delegation">
        <h2 id="delegation">Delegate</h2>
        <p className="hint">Voting power counts from the second after delegating; proposals already open use the power as of when they opened.</p>
        <div className="row">
          <button type="button" className="primary" disabled={busy || currentDelegate === me} onClick={() => void delegateTo(me, "Delegate to yourself")}>
            Delegate to myself
          </button>
        </div>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setFieldError(undefined);
            if (!isAddress(delegatee.trim(), { strict: false })) {
              setFieldError("Enter an address: 0x followed by 40 hex digits.");
              return;
            }
            void delegateTo(delegatee.trim(), "Delegate");
          }}
        >
          <label htmlFor="delegatee">Or delegate to another address</label>
          <div className="row">
            <input id="delegatee" value={delegatee} onChange={(event) => setDelegatee(event.target.value)} placeholder="0x…" autoComplete="off" style={{ flex: 1, minWidth: "12rem" }} aria-invalid={fieldError !== undefined} aria-describedby={fieldError ? "delegatee-error" : undefined} />
            <button type="submit" disabled={busy}>
              Delegate
            </button>
          </div>
          {fieldError !== undefined && (
            <p id="delegatee-error" role="alert" className="error">
              {fieldError}
            </p>
          )}
        </form>
        <TxStatus state={action.state} />
      </section>

      {config.faucetEnabled && <Faucet onFunded={refetch} />}
    </>
  );
}

function Faucet({ onFunded }: { onFunded: () => Promise<unknown> }) {
  const config = useAppConfig();
  const session = useSession();
  const { signIn } = useSignIn();
  const { address } = useConnection();
  const [status, setStatus] = useState<{ kind: "idle" | "working" | "done" | "failed"; text: string }>({ kind: "idle", text: "" });
  const request = async () => {
    try {
      if (address === undefined) return;
      if (session.address !== getAddress(address)) {
        setStatus({ kind: "working", text: "Sign in first: the faucet sends only to a signed-in account…" });
        if (!(await signIn())) {
          setStatus({ kind: "failed", text: "Sign in with Ethereum to use the faucet." });
          return;
        }
      }
      setStatus({ kind: "working", text: "Sending…" });
      const sent = await callApi<{ eth: string; tokens: string; transactions: string[] }>("/api/faucet", { body: {} });
      setStatus({ kind: "done", text: `Sent ${formatEth(BigInt(sent.eth))} and ${formatToken(BigInt(sent.tokens), config.token)} (transactions ${sent.transactions.join(", ")}).` });
      await onFunded();
    } catch (error) {
      setStatus({ kind: "failed", text: describeError(error).message });
    }
  };
  return (
    <section className="card" aria-labelledby="faucet">
      <h2 id="faucet">Devnet faucet</h2>
      <p>New here? The devnet sends your account some ETH for gas and {config.token.symbol} to vote with. Only on the devnet.</p>
      <button type="button" onClick={() => void request()} disabled={status.kind === "working"}>
        Get test ETH and {config.token.symbol}
      </button>
      <p aria-live="polite" role={status.kind === "failed" ? "alert" : "status"} className={status.kind === "failed" ? "error" : undefined}>
        {status.text}
      </p>
    </section>
  );
}
