import type { Metadata } from "next";
import { daoOverview } from "../../../appLib/governance.ts";
import { ProposalForm } from "./ProposalForm.tsx";

export const metadata: Metadata = { title: "New proposal" };

export default async function NewProposalPage() {
  const dao = await daoOverview();
  return (
    <>
      <h1>New proposal</h1>
      <p>
        Describe the change in Markdown and choose what the DAO should do if it passes. The description is pinned to IPFS and its CID
        goes on chain with it.
      </p>
      <ProposalForm
        rules={{
          proposalThreshold: dao.settings.proposalThreshold.toString(),
          votingDelay: dao.settings.votingDelay.toString(),
          votingPeriod: dao.settings.votingPeriod.toString(),
          timelockDelay: dao.settings.timelockDelay.toString(),
          quorumNumerator: dao.settings.quorumNumerator.toString(),
          lateQuorumExtension: dao.settings.lateQuorumExtension.toString(),
          treasuryEth: dao.treasury.eth.toString(),
          treasuryTokens: dao.treasury.tokens.toString(),
        }}
      />
    </>
  );
}
