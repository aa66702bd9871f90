import { describe, it } from "node:test";
import { network } from "hardhat";
import type { Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expectRevert } from "../helpers/errors.ts";
import { connect, ETHER, deployStandardRegistry, signerAddress } from "./fixture.ts";

describe("ValidatorRegistry access control: system functions", async () => {
  const { ethers, networkHelpers } = await network.create();
  const standard = () => deployStandardRegistry(ethers, networkHelpers);

  const systemCalls: [string, (registry: Contract, caller: HardhatEthersSigner) => Promise<unknown>][] = [
    ["advanceEpoch", (r, c) => connect(r, c).advanceEpoch()],
    ["slash", (r, c) => connect(r, c).slash(signerAddress(1), ethers.id("evidence"), 1n)],
    ["jail", (r, c) => connect(r, c).jail(signerAddress(1), 2n ** 40n)],
    ["distributeReward", (r, c) => connect(r, c).distributeReward(signerAddress(1), { value: ETHER })],
  ];

  const callers: [string, (fixture: Awaited<ReturnType<typeof standard>>) => HardhatEthersSigner][] = [
    ["an unrelated account", (f) => f.others[0]!],
    ["the validator's own operator", (f) => f.operators[0]!],
    ["the deployer", (f) => f.deployer],
  ];

  for (const [name, call] of systemCalls) {
    for (const [who, pick] of callers) {
      it(`${name} from ${who} reverts with ValidatorRegistryNotSystemCaller(caller)`, async () => {
        const fixture = await networkHelpers.loadFixture(standard);
        const caller = pick(fixture);
        await expectRevert(call(fixture.registry, caller), fixture.registry, "ValidatorRegistryNotSystemCaller", [caller.address]);
      });
    }
  }
});
