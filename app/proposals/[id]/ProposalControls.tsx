"use client";
/**
 * What the connected account can do with a proposal right now: vote (with a reason, by transaction or
 * by a signed ballot the server relays), queue, execute, cancel. Each button appears exactly when the
 * Governor would accept it; the contract has the final word and its refusals are shown in words.
 */
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { getAddress, type Abi, type Address, type Hash } from "viem";
import { useConfig, useConnection, usePublicClient, useReadContract } from "wagmi";
import { signTypedData } from "wagmi/actions";
import { ballotTypedData, governorDomain, SUPPORT_NAMES } from "../../../appLib/ballot.ts";
import { contractAbis } from "../../../appLib/contracts.ts";
import { formatToken, formatRelative } from "../../../appLib/format.ts";
import { callApi } from "../../../components/apiClient.ts";
import { useAppConfig } from "../../../components/AppConfigContext.tsx";
import { LocalTime } from "../../../components/LocalTime.tsx";
import { useSession } from "../../../components/Providers.tsx";
import { TxStatus } from "../../../components/TxStatus.tsx";
import { useChainAction } from "../../../components/useChainAction.ts";
import { useSignIn } from "../../../components/useSignIn.ts";

interface ProposalProps {
  id: string;
  state: string;
  proposer: Address;
  snapshot: string;
  eta: string;
}

const governorAbi = contractAbis.ConcordGovernor as Abi;
const FINAL_STATES = new Set(["Canceled", "Defeated", "Expired", "Executed"]);

/** The chain's time, ticking in the browser from the server's reading of it. */
function useChainNow(serverNow: bigint): bigint {
  const [offset] = useState(() => Number(serverNow) - Date.now() / 1000);
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(BigInt(Math.floor(Date.now() / 1000 + offset))), 1000);
    return () => clearInterval(timer);
  }, [offset]);
  return now;
}

export function ProposalControls({ proposal, guardian, chainNow }: { proposal: ProposalProps; guardian: Address; chainNow: string }) {
  const config = useAppConfig();
  const { address } = useConnection();
  const now = useChainNow(BigInt(chainNow));
  const lifecycle = useChainAction();
  const id = BigInt(proposal.id);
  const governor = config.deployment.addresses.governor;
  const eta = BigInt(proposal.eta);
  const account = address === undefined ? undefined : getAddress(address);

  const canQueue = proposal.state === "Succeeded";
  const canExecute = proposal.state === "Queued" && now >= eta;
  const canCancel =
    account !== undefined &&
    ((account === proposal.proposer && proposal.state === "Pending") || (account === guardian && !FINAL_STATES.has(proposal.state)));

  return (
    <section className="card" aria-labelledby="take-part">
      <h2 id="take-part">Take part</h2>
      {proposal.state === "Pending" && (
        <p>Voting has not opened yet. Voting power is counted as of the moment it opens: delegate before then to vote.</p>
      )}
      {proposal.state === "Active" && <VotePanel id={id} snapshot={BigInt(proposal.snapshot)} />}
      {proposal.state === "Succeeded" && <p>The proposal passed. Queue it in the timelock; after the delay anyone can execute it.</p>}
      {proposal.state === "Queued" && !canExecute && (
        <p>
          Queued. It can be executed {formatRelative(eta, now)} (<LocalTime timestamp={eta} />).
        </p>
      )}
      {proposal.state === "Defeated" && <p>The proposal did not pass (more Against than For, or no quorum).</p>}
      {proposal.state === "Executed" && <p>Done: the timelock has carried out this proposal&apos;s actions.</p>}
      {proposal.state === "Canceled" && <p>This proposal was canceled.</p>}
      {proposal.state === "Expired" && <p>This proposal passed but was not executed in time.</p>}
      <div className="row">
        {canQueue && (
          <button type="button" className="primary" disabled={lifecycle.state.phase === "working" || lifecycle.state.phase === "pending"}
            onClick={() => void lifecycle.write("Queue", { address: governor, abi: governorAbi, functionName: "queue", args: [id] })}>
            Queue for execution
          </button>
        )}
        {canExecute && (
          <button type="button" className="primary" disabled={lifecycle.state.phase === "working" || lifecycle.state.phase === "pending"}
            onClick={() => void lifecycle.write("Execute", { address: governor, abi: governorAbi, functionName: "execute", args: [id] })}>
            Execute
          </button>
        )}
        {canCancel && (
          <button type="button" className="danger" disabled={lifecycle.state.phase === "working" || lifecycle.state.phase === "pending"}
            onClick={() => void lifecycle.write("Cancel", { address: governor, abi: governorAbi, functionName: "cancel", args: [id] })}>
            Cancel proposal
          </button>
        )}
      </div>
      <TxStatus state={lifecycle.state} />
    </section>
  );
}

