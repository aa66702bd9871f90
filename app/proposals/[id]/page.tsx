import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { formatEth, formatRelative, shortAddress } from "../../../appLib/format.ts";
import { daoSettingsNow, proposalDetail, tokenInfo } from "../../../appLib/governance.ts";
import { pinnedMarkdown } from "../../../appLib/ipfsContent.ts";
import { proposalMarkdown } from "../../../appLib/proposalDescription.ts";
import { appConfig } from "../../../appLib/config.ts";
import { LocalTime } from "../../../components/LocalTime.tsx";
import { Markdown } from "../../../components/Markdown.tsx";
import { ProposalDeadline } from "../../../components/ProposalTimes.tsx";
import { StateBadge } from "../../../components/StateBadge.tsx";
import { Timeline } from "../../../components/Timeline.tsx";
import { VoteTally } from "../../../components/VoteTally.tsx";
import { ProposalControls } from "./ProposalControls.tsx";

type Props = { params: Promise<{ id: string }> };

/** The page's h1 is the title already: the document's own "# Title" line is not repeated. */
function withoutTitle(markdown: string, title: string): string {
  const heading = `# ${title}\n`;
  return markdown.startsWith(heading) ? markdown.slice(heading.length) : markdown;
}

function parseId(id: string): bigint | undefined {
  return /^\d{1,78}$/.test(id) ? BigInt(id) : undefined;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseId((await params).id);
  const proposal = id === undefined ? undefined : await proposalDetail(id);
  return { title: proposal?.title ?? "Proposal not found" };
}

export default async function ProposalPage({ params }: Props) {
  const id = parseId((await params).id);
  if (id === undefined) notFound();
  const [proposal, token, settings] = await Promise.all([proposalDetail(id), tokenInfo(), daoSettingsNow()]);
  if (proposal === undefined) notFound();
  const pinned = proposal.text.cid === undefined ? undefined : await pinnedMarkdown(proposal.text.cid);
  const onChainDocument = proposalMarkdown(proposal.text.title, proposal.text.body);
  const gateway = appConfig().ipfsGatewayUrl;
  const now = settings.now;

  return (
    <article>
      <h1 data-testid="proposal-title">{proposal.title}</h1>
      <p className="proposal-meta">
        <StateBadge state={proposal.state} />
        <ProposalDeadline proposal={proposal} now={now} />
        <span title={proposal.proposer}>Proposed by {shortAddress(proposal.proposer)}</span>
      </p>

      <ProposalControls
        proposal={{
          id: proposal.id.toString(),
          state: proposal.state,
          proposer: proposal.proposer,
          snapshot: proposal.snapshot.toString(),
          eta: proposal.eta.toString(),
        }}
        guardian={settings.guardian}
        chainNow={now.toString()}
      />

      <section className="card" aria-labelledby="results">
        <h2 id="results">Results</h2>
        <VoteTally tally={proposal} token={token} />
      </section>

      <section className="card" aria-labelledby="actions">
        <h2 id="actions">What it does</h2>
        <ol className="actions-list" data-testid="actions">
          {proposal.actions.map((action, index) => (
            <li key={index}>
              <span data-testid="action-summary">{action.described.summary}</span>
              <details className="raw">
                <summary>Raw call</summary>
                <dl className="facts">
                  <dt>Target</dt>
                  <dd>
                    <code>{action.target}</code>
                  </dd>
                  <dt>Value</dt>
                  <dd>{formatEth(action.value)}</dd>
                  {action.described.signature !== undefined && (
                    <>
                      <dt>Function</dt>
                      <dd>
                        <code>{action.described.signature}</code>
                      </dd>
                    </>
                  )}
                  {action.described.args.map((arg) => (
                    <div key={arg.name} style={{ display: "contents" }}>
                      <dt>{arg.name}</dt>
                      <dd>
                        <code>{arg.value}</code> <span className="muted">({arg.type})</span>
                      </dd>
                    </div>
                  ))}
                  <dt>Calldata</dt>
                  <dd>
                    <code>{action.calldata}</code>
                  </dd>
                </dl>
              </details>
            </li>
          ))}
        </ol>
      </section>

      <section className="card" aria-labelledby="description">
        <h2 id="description">Description</h2>
        {pinned?.ok ? (
          <>
            <p className="hint" data-testid="ipfs-source">
              Fetched from IPFS by CID <code>{pinned.cid}</code>
              {gateway !== undefined && (
                <>
                  {" "}(<a href={`${gateway}/ipfs/${pinned.cid}`}>open on the gateway</a>)
                </>
              )}
              {pinned.markdown === onChainDocument ? "; identical to the description on chain." : "; it differs from the description on chain, shown below it."}
            </p>
            <Markdown source={withoutTitle(pinned.markdown, proposal.text.title)} />
            {pinned.markdown !== onChainDocument && (
              <>
                <h3>Description on chain</h3>
                <Markdown source={proposal.text.body} />
              </>
            )}
          </>
        ) : (
          <>
            {pinned !== undefined && (
              <p className="hint" role="status">
                The pinned copy ({pinned.cid}) could not be read: {pinned.reason}. This is the description stored on chain.
              </p>
            )}
            <Markdown source={proposal.text.body} />
          </>
        )}
      </section>

      <section className="card" aria-labelledby="schedule">
        <h2 id="schedule">Schedule</h2>
        <dl className="facts">
          <dt>Voting opens</dt>
          <dd>
            <LocalTime timestamp={proposal.snapshot} /> ({formatRelative(proposal.snapshot, now)}; voting power is counted as of then)
          </dd>
          <dt>Voting closes</dt>
          <dd>
            <LocalTime timestamp={proposal.deadline} /> ({formatRelative(proposal.deadline, now)})
          </dd>
          {proposal.eta > 0n && (
            <>
              <dt>Executable from</dt>
              <dd>
                <LocalTime timestamp={proposal.eta} /> ({formatRelative(proposal.eta, now)})
              </dd>
            </>
          )}
          <dt>Proposal id</dt>
          <dd>
            <code>{proposal.id.toString()}</code>
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <Timeline entries={proposal.timeline} token={token} />
      </section>
    </article>
  );
}
