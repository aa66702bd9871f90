import { describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { network } from "hardhat";
import { readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import ConcordModule from "../../ignition/modules/Concord.ts";

// The module `npm start` deploys to the devnet, deployed here to Hardhat's in-process network with
// the very parameters file the devnet uses.
describe("Ignition module Concord (everything deployed on a new chain)", async () => {
  const { ethers, ignition } = await network.create();
  const parameters = await readDeploymentParameters(path.resolve(import.meta.dirname, "../../ignition/parameters.devnet.json"));
  const deployed = await ignition.deploy(ConcordModule, { parameters });

  it("deploys every contract with code at its address", async () => {
    for (const name of ["token", "timelock", "governor", "didRegistry", "credentialRegistry", "contentRegistry"] as const) {
      const address = await deployed[name].getAddress();
      assert.notEqual(await ethers.provider.getCode(address), "0x", `${name} has no code`);
    }
  });

  it("wires the governor to the token and the timelock, and the timelock to the governor alone", async () => {
    const { governor, token, timelock } = deployed;
    assert.equal(await governor.token(), await token.getAddress());
    assert.equal(await governor.timelock(), await timelock.getAddress());
    const [deployer] = await ethers.getSigners();
    assert.equal(await timelock.hasRole(await timelock.PROPOSER_ROLE(), await governor.getAddress()), true);
    assert.equal(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer.address), false);
  });

  it("points the credential registry at the deployed DID registry", async () => {
    const { credentialRegistry, didRegistry } = deployed;
    assert.equal(await credentialRegistry.didRegistry(), await didRegistry.getAddress());
  });
});
