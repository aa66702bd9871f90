import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import GovernanceModule from "./Governance.ts";
import IdentityModule from "./Identity.ts";
import ContentModule from "./Content.ts";

// Everything Concord deploys on a new chain, in one module: what `npm start` deploys to the devnet
// and what `hardhat ignition deploy ignition/modules/Concord.ts --network devnet` deploys by hand.
// The staking registry is not here: it is part of the genesis state (chain/execution/genesis.ts).
export default buildModule("Concord", (m) => {
  const governance = m.useModule(GovernanceModule);
  const identity = m.useModule(IdentityModule);
  const content = m.useModule(ContentModule);
  return { ...governance, ...identity, ...content };
});
