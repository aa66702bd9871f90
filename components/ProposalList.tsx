import Link from "next/link";
import { shortAddress } from "../appLib/format.ts";
import type { ProposalSummary } from "../appLib/governance.ts";
import type { TokenInfo } from "../appLib/proposalActions.ts";
import { ProposalDeadline } from "./ProposalTimes.tsx";
import { StateBadge } from "./StateBadge.tsx";
import { VoteTally } from "./VoteTally.tsx";

export function ProposalList({ proposals, token, now }: { proposals: ProposalSummary[]; token: TokenInfo; now: bigint }) {
  if (proposals.length === 0) {
    return (
      <p>
        No proposals yet. <Link href="/proposals/new">Create the first one</Link>.
      </p>
    );
  }
  return (
    <ol className="proposal-list" reversed>
      {proposals.map((proposal) => (
        <li key={proposal.id.toString()} className="card proposal-item" data-testid="proposal-item">
          <h2>
            <Link href={`/proposals/${proposal.id}`}>{proposal.title}</Link>
          </h2>
          <p className="proposal-meta">
            <StateBadge state={proposal.state} />
            <ProposalDeadline proposal={proposal} now={now} />
            <span title={proposal.proposer}>by {shortAddress(proposal.proposer)}</span>
          </p>
          <VoteTally tally={proposal} token={token} compact />
        </li>
      ))}
    </ol>
  );
}
