/**
 * A Hardhat plugin for the devnet run of the contract suite: every `ignition.deploy()` on the
 * `devnet` network without a deployment id gets one of its own.
 *
 * Why: on Hardhat's in-process network hardhat-ignition-ethers keeps each deploy call's journal in
 * memory, so every fixture deploys fresh contracts. On an http network it keeps one journal per chain
 * id on disk (deployments/chain-31337), so the second fixture that deploys a module gets the first
 * one's contracts back, with whatever state earlier tests left in them, or a reconciliation error
 * when its parameters differ, or addresses that an evm_revert has removed. That is Ignition's
 * behaviour against any external node (Hardhat's own `hardhat node` included), not the node's.
 * One id per call is what the in-process run does implicitly.
 */
import { definePlugin } from "hardhat/plugins";

export default definePlugin({
  id: "concord-devnet-suite-ephemeral-ignition",
  dependencies: () => [import("@nomicfoundation/hardhat-ignition-ethers")],
  hookHandlers: {
    network: () => import("./ephemeralIgnitionHooks.ts"),
  },
});
