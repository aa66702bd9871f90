import { formatToken, percent } from "../appLib/format.ts";
import type { TokenInfo } from "../appLib/proposalActions.ts";

interface Tally {
  forVotes: bigint;
  againstVotes: bigint;
  abstainVotes: bigint;
  quorum: bigint;
}

/** For / Against / Abstain as numbers and bars, and how far the proposal is from quorum (For + Abstain). */
export function VoteTally({ tally, token, compact = false }: { tally: Tally; token: TokenInfo; compact?: boolean }) {
  const total = tally.forVotes + tally.againstVotes + tally.abstainVotes;
  const counted = tally.forVotes + tally.abstainVotes;
  const reached = counted >= tally.quorum;
  const rows = [
    { name: "For", value: tally.forVotes, className: "bar-for" },
    { name: "Against", value: tally.againstVotes, className: "bar-against" },
    { name: "Abstain", value: tally.abstainVotes, className: "bar-abstain" },
  ];
  return (
    <div className={`tally${compact ? " tally-compact" : ""}`}>
      <dl className="tally-rows">
        {rows.map((row) => (
          <div key={row.name} className="tally-row" data-testid={`tally-${row.name.toLowerCase()}`}>
            <dt>{row.name}</dt>
            <dd>
              <span className="tally-value">{formatToken(row.value, token)}</span>
              <span className="bar" aria-hidden="true">
                <span className={row.className} style={{ width: total === 0n ? "0%" : percent(row.value, total) }} />
              </span>
            </dd>
          </div>
        ))}
      </dl>
      <p className="quorum" data-testid="quorum">
        Quorum: {formatToken(counted, token)} of {formatToken(tally.quorum, token)} ({percent(counted, tally.quorum === 0n ? 1n : tally.quorum)}){" "}
        {reached ? <span className="tag tag-ok">reached</span> : <span className="tag">not reached</span>}
      </p>
    </div>
  );
}