function VotePanel({ id, snapshot }: { id: bigint; snapshot: bigint }) {
  const config = useAppConfig();
  const wagmi = useConfig();
  const router = useRouter();
  const publicClient = usePublicClient();
  const session = useSession();
  const { signIn } = useSignIn();
  const { address } = useConnection();
  const action = useChainAction();
  const [support, setSupport] = useState<number>(1);
  const [reason, setReason] = useState("");
  const governor = { address: config.deployment.addresses.governor, abi: contractAbis.ConcordGovernor };
  const hasVoted = useReadContract({ ...governor, functionName: "hasVoted", args: [id, address ?? "0x0000000000000000000000000000000000000000"], query: { enabled: address !== undefined } });
  const power = useReadContract({ ...governor, functionName: "getVotes", args: [address ?? "0x0000000000000000000000000000000000000000", snapshot], query: { enabled: address !== undefined } });
  const busy = action.state.phase === "working" || action.state.phase === "pending";

  if (address === undefined) return <p>Connect a wallet to vote.</p>;
  if (hasVoted.data === undefined) return <p className="muted">Checking whether you have voted…</p>;
  if (hasVoted.data === true) {
    // The vote just made stays on screen with its transaction.
    return (
      <>
        <p data-testid="already-voted">You have voted on this proposal.</p>
        <TxStatus state={action.state} />
      </>
    );
  }

  const voteByTransaction = async () => {
    const receipt = await action.write(`Vote ${SUPPORT_NAMES[support]}`, { ...governor, abi: governor.abi as Abi, functionName: "castVoteWithReason", args: [id, support, reason] });
    if (receipt !== undefined) void hasVoted.refetch();
  };

  const voteBySignature = async () => {
    const label = `Vote ${SUPPORT_NAMES[support]} without gas`;
    const voter = action.ready(label);
    if (voter === undefined || publicClient === undefined) return;
    try {
      if (session.address !== getAddress(voter)) {
        action.setState({ phase: "working", label, step: "Sign in first: the relay acts only for the signed-in account…" });
        if (!(await signIn())) {
          action.setState({ phase: "failed", label, kind: "other", message: "Sign in with Ethereum to have the server relay your ballot." });
          return;
        }
      }
      const [domainAnswer, nonce] = await Promise.all([
        publicClient.readContract({ ...governor, functionName: "eip712Domain" }),
        publicClient.readContract({ ...governor, functionName: "nonces", args: [voter] }),
      ]);
      action.setState({ phase: "working", label, step: "Sign the ballot in your wallet (no transaction, no gas)…" });
      const typed = ballotTypedData(governorDomain(domainAnswer), { proposalId: id, support, voter, nonce, reason });
      const signature = await signTypedData(wagmi, { account: voter, ...typed });
      action.setState({ phase: "working", label, step: "The server is relaying your signed ballot…" });
      const relayed = await callApi<{ hash: Hash; blockNumber: string }>("/api/relay/vote", {
        body: { proposalId: id.toString(), support, voter, reason, signature },
      });
      action.setState({ phase: "confirmed", label, hash: relayed.hash, blockNumber: BigInt(relayed.blockNumber) });
      void hasVoted.refetch();
      router.refresh();
    } catch (error) {
      action.fail(label, error);
    }
  };

  return (
    <form onSubmit={(event) => { event.preventDefault(); void voteByTransaction(); }}>
      <fieldset>
        <legend>Your vote</legend>
        {power.data !== undefined && (
          <p className="hint">
            Your voting power on this proposal: <strong data-testid="voting-power">{formatToken(power.data, config.token)}</strong>
            {power.data === 0n && " (nothing was delegated to you when voting opened, so your vote would count zero)"}
          </p>
        )}
        <div className="row" role="radiogroup" aria-label="Support">
          {SUPPORT_NAMES.map((name, value) => (
            <label key={name} className="inline">
              <input type="radio" name="support" value={value} checked={support === value} onChange={() => setSupport(value)} /> {name}
            </label>
          ))}
        </div>
        <label htmlFor="reason">Reason (optional, public)</label>
        <textarea id="reason" value={reason} onChange={(event) => setReason(event.target.value)} maxLength={2000} rows={3} />
        <div className="row" style={{ marginTop: "0.75rem" }}>
          <button type="submit" className="primary" disabled={busy}>
            Vote {SUPPORT_NAMES[support]}
          </button>
          {config.relayEnabled && (
            <button type="button" disabled={busy} onClick={() => void voteBySignature()}>
              Vote without gas (sign a ballot)
            </button>
          )}
        </div>
        {config.relayEnabled && <p className="hint">Without gas: you sign the Governor&apos;s ballot and the app&apos;s server pays for the transaction.</p>}
      </fieldset>
      <TxStatus state={action.state} />
    </form>
  );
}
