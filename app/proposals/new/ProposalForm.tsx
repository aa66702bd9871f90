"use client";
/**
 * Creating a proposal: a title and a Markdown body (pinned to IPFS through the app's server, its CID
 * written into the on-chain description as Tally-style tools expect), and actions built from forms
 * and encoded here. The proposal threshold is explained when the account is below it.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useState } from "react";
import { decodeEventLog, getAddress, isAddress, toFunctionSignature, type Abi } from "viem";
import { useConnection, useReadContract } from "wagmi";
import { contractAbis } from "../../../appLib/contracts.ts";
import { formatDuration, formatEth, formatToken } from "../../../appLib/format.ts";
import {
  ActionInputError,
  describeAction,
  encodeAction,
  functionsOf,
  GOVERNOR_SETTINGS,
  type ActionContext,
  type ActionDraft,
  type GovernorSetting,
  type ProposalAction,
} from "../../../appLib/proposalActions.ts";
import { proposalDescription } from "../../../appLib/proposalDescription.ts";
import { callApi } from "../../../components/apiClient.ts";
import { useAppConfig } from "../../../components/AppConfigContext.tsx";
import { Markdown } from "../../../components/Markdown.tsx";
import { useSession } from "../../../components/Providers.tsx";
import { TxStatus } from "../../../components/TxStatus.tsx";
import { useChainAction } from "../../../components/useChainAction.ts";
import { useSignIn } from "../../../components/useSignIn.ts";

interface Rules {
  proposalThreshold: string;
  votingDelay: string;
  votingPeriod: string;
  timelockDelay: string;
  quorumNumerator: string;
  lateQuorumExtension: string;
  treasuryEth: string;
  treasuryTokens: string;
}

type DraftWithKey = ActionDraft & { key: number };

const ACTION_KINDS = [
  { kind: "token", label: "Transfer tokens from the treasury" },
  { kind: "eth", label: "Send ETH from the treasury" },
  { kind: "setting", label: "Change a Governor setting" },
  { kind: "call", label: "Call any contract (with its ABI)" },
] as const;

export function ProposalForm({ rules }: { rules: Rules }) {
  const config = useAppConfig();
  const router = useRouter();
  const session = useSession();
  const { signIn } = useSignIn();
  const { address } = useConnection();
  const action = useChainAction();
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [preview, setPreview] = useState(false);
  const [nextKey, setNextKey] = useState(1);
  const [drafts, setDrafts] = useState<DraftWithKey[]>([{ key: 0, kind: "token", token: config.deployment.addresses.token, recipient: "", amount: "", decimals: config.token.decimals }]);
  const [formError, setFormError] = useState<string | undefined>(undefined);
  const context: ActionContext = { governor: config.deployment.addresses.governor, timelock: config.deployment.addresses.timelock, token: config.token };
  const threshold = BigInt(rules.proposalThreshold);
  const votes = useReadContract({
    address: config.deployment.addresses.token,
    abi: contractAbis.ConcordToken,
    functionName: "getVotes",
    args: [address ?? "0x0000000000000000000000000000000000000000"],
    query: { enabled: address !== undefined },
  });
  const busy = action.state.phase === "working" || action.state.phase === "pending";

  const addAction = (kind: ActionDraft["kind"]) => {
    const key = nextKey;
    setNextKey(key + 1);
    const draft: ActionDraft =
      kind === "eth"
        ? { kind, recipient: "", amount: "" }
        : kind === "token"
          ? { kind, token: config.deployment.addresses.token, recipient: "", amount: "", decimals: config.token.decimals }
          : kind === "setting"
            ? { kind, setting: "votingPeriod", value: "" }
            : { kind, target: "", value: "", abi: "", functionSignature: "", args: [] };
    setDrafts([...drafts, { ...draft, key }]);
  };

  const submit = async () => {
    setFormError(undefined);
    const label = "Create proposal";
    if (title.trim() === "") return setFormError("Give the proposal a title.");
    if (body.trim() === "") return setFormError("Describe the proposal: the body is empty.");
    if (drafts.length === 0) return setFormError("Add at least one action: a proposal that does nothing cannot be created.");
    let actions: ProposalAction[];
    try {
      actions = drafts.map((draft) => encodeAction(draft, context));
    } catch (error) {
      return setFormError(error instanceof ActionInputError ? `Action: ${error.message}.` : String(error));
    }
    const proposer = action.ready(label);
    if (proposer === undefined) return;
    try {
      if (session.address !== getAddress(proposer)) {
        action.setState({ phase: "working", label, step: "Sign in first: pinning the description to IPFS needs a session…" });
        if (!(await signIn())) {
          action.setState({ phase: "failed", label, kind: "other", message: "Sign in with Ethereum to pin the description to IPFS." });
          return;
        }
      }
      action.setState({ phase: "working", label, step: "Pinning the description to IPFS…" });
      const pinned = await callApi<{ cid: string }>("/api/ipfs", { body: { title: title.trim(), body } });
      const description = proposalDescription(title, body, pinned.cid, proposer);
      const receipt = await action.write(label, {
        address: config.deployment.addresses.governor,
        abi: contractAbis.ConcordGovernor as Abi,
        functionName: "propose",
        args: [actions.map((a) => a.target), actions.map((a) => a.value), actions.map((a) => a.calldata), description],
      });
      if (receipt === undefined) return;
      for (const log of receipt.logs) {
        try {
          const event = decodeEventLog({ abi: contractAbis.ConcordGovernor, data: log.data, topics: log.topics });
          if (event.eventName === "ProposalCreated") {
            router.push(`/proposals/${event.args.proposalId}`);
            return;
          }
        } catch {
          // another contract's log
        }
      }
    } catch (error) {
      action.fail(label, error);
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      noValidate
    >
      <ThresholdNote threshold={threshold} votes={votes.data} connected={address !== undefined} />
      <label htmlFor="proposal-title">Title</label>
      <input id="proposal-title" value={title} onChange={(event) => setTitle(event.target.value)} maxLength={200} required />
      <div className="row" style={{ justifyContent: "space-between", marginTop: "0.75rem" }}>
        <label htmlFor="proposal-body" style={{ margin: 0 }}>
          Description (Markdown)
        </label>
        <button type="button" onClick={() => setPreview(!preview)} aria-pressed={preview}>
          {preview ? "Edit" : "Preview"}
        </button>
      </div>
      {preview ? (
        <div className="card preview" aria-label="Preview of the description">
          <Markdown source={`# ${title}\n\n${body}`} />
        </div>
      ) : (
        <textarea id="proposal-body" value={body} onChange={(event) => setBody(event.target.value)} rows={10} required aria-describedby="body-hint" />
      )}
      <p className="hint" id="body-hint">
        Markdown: headings, lists, links, tables. Raw HTML is not rendered; images are shown as links.
      </p>

      <h2>Actions</h2>
      <p className="hint">
        What the timelock does if the proposal passes, in order. The treasury holds {formatEth(BigInt(rules.treasuryEth))} and{" "}
        {formatToken(BigInt(rules.treasuryTokens), config.token)}.
      </p>
      {drafts.map((draft, index) => (
        <ActionEditor
          key={draft.key}
          index={index}
          draft={draft}
          context={context}
          onChange={(next) => setDrafts(drafts.map((item) => (item.key === draft.key ? { ...next, key: draft.key } : item)))}
          onRemove={() => setDrafts(drafts.filter((item) => item.key !== draft.key))}
        />
      ))}
      <div className="row">
        {ACTION_KINDS.map((kind) => (
          <button key={kind.kind} type="button" onClick={() => addAction(kind.kind)}>
            + {kind.label}
          </button>
        ))}
      </div>

      <p className="hint">
        Once created, voting opens after {formatDuration(BigInt(rules.votingDelay))} and lasts {formatDuration(BigInt(rules.votingPeriod))}. It passes with
        more For than Against and a quorum of {rules.quorumNumerator}% of the supply (For + Abstain); then it is queued and waits{" "}
        {formatDuration(BigInt(rules.timelockDelay))} in the timelock before anyone can execute it.
      </p>
      {formError !== undefined && (
        <p role="alert" className="error">
          {formError}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Create proposal
      </button>
      <TxStatus state={action.state} />
    </form>
  );
}

function ThresholdNote({ threshold, votes, connected }: { threshold: bigint; votes: bigint | undefined; connected: boolean }) {
  const config = useAppConfig();
  if (!connected) {
    return (
      <p className="card" role="note">
        Connect a wallet to propose. Creating a proposal needs {formatToken(threshold, config.token)} of voting power.
      </p>
    );
  }
  if (votes === undefined) return null;
  if (votes >= threshold) {
    return (
      <p className="card" role="note" data-testid="threshold-ok">
        Your voting power is {formatToken(votes, config.token)}: enough to propose (the threshold is {formatToken(threshold, config.token)}).
      </p>
    );
  }
  return (
    <div className="card banner-warning" role="note" data-testid="threshold-below">
      <p>
        <strong>You cannot propose yet.</strong> Creating a proposal needs {formatToken(threshold, config.token)} of voting power, and you have{" "}
        {formatToken(votes, config.token)}.
      </p>
      <p>
        Voting power is tokens <em>delegated</em> to you, counted as of the second before you propose. Holding tokens is not enough:{" "}
        <Link href="/account">delegate your tokens to yourself</Link>, or ask holders to delegate to you, then come back.
      </p>
    </div>
  );
}

function ActionEditor({
  index,
  draft,
  context,
  onChange,
  onRemove,
}: {
  index: number;
  draft: ActionDraft;
  context: ActionContext;
  onChange: (draft: ActionDraft) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const config = useAppConfig();
  const summary = useMemo(() => {
    try {
      return { ok: true as const, text: describeAction(encodeAction(draft, context), context).summary };
    } catch (error) {
      return { ok: false as const, text: error instanceof ActionInputError ? error.message : String((error as Error).message) };
    }
  }, [draft, context]);
  const title = ACTION_KINDS.find((kind) => kind.kind === draft.kind)?.label ?? "Action";
  return (
    <section className="action-editor" aria-labelledby={`${id}-title`} data-testid="action-editor">
      <header>
        <h3 id={`${id}-title`}>
          {index + 1}. {title}
        </h3>
        <button type="button" className="danger" onClick={onRemove} aria-label={`Remove action ${index + 1}`}>
          Remove
        </button>
      </header>
      {draft.kind === "eth" && (
        <>
          <Field id={`${id}-recipient`} label="Recipient address" value={draft.recipient} onChange={(recipient) => onChange({ ...draft, recipient })} placeholder="0x…" />
          <Field id={`${id}-amount`} label="Amount (ETH)" value={draft.amount} onChange={(amount) => onChange({ ...draft, amount })} inputMode="decimal" />
        </>
      )}
      {draft.kind === "token" && <TokenEditor id={id} draft={draft} onChange={onChange} />}
      {draft.kind === "setting" && (
        <>
          <label htmlFor={`${id}-setting`}>Setting</label>
          <select id={`${id}-setting`} value={draft.setting} onChange={(event) => onChange({ ...draft, setting: event.target.value as GovernorSetting })}>
            {Object.entries(GOVERNOR_SETTINGS).map(([key, setting]) => (
              <option key={key} value={key}>
                {setting.label} ({setting.unit})
              </option>
            ))}
          </select>
          <Field
            id={`${id}-value`}
            label={`New value (${GOVERNOR_SETTINGS[draft.setting].unit})`}
            value={draft.value}
            onChange={(value) => onChange({ ...draft, value })}
            inputMode="numeric"
          />
        </>
      )}
      {draft.kind === "call" && <CallEditor id={id} draft={draft} onChange={onChange} />}
      <p className={`preview${summary.ok ? "" : " muted"}`} aria-live="polite" data-testid="action-preview">
        {summary.ok ? summary.text : `Not complete yet: ${summary.text}.`}
      </p>
    </section>
  );
}

/** A treasury token transfer; another ERC-20's decimals are read from its contract. */
function TokenEditor({ id, draft, onChange }: { id: string; draft: Extract<ActionDraft, { kind: "token" }>; onChange: (draft: ActionDraft) => void }) {
  const config = useAppConfig();
  const isOwnToken = draft.token.toLowerCase() === config.deployment.addresses.token.toLowerCase();
  const other = !isOwnToken && isAddress(draft.token.trim(), { strict: false });
  const erc20 = { address: (other ? getAddress(draft.token.trim()) : config.deployment.addresses.token), abi: contractAbis.ConcordToken } as const;
  const decimals = useReadContract({ ...erc20, functionName: "decimals", query: { enabled: other } });
  const symbol = useReadContract({ ...erc20, functionName: "symbol", query: { enabled: other } });
  const wanted = isOwnToken ? config.token.decimals : decimals.data;
  useEffect(() => {
    if (wanted !== undefined && wanted !== draft.decimals) onChange({ ...draft, decimals: wanted });
  }, [wanted, draft, onChange]);
  const unit = isOwnToken ? config.token.symbol : (symbol.data ?? "token units");
  return (
    <>
      <Field id={`${id}-token`} label={`Token contract (${isOwnToken ? config.token.symbol : other ? (symbol.data ?? "reading…") : "an ERC-20 address"})`} value={draft.token} onChange={(token) => onChange({ ...draft, token })} />
      {other && decimals.isError && <p className="error">That address does not answer as an ERC-20 token (no decimals()).</p>}
      <Field id={`${id}-recipient`} label="Recipient address" value={draft.recipient} onChange={(recipient) => onChange({ ...draft, recipient })} placeholder="0x…" />
      <Field id={`${id}-amount`} label={`Amount (${unit})`} value={draft.amount} onChange={(amount) => onChange({ ...draft, amount })} inputMode="decimal" />
    </>
  );
}

