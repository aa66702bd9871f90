import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";

const require = createRequire(import.meta.url);

// The compiler comes from the npm `solc` package (solcjs, WebAssembly): Hardhat never downloads one.
// Hardhat loads a non-native `path` as solcjs and trusts `version`, so both are read from the package.
const solcVersion: string = require("solc/package.json").version;
const solcPath: string = require.resolve("solc/soljson.js");

// The well-known test mnemonic: the same 20 accounts as Hardhat's and Anvil's nodes.
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

// Concord devnet's JSON-RPC endpoint; override with CONCORD_RPC_URL (e.g. a node on another port).
const devnetUrl = process.env.CONCORD_RPC_URL ?? "http://127.0.0.1:8545";

export default defineConfig({
  plugins: [hardhatEthers, hardhatNodeTestRunner, hardhatNetworkHelpers, hardhatIgnitionEthers],
  solidity: {
    version: solcVersion,
    path: solcPath,
    settings: {
      // Prague: what Hardhat's EDR and the Concord node (@ethereumjs/vm) both execute.
      evmVersion: "prague",
      optimizer: { enabled: true, runs: 200 },
    },
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
