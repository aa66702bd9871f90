import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

// Concord's DAO: the voting token, the timelock (executor and treasury) and the Governor, wired so
// that the Governor is the timelock's only proposer and canceller, anyone may execute a queued
// operation once its delay has passed, and no one keeps an admin key.
//
// Every duration is in SECONDS: the token's ERC-6372 clock is the block timestamp, because a
// proof-of-stake chain's block times are irregular and "N blocks" would mean different times.
//
// Defaults below are devnet defaults (ignition/parameters.devnet.json repeats them next to the
// distribution); a real deployment overrides them with its own parameters file.
// - votingDelay 1 s: voting starts the next second. Zero would snapshot voting power at the
//   proposal's own second, letting a voter acquire or re-delegate tokens in that same block.
// - votingPeriod 300 s: five minutes, long enough to vote from a wallet in a demo, short enough to
//   finish a proposal's whole lifecycle in one sitting.
// - proposalThreshold 1,000 CORD: 0.005% of the devnet supply, so any funded account that has
//   delegated can propose, yet an account with no stake cannot spam the proposal list.
// - quorumNumerator 4: 4% of the supply at the snapshot must vote For or Abstain, OpenZeppelin's and
//   Compound's customary value; on the devnet any single test account (5%) can meet it alone.
// - lateQuorumExtension 60 s: if quorum is first reached in the last minute, voting stays open for
//   a minute more so the other side can respond (less than the period, so the extension matters).
// - timelockMinDelay 60 s: one minute between queueing and execution, enough to see an approved
//   action coming and to exercise the delay in tests and demos without waiting.
// - guardian address(0) by default (no guardian: a proposer may then cancel their own proposal
//   until it executes); the devnet parameters name the first test account, the operator.
export const DEFAULTS = {
  votingDelay: 1,
  votingPeriod: 300,
  proposalThreshold: 1_000n * 10n ** 18n,
  quorumNumerator: 4,
  lateQuorumExtension: 60,
  timelockMinDelay: 60,
  guardian: "0x0000000000000000000000000000000000000000",
} as const;

const ANYONE = "0x0000000000000000000000000000000000000000";

export default buildModule("Governance", (m) => {
  // The initial distribution has no default: who owns the DAO must be stated, not assumed.
  const recipients = m.getParameter<string[]>("recipients");
  const amounts = m.getParameter<bigint[]>("amounts");
  const votingDelay = m.getParameter("votingDelay", DEFAULTS.votingDelay);
  const votingPeriod = m.getParameter("votingPeriod", DEFAULTS.votingPeriod);
  const proposalThreshold = m.getParameter("proposalThreshold", DEFAULTS.proposalThreshold);
  const quorumNumerator = m.getParameter("quorumNumerator", DEFAULTS.quorumNumerator);
  const lateQuorumExtension = m.getParameter("lateQuorumExtension", DEFAULTS.lateQuorumExtension);
  const timelockMinDelay = m.getParameter("timelockMinDelay", DEFAULTS.timelockMinDelay);
  const guardian = m.getParameter<string>("guardian", DEFAULTS.guardian);

  // The deployer administers the timelock only for the few calls below, then renounces.
  const deployer = m.getAccount(0);

  const token = m.contract("ConcordToken", [recipients, amounts]);

  // No proposer yet (the Governor's address depends on the timelock's); executors = [address(0)]
  // opens execution to anyone, so a passed proposal cannot be held hostage by a missing executor.
  const timelock = m.contract("ConcordTimelock", [timelockMinDelay, [], [ANYONE], deployer], {
    from: deployer,
  });

  const governor = m.contract("ConcordGovernor", [
    token,
    timelock,
    votingDelay,
    votingPeriod,
    proposalThreshold,
    quorumNumerator,
    lateQuorumExtension,
    guardian,
  ]);

  const proposerRole = m.staticCall(timelock, "PROPOSER_ROLE", [], 0, { id: "proposerRole" });
  const cancellerRole = m.staticCall(timelock, "CANCELLER_ROLE", [], 0, { id: "cancellerRole" });
  const adminRole = m.staticCall(timelock, "DEFAULT_ADMIN_ROLE", [], 0, { id: "adminRole" });

  const grantProposer = m.call(timelock, "grantRole", [proposerRole, governor], {
    id: "grantProposerToGovernor",
    from: deployer,
  });
  const grantCanceller = m.call(timelock, "grantRole", [cancellerRole, governor], {
    id: "grantCancellerToGovernor",
    from: deployer,
  });

  // Last: after this only the timelock administers itself, i.e. only governance changes roles.
  m.call(timelock, "renounceRole", [adminRole, deployer], {
    id: "renounceDeployerAdmin",
    from: deployer,
    after: [grantProposer, grantCanceller],
  });

  return { token, timelock, governor };
});
