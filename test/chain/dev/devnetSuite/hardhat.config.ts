/**
 * The project's Hardhat config as contractSuiteOnDevnet.test.ts runs the contract suite against a
 * Concord devnet, with the client-side differences one shared, rewindable chain needs (each is
 * reported to the lead for hardhat.config.ts; none changes a test or the node):
 * - `devnet` uses the node's dev accounts ("remote"): with local accounts Hardhat signs every
 *   eth_sendTransaction itself and refuses any other sender (HHE716), so an impersonated account
 *   (hardhat_impersonateAccount, as the staking tests use for the system caller) could never send.
 * - Ignition's journals go to a per-run directory (CONCORD_SUITE_IGNITION_DIR), one per deploy call
 *   (ignitionDeployments.ts says why), never into the project's ignition/deployments.
 */
import projectConfig from "../../../../hardhat.config.ts";
import ephemeralIgnitionDeployments from "./ephemeralIgnitionDeployments.ts";

const ignitionDir = process.env.CONCORD_SUITE_IGNITION_DIR;
if (ignitionDir === undefined) throw new Error("CONCORD_SUITE_IGNITION_DIR must name the directory for this run's Ignition journals");

export default {
  ...projectConfig,
  plugins: [...(projectConfig.plugins ?? []), ephemeralIgnitionDeployments],
  paths: { ...projectConfig.paths, ignition: ignitionDir },
  networks: {
    ...projectConfig.networks,
    devnet: { ...projectConfig.networks!.devnet!, accounts: "remote" as const },
  },
};
