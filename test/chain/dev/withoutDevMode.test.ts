/**
 * A node without dev mode (what a multi-validator network runs) refuses every dev method with a
 * clear -32601, keeps Concord's client version, and sends as a normal node: impersonation does not
 * exist there. `devMode` itself is refused where a lone validator does not decide every block.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { CLIENT_VERSION, ConcordNode, NodeOptionsError } from "../../../chain/node.ts";
import { devMethods } from "../../../chain/rpc/methods/dev.ts";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { devnetGenesis, startDevNode, type DevNode } from "./helpers/devNode.ts";

let plain: DevNode;

before(async () => {
  plain = await startDevNode({ devMode: false });
});
after(() => plain.close());

/** Parameters that pass each method's checks, so the refusal is what answers. */
const VALID_PARAMS: Record<string, unknown[]> = {
  evm_revert: ["0x1"],
  anvil_revert: ["0x1"],
  evm_increaseTime: [1],
  anvil_increaseTime: [1],
  evm_setNextBlockTimestamp: [1],
  anvil_setNextBlockTimestamp: [1],
  evm_setAutomine: [true],
  anvil_setAutomine: [true],
  evm_setIntervalMining: [0],
  anvil_loadState: ["0x00"],
  anvil_setIntervalMining: [0],
  hardhat_setBalance: ["0x00000000000000000000000000000000000000aa", "0x1"],
  anvil_setBalance: ["0x00000000000000000000000000000000000000aa", "0x1"],
  hardhat_setCode: ["0x00000000000000000000000000000000000000aa", "0x00"],
  anvil_setCode: ["0x00000000000000000000000000000000000000aa", "0x00"],
  hardhat_setNonce: ["0x00000000000000000000000000000000000000aa", "0x1"],
  anvil_setNonce: ["0x00000000000000000000000000000000000000aa", "0x1"],
  hardhat_setStorageAt: ["0x00000000000000000000000000000000000000aa", "0x0", `0x${"00".repeat(32)}`],
  anvil_setStorageAt: ["0x00000000000000000000000000000000000000aa", "0x0", `0x${"00".repeat(32)}`],
  hardhat_setCoinbase: ["0x00000000000000000000000000000000000000aa"],
  anvil_setCoinbase: ["0x00000000000000000000000000000000000000aa"],
  hardhat_setNextBlockBaseFeePerGas: ["0x1"],
  anvil_setNextBlockBaseFeePerGas: ["0x1"],
  hardhat_setPrevRandao: [`0x${"11".repeat(32)}`],
  evm_setBlockGasLimit: ["0x1c9c380"],
  hardhat_dropTransaction: [`0x${"22".repeat(32)}`],
  anvil_dropTransaction: [`0x${"22".repeat(32)}`],
  hardhat_impersonateAccount: ["0x00000000000000000000000000000000000000aa"],
  anvil_impersonateAccount: ["0x00000000000000000000000000000000000000aa"],
  hardhat_stopImpersonatingAccount: ["0x00000000000000000000000000000000000000aa"],
  anvil_stopImpersonatingAccount: ["0x00000000000000000000000000000000000000aa"],
};
const DEV_METHOD_NAMES = [
  "hardhat_metadata", "anvil_metadata", "evm_snapshot", "anvil_snapshot", "evm_revert", "anvil_revert",
  "evm_increaseTime", "anvil_increaseTime", "evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp",
  "evm_mine", "hardhat_mine", "anvil_mine", "evm_setAutomine", "anvil_setAutomine", "hardhat_getAutomine", "evm_setIntervalMining", "anvil_setIntervalMining", "hardhat_reset", "anvil_reset", "anvil_dumpState", "anvil_loadState", "anvil_getAutomine",
  "hardhat_setBalance", "anvil_setBalance", "hardhat_setCode", "anvil_setCode", "hardhat_setNonce", "anvil_setNonce",
  "hardhat_setStorageAt", "anvil_setStorageAt", "hardhat_setCoinbase", "anvil_setCoinbase",
  "hardhat_setNextBlockBaseFeePerGas", "anvil_setNextBlockBaseFeePerGas", "hardhat_setPrevRandao", "evm_setBlockGasLimit",
  "hardhat_dropTransaction", "anvil_dropTransaction", "hardhat_impersonateAccount", "anvil_impersonateAccount",
  "hardhat_stopImpersonatingAccount", "anvil_stopImpersonatingAccount",
];
/** Standard methods dev mode only extends: on a plain node they answer as always. */
const EXTENDED = new Set(["eth_sendTransaction", "eth_estimateGas"]);

describe("a node without dev mode", () => {
  it("answers every dev method -32601, saying it exists on a single-validator devnet only", async () => {
    const names = Object.keys(devMethods).filter((name) => !EXTENDED.has(name));
    assert.deepEqual([...names].sort(), [...DEV_METHOD_NAMES].sort());
    for (const name of names) {
      assert.deepEqual(
        await callError(plain.url, name, VALID_PARAMS[name] ?? []),
        {
          code: -32601,
          message: `the method ${name} is only available on a single-validator devnet in dev mode (npm start -- --validators 1, or concord devnet / concord node): validators that agree on every block cannot rewrite state, time or history for one client`,
        },
        name,
      );
    }
  });

  it("keeps Concord's client version", async () => {
    assert.equal(await call(plain.url, "web3_clientVersion"), CLIENT_VERSION);
    assert.doesNotMatch(CLIENT_VERSION, /^(anvil|hardhat|zksync)/i);
  });

  it("sends only from its dev accounts, and estimates at the latest block by default", async () => {
    assert.deepEqual(await callError(plain.url, "eth_sendTransaction", [{ from: "0xfffffffffffffffffffffffffffffffffffffffe", to: "0x00000000000000000000000000000000000000aa" }]), {
      code: -32000,
      message: "unknown account 0xfffffffffffffffffffffffffffffffffffffffe: this node signs only for its dev accounts (eth_accounts)",
    });
    // Init code that reverts unless NUMBER is above the latest block's: it passes only in the next block's context.
    const latest = BigInt(await call<string>(plain.url, "eth_blockNumber"));
    const onlyInNextBlock = `0x437f${latest.toString(16).padStart(64, "0")}116029575f5ffd5b00`;
    assert.equal((await callError(plain.url, "eth_estimateGas", [{ data: onlyInNextBlock }])).code, 3);
  });
});

describe("the devMode option", () => {
  it("needs a validator key and the built-in engine", () => {
    assert.throws(
      () => new ConcordNode({ genesis: devnetGenesis(), devMode: true }),
      (error: unknown) => error instanceof NodeOptionsError && error.option === "devMode",
    );
    const [validator] = validatorKeys(1);
    const engine = { name: "other", start: async () => {}, stop: async () => {}, status: () => ({ engine: "other", height: 0n, round: 0, step: "", proposer: null, validators: 0 }) };
    assert.throws(
      () => new ConcordNode({ genesis: devnetGenesis(), validatorKey: validator!.privateKey, engine: { kind: "custom", create: () => engine }, devMode: true }),
      (error: unknown) => error instanceof NodeOptionsError && error.option === "devMode",
    );
  });
});
