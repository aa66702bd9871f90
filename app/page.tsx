import Link from "next/link";
import { formatDuration, formatEth, formatToken } from "../appLib/format.ts";
import { daoOverview, listProposals } from "../appLib/governance.ts";
import { ProposalList } from "../components/ProposalList.tsx";

export default async function OverviewPage() {
  const [dao, { proposals, token, now }] = await Promise.all([daoOverview(), listProposals()]);
  const { settings } = dao;
  return (
    <>
      <h1>{dao.token.name} DAO</h1>
      <p>
        Holders of {dao.token.symbol} propose changes, vote on them, and the timelock carries out what passes. Votes count only when
        delegated: <Link href="/account">delegate to yourself</Link> to vote with your own tokens.
      </p>
      <div className="cards">
        <section className="card" aria-labelledby="treasury">
          <h2 id="treasury">Treasury</h2>
          <dl className="facts">
            <dt>ETH</dt>
            <dd data-testid="treasury-eth">{formatEth(dao.treasury.eth)}</dd>
            <dt>{dao.token.symbol}</dt>
            <dd data-testid="treasury-tokens">{formatToken(dao.treasury.tokens, dao.token)}</dd>
            <dt>Held by</dt>
            <dd>
              <code>{dao.treasury.address}</code> (the timelock)
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="rules">
          <h2 id="rules">Rules</h2>
          <dl className="facts">
            <dt>To propose</dt>
            <dd>{formatToken(settings.proposalThreshold, dao.token)} of voting power</dd>
            <dt>Voting opens</dt>
            <dd>{formatDuration(settings.votingDelay)} after a proposal</dd>
            <dt>Voting lasts</dt>
            <dd>{formatDuration(settings.votingPeriod)}</dd>
            <dt>Quorum</dt>
            <dd>
              {((Number(settings.quorumNumerator) * 100) / Number(settings.quorumDenominator)).toString()}% of the supply votes For or Abstain
            </dd>
            <dt>Late quorum</dt>
            <dd>voting stays open at least {formatDuration(settings.lateQuorumExtension)} after quorum is reached</dd>
            <dt>Timelock delay</dt>
            <dd>{formatDuration(settings.timelockDelay)} between queueing and execution</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="token">
          <h2 id="token">Token</h2>
          <dl className="facts">
            <dt>Name</dt>
            <dd>
              {dao.token.name} ({dao.token.symbol})
            </dd>
            <dt>Supply</dt>
            <dd>{formatToken(dao.token.totalSupply, dao.token)}</dd>
            <dt>Contract</dt>
            <dd>
              <code>{dao.token.address}</code>
            </dd>
            <dt>Governor</dt>
            <dd>
              <code>{dao.governor}</code>
            </dd>
          </dl>
        </section>
      </div>
      <h2>Latest proposals</h2>
      <ProposalList proposals={proposals.slice(0, 5)} token={token} now={now} />
      <p className="row">
        <Link href="/proposals">All proposals ({dao.proposalCount})</Link>
        <Link href="/proposals/new">New proposal</Link>
      </p>
    </>
  );
}
