import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import hre, { network } from "hardhat";
import { HardhatArtifactResolver, readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
// ignition-core is what `hardhat ignition deploy` runs underneath (a dependency of hardhat-ignition);
// calling it directly lets the HTTP test deploy without writing ignition/deployments/.
import { deploy } from "@nomicfoundation/ignition-core";
import GovernanceModule from "../../../ignition/modules/Governance.ts";

const PARAMETERS_FILE = path.resolve(import.meta.dirname, "../../../ignition/parameters.devnet.json");

describe("Ignition module Governance", async () => {
  const { ethers, ignition, networkHelpers } = await network.create();
  // The very file the CLI reads (`--parameters ignition/parameters.devnet.json`), parsed the same way.
  const parameters = await readDeploymentParameters(PARAMETERS_FILE);
  const settings = parameters.Governance as Record<string, unknown>;

  async function deployGovernance() {
    return ignition.deploy(GovernanceModule, { parameters });
  }

  it("the parameters file distributes to the 20 test accounts", async () => {
    const signers = await ethers.getSigners();
    assert.deepEqual(
      (settings.recipients as string[]).map((a) => a.toLowerCase()),
      signers.slice(0, 20).map((s) => s.address.toLowerCase()),
    );
    assert.equal((settings.amounts as unknown[]).length, 20);
  });

  it("mints each recipient its amount and nothing else", async () => {
    const { token } = await networkHelpers.loadFixture(deployGovernance);
    const recipients = settings.recipients as string[];
    const amounts = settings.amounts as bigint[];
    for (let i = 0; i < recipients.length; i++) {
      assert.equal(await token.balanceOf(recipients[i]!), amounts[i]);
    }
    assert.equal(await token.totalSupply(), amounts.reduce((a, b) => a + b, 0n));
    assert.equal(await token.CLOCK_MODE(), "mode=timestamp");
  });

  it("configures the Governor from the parameters", async () => {
    const { token, timelock, governor } = await networkHelpers.loadFixture(deployGovernance);
    assert.equal(await governor.token(), await token.getAddress());
    assert.equal(await governor.timelock(), await timelock.getAddress());
    assert.equal(await governor.votingDelay(), BigInt(settings.votingDelay as number));
    assert.equal(await governor.votingPeriod(), BigInt(settings.votingPeriod as number));
    assert.equal(await governor.proposalThreshold(), settings.proposalThreshold);
    assert.equal(await governor["quorumNumerator()"](), BigInt(settings.quorumNumerator as number));
    assert.equal(await governor.lateQuorumVoteExtension(), BigInt(settings.lateQuorumExtension as number));
    assert.equal((await governor.proposalGuardian()).toLowerCase(), (settings.guardian as string).toLowerCase());
    assert.equal(await timelock.getMinDelay(), BigInt(settings.timelockMinDelay as number));
  });

  it("makes the Governor the timelock's only proposer and canceller, and anyone an executor", async () => {
    const { timelock, governor } = await networkHelpers.loadFixture(deployGovernance);
    const governorAddress = await governor.getAddress();
    const proposer = await timelock.PROPOSER_ROLE();
    const canceller = await timelock.CANCELLER_ROLE();
    const executor = await timelock.EXECUTOR_ROLE();
    assert.equal(await timelock.hasRole(proposer, governorAddress), true);
    assert.equal(await timelock.hasRole(canceller, governorAddress), true);
    assert.equal(await timelock.hasRole(executor, ethers.ZeroAddress), true);
    // Only the Governor was ever granted PROPOSER_ROLE / CANCELLER_ROLE: every RoleGranted event says so.
    const grants = await timelock.queryFilter(timelock.filters.RoleGranted());
    const granted = grants.map((e) => {
      assert.ok("args" in e, "RoleGranted log decodes with the timelock's ABI");
      return [e.args.role as string, (e.args.account as string).toLowerCase()];
    });
    const deployer = (await ethers.getSigners())[0]!.address.toLowerCase();
    const timelockAddress = (await timelock.getAddress()).toLowerCase();
    const adminRole = await timelock.DEFAULT_ADMIN_ROLE();
    assert.deepEqual(
      granted.sort(),
      [
        [adminRole, timelockAddress],
        [adminRole, deployer],
        [executor, ethers.ZeroAddress],
        [proposer, governorAddress.toLowerCase()],
        [canceller, governorAddress.toLowerCase()],
      ].sort(),
    );
  });

  it("leaves the deployer no admin role: only the timelock administers itself", async () => {
    const { timelock } = await networkHelpers.loadFixture(deployGovernance);
    const [deployer] = await ethers.getSigners();
    const adminRole = await timelock.DEFAULT_ADMIN_ROLE();
    assert.equal(await timelock.hasRole(adminRole, deployer!.address), false);
    assert.equal(await timelock.hasRole(adminRole, await timelock.getAddress()), true);
    assert.equal(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer!.address), false);
  });
});

describe("Ignition module Governance over HTTP JSON-RPC", async () => {
  // An external node, as the Concord devnet will be: an in-process chain served over HTTP on a free
  // port, reached through the `devnet` network config (type http, mnemonic accounts signed locally).
  // Only standard JSON-RPC crosses the wire, so the module needs no Hardhat-only methods.
  it("deploys with the parameters file and wires the roles", async (t) => {
    const server = await network.createServer("default", "127.0.0.1", 0);
    const { port } = await server.listen();
    t.after(() => server.close());
    const connection = await network.create({ network: "devnet", override: { url: `http://127.0.0.1:${port}` } });
    t.after(() => connection.close());
    const parameters = await readDeploymentParameters(PARAMETERS_FILE);

    const result = await deploy({
      // One confirmation: the Concord chain's blocks are final when committed (BFT), and this server mines on demand.
      config: { requiredConfirmations: 1 },
      artifactResolver: new HardhatArtifactResolver(hre.artifacts),
      provider: connection.provider,
      ignitionModule: GovernanceModule,
      deploymentParameters: parameters,
      accounts: (await connection.provider.request({ method: "eth_accounts" })) as string[],
    });
    assert.equal(result.type, "SUCCESSFUL_DEPLOYMENT");
    if (result.type !== "SUCCESSFUL_DEPLOYMENT") return;

    const { ethers } = connection;
    const timelock = await ethers.getContractAt("ConcordTimelock", result.contracts["Governance#ConcordTimelock"]!.address);
    const governor = await ethers.getContractAt("ConcordGovernor", result.contracts["Governance#ConcordGovernor"]!.address);
    const token = await ethers.getContractAt("ConcordToken", result.contracts["Governance#ConcordToken"]!.address);
    const [deployer] = await ethers.getSigners();
    assert.equal(await timelock.hasRole(await timelock.PROPOSER_ROLE(), await governor.getAddress()), true);
    assert.equal(await timelock.hasRole(await timelock.CANCELLER_ROLE(), await governor.getAddress()), true);
    assert.equal(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), ethers.ZeroAddress), true);
    assert.equal(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer!.address), false);
    assert.equal(await governor.token(), await token.getAddress());
    assert.equal(await token.totalSupply(), (parameters.Governance!.amounts as bigint[]).reduce((a, b) => a + b, 0n));
  });
});
