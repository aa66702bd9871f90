import Link from "next/link";
import type { Metadata } from "next";
import { listProposals } from "../../appLib/governance.ts";
import { ProposalList } from "../../components/ProposalList.tsx";

export const metadata: Metadata = { title: "Proposals" };

export default async function ProposalsPage() {
  const { proposals, token, now } = await listProposals();
  return (
    <>
      <h1>Proposals</h1>
      <p>
        Newest first. Times are the chain&apos;s. <Link href="/proposals/new">Create a proposal</Link>.
      </p>
      <ProposalList proposals={proposals} token={token} now={now} />
    </>
  );
}
