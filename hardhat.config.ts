import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import knownCompilerWarnings from "./hardhatPlugins/knownCompilerWarnings.ts";
import devnetOnlyParameters from "./hardhatPlugins/devnetOnlyParameters.ts";

const require = createRequire(import.meta.url);

// The compiler comes from the npm `solc` package (solcjs, WebAssembly): Hardhat never downloads one.
// Hardhat loads a non-native `path` as solcjs and trusts `version`, so both are read from the package.
const solcVersion: string = require("solc/package.json").version;
const solcPath: string = require.resolve("solc/soljson.js");

// The well-known test mnemonic: the same 20 accounts as Hardhat's and Anvil's nodes.
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

// Concord devnet's JSON-RPC endpoint; override with CONCORD_RPC_URL (e.g. a node on another port).
const devnetUrl = process.env.CONCORD_RPC_URL ?? "http://127.0.0.1:8545";

function compilerProfile() {
  return {
    version: solcVersion,
    path: solcPath,
    isolated: false,
    toolVersionsInBuildInfo: false,
    // Keep `optimizer` before `evmVersion`: Hardhat hashes a compilation job's settings as JSON, and
    // the production profile puts its default optimizer first; another order is another job.
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // Prague: what Hardhat's EDR and the Concord node (@ethereumjs/vm) both execute.
      evmVersion: "prague",
    },
  };
}

export default defineConfig({
  plugins: [hardhatEthers, hardhatNodeTestRunner, hardhatNetworkHelpers, hardhatIgnitionEthers, knownCompilerWarnings, devnetOnlyParameters],
  solidity: {
    // One build serves tests, `npm start` and Ignition. Ignition's deploy task builds with the
    // "production" profile, which Hardhat otherwise derives from the default one by keeping only the
    // compiler (dropping these settings) and compiling each file in isolation: every contract was
    // compiled a second time on a devnet's first start (~35 s), with other settings than the tests'.
    // Both profiles are the same here, so they make the same compilation jobs and share the cache.
    profiles: { default: compilerProfile(), production: compilerProfile() },
  },
  ignition: {
    // Concord's blocks are final once committed (BFT, no reorgs): one confirmation is certainty. The
    // default of 5 would also stall a devnet that only makes blocks when transactions wait.
    requiredConfirmations: 1,
  },
  paths: {
    tests: { nodejs: "test/contracts" },
  },
  networks: {
    devnet: {
      type: "http",
      chainType: "l1",
      url: devnetUrl,
      accounts: { mnemonic: TEST_MNEMONIC, count: 20 },
    },
  },
});
