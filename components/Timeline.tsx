import { SUPPORT_NAMES } from "../appLib/ballot.ts";
import { formatToken, shortAddress } from "../appLib/format.ts";
import type { TimelineEntry } from "../appLib/governorEvents.ts";
import type { TokenInfo } from "../appLib/proposalActions.ts";
import { LocalTime } from "./LocalTime.tsx";

function what(entry: TimelineEntry, token: TokenInfo) {
  switch (entry.kind) {
    case "created":
      return <>Proposed by <span title={entry.account}>{shortAddress(entry.account!)}</span></>;
    case "vote":
      return (
        <>
          <span title={entry.account}>{shortAddress(entry.account!)}</span> voted <strong>{SUPPORT_NAMES[entry.support ?? 0] ?? "?"}</strong> with{" "}
          {formatToken(entry.weight ?? 0n, token)}
          {entry.reason !== undefined && entry.reason !== "" && <q className="reason">{entry.reason}</q>}
        </>
      );
    case "queued":
      return <>Queued in the timelock; executable from <LocalTime timestamp={entry.time ?? 0n} /></>;
    case "executed":
      return <>Executed: the timelock carried out its actions</>;
    case "canceled":
      return <>Canceled</>;
    case "extended":
      return <>Quorum reached late: voting extended to <LocalTime timestamp={entry.time ?? 0n} /></>;
  }
}

/** Each step of a proposal with the transaction that made it. */
export function Timeline({ entries, token }: { entries: TimelineEntry[]; token: TokenInfo }) {
  if (entries.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((entry) => (
        <li key={`${entry.transactionHash}-${entry.logIndex}`} data-kind={entry.kind}>
          <span className="when">
            <LocalTime timestamp={entry.timestamp} />, block {entry.blockNumber.toString()}
          </span>
          {what(entry, token)}
          <span className="when">
            Transaction <code>{entry.transactionHash}</code>
          </span>
        </li>
      ))}
    </ol>
  );
}