function CallEditor({ id, draft, onChange }: { id: string; draft: Extract<ActionDraft, { kind: "call" }>; onChange: (draft: ActionDraft) => void }) {
  let functions: ReturnType<typeof functionsOf> = [];
  let abiError: string | undefined;
  try {
    functions = functionsOf(draft.abi);
  } catch (error) {
    abiError = (error as Error).message;
  }
  const selected = functions.find((fn) => toFunctionSignature(fn) === draft.functionSignature);
  return (
    <>
      <Field id={`${id}-target`} label="Contract address" value={draft.target} onChange={(target) => onChange({ ...draft, target })} placeholder="0x…" />
      <Field id={`${id}-value`} label="ETH to send with the call (optional)" value={draft.value} onChange={(value) => onChange({ ...draft, value })} inputMode="decimal" />
      <label htmlFor={`${id}-abi`}>ABI (JSON, or one function signature per line)</label>
      <textarea
        id={`${id}-abi`}
        rows={3}
        value={draft.abi}
        placeholder="function setGreeting(string greeting)"
        onChange={(event) => onChange({ ...draft, abi: event.target.value, functionSignature: "", args: [] })}
      />
      {abiError !== undefined && <p className="error">{abiError}</p>}
      {functions.length > 0 && (
        <>
          <label htmlFor={`${id}-function`}>Function</label>
          <select id={`${id}-function`} value={draft.functionSignature} onChange={(event) => onChange({ ...draft, functionSignature: event.target.value, args: [] })}>
            <option value="">Choose a function…</option>
            {functions.map((fn) => (
              <option key={toFunctionSignature(fn)} value={toFunctionSignature(fn)}>
                {toFunctionSignature(fn)}
              </option>
            ))}
          </select>
        </>
      )}
      {selected?.inputs.map((input, index) => (
        <Field
          key={`${draft.functionSignature}-${index}`}
          id={`${id}-arg-${index}`}
          label={`${input.name || `argument ${index + 1}`} (${input.type})`}
          value={draft.args[index] ?? ""}
          onChange={(value) => {
            const args = [...draft.args];
            args[index] = value;
            onChange({ ...draft, args });
          }}
        />
      ))}
    </>
  );
}

function Field({
  id,
  label,
  value,
  onChange,
  placeholder,
  inputMode,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  inputMode?: "decimal" | "numeric";
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(event) => onChange(event.target.value)} placeholder={placeholder} inputMode={inputMode} autoComplete="off" spellCheck={false} />
    </>
  );
}

