import { formatRelative } from "../appLib/format.ts";
import { LocalTime } from "./LocalTime.tsx";

interface Times {
  state: string;
  snapshot: bigint;
  deadline: bigint;
  eta: bigint;
}

/** The one moment that matters for a proposal in its state, in human time. */
export function ProposalDeadline({ proposal, now }: { proposal: Times; now: bigint }) {
  switch (proposal.state) {
    case "Pending":
      return (
        <span>
          Voting opens {formatRelative(proposal.snapshot, now)} (<LocalTime timestamp={proposal.snapshot} />)
        </span>
      );
    case "Active":
      return (
        <span>
          Voting ends {formatRelative(proposal.deadline, now)} (<LocalTime timestamp={proposal.deadline} />)
        </span>
      );
    case "Queued":
      return proposal.eta > now ? (
        <span>
          Executable {formatRelative(proposal.eta, now)} (<LocalTime timestamp={proposal.eta} />)
        </span>
      ) : (
        <span>
          Executable since <LocalTime timestamp={proposal.eta} />
        </span>
      );
    default:
      return (
        <span>
          Voting ended {formatRelative(proposal.deadline, now)} (<LocalTime timestamp={proposal.deadline} />)
        </span>
      );
  }
}
