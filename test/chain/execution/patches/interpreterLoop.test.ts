/**
 * The inline interpreter loop (interpreterLoop.ts) against ethereumjs' own: the same results, gas,
 * errors, logs, state roots and step traces, on hand-assembled edge cases and on a real block of
 * ERC20 transfers; and the loop is really the one running.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Interface } from "ethers";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { openExecutionState } from "../../../../chain/execution/executionState.ts";
import { interpreterLoopStats, setInterpreterLoopEnabled } from "../../../../chain/execution/patches/interpreterLoop.ts";
import { emptyStateSource } from "../../../../chain/execution/stateNodeDb.ts";
import { executionFixture } from "../fixture.ts";
import type { Hex } from "../../../../chain/types.ts";

const common = await createConcordCommon();

/** Runs `code` (hex) on a fresh VM with the loop on or off; what a caller can observe. */
async function run(code: string, loop: boolean, gasLimit = 100_000n) {
  await setInterpreterLoopEnabled(loop);
  try {
    const { vm } = await openExecutionState(common, emptyStateSource, { blockHash: async () => undefined }, new MerklePatriciaTrie().EMPTY_TRIE_ROOT);
    const result = await vm.evm.runCode!({ code: hexToBytes(code as Hex), gasLimit });
    return {
      error: result.exceptionError?.error,
      gas: result.executionGasUsed,
      returned: bytesToHex(result.returnValue),
      logs: (result.logs ?? []).map((log) => log.map((part) => (Array.isArray(part) ? part.map(bytesToHex) : bytesToHex(part)))),
    };
  } finally {
    await setInterpreterLoopEnabled(true);
  }
}

const CASES: Record<string, string> = {
  "arithmetic and RETURN": "0x600560070260ff1660005260206000f3", // (5*7)&0xff -> mem -> return
  "a loop with JUMPI": "0x600a5b6001900380600257600052602060 00f3".replace(/ /g, ""),
  "STOP in the middle": "0x6001600201006003",
  "REVERT with data": "0x602a60005260206000fd",
  "INVALID opcode": "0x6001fe6002",
  "an undefined opcode": "0x60010c",
  "a jump to a non-JUMPDEST": "0x6003565b00",
  "stack underflow": "0x01",
  "out of gas in a loop": "0x5b600056",
  "LOG2 with memory expansion": "0x6001600252600260036020610100a2",
  "KECCAK256 and SLOAD (dynamic-gas and async steps)": "0x602a60005260206000205460005260206000f3",
  "code without any jump (no analysis)": "0x6001600101",
  "MSTORE8 and MLOAD growing memory": "0x60ff6104005361080051506020610400f3",
  "MSTORE within memory already paid for": "0x60016000526002600052600360105260206000f3",
  "memory expansion out of gas": "0x63ffffffff51",
  "MSTORE with too few stack items": "0x600152",
  "KECCAK256 of nothing": "0x600060002060005260206000f3",
  "KECCAK256 over 33 bytes, growing memory by two words": "0x602160002060005260206000f3",
  "KECCAK256 over a huge length (out of gas)": "0x63ffffffff600020",
  "KECCAK256 at a huge offset (out of gas)": "0x60017fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff20",
  "KECCAK256 with too few stack items": "0x600120",
};

test("every edge case ends the same with the loop as without: error, gas, return data, logs", async () => {
  for (const [name, code] of Object.entries(CASES)) {
    assert.deepEqual(await run(code, true), await run(code, false), name);
  }
  assert.equal((await run(CASES["INVALID opcode"]!, true)).error, "invalid opcode");
  assert.equal((await run(CASES["out of gas in a loop"]!, true, 5_000n)).error, "out of gas");
  assert.equal((await run(CASES["memory expansion out of gas"]!, true)).error, "out of gas");
  assert.equal((await run(CASES["MSTORE with too few stack items"]!, true)).error, "stack underflow");
  assert.equal((await run(CASES["KECCAK256 over a huge length (out of gas)"]!, true)).error, "out of gas");
  assert.equal((await run(CASES["KECCAK256 with too few stack items"]!, true)).error, "stack underflow");
});

test("the loop runs the plain steps inline, and a step listener sees every step as before", async () => {
  const before = interpreterLoopStats().inlineSteps;
  await run(CASES["a loop with JUMPI"]!, true);
  assert.ok(interpreterLoopStats().inlineSteps > before + 20, "steps ran inline");
  // Memory and hashing steps too: of this one's 8 steps (pushes, KECCAK256, MSTORE), all but RETURN.
  const hashing = interpreterLoopStats().inlineSteps;
  await run(CASES["KECCAK256 over 33 bytes, growing memory by two words"]!, true);
  assert.equal(interpreterLoopStats().inlineSteps - hashing, 7);

  const traced = async (loop: boolean) => {
    await setInterpreterLoopEnabled(loop);
    try {
      const { vm } = await openExecutionState(common, emptyStateSource, { blockHash: async () => undefined }, new MerklePatriciaTrie().EMPTY_TRIE_ROOT);
      const steps: string[] = [];
      vm.evm.events!.on("step", (step) => void steps.push(`${step.pc}:${step.opcode.name}:${step.gasLeft}`));
      await vm.evm.runCode!({ code: hexToBytes(CASES["a loop with JUMPI"] as Hex), gasLimit: 100_000n });
      return steps;
    } finally {
      await setInterpreterLoopEnabled(true);
    }
  };
  const withLoop = await traced(true);
  assert.ok(withLoop.length > 50);
  assert.deepEqual(withLoop, await traced(false));
});

test("a block of ERC20 transfers and a reverting one gives the same root, receipts and logs with the loop as without", async () => {
  const artifact = JSON.parse(readFileSync(new URL("../../../../artifacts/contracts/governance/ConcordToken.sol/ConcordToken.json", import.meta.url), "utf8"));
  const token = new Interface(artifact.abi);
  const build = async (loop: boolean) => {
    await setInterpreterLoopEnabled(loop);
    try {
      const f = await executionFixture();
      const [deployer, ...others] = f.accounts;
      const deploy = f.sign(deployer!, {
        nonce: 0n,
        gasLimit: 10_000_000n,
        data: ((artifact.bytecode as string) + token.encodeDeploy([[deployer!.address], [10n ** 24n]]).slice(2)) as Hex,
      });
      const deployed = await f.executor.buildBlock(f.genesis, [deploy], { coinbase: f.validators[0]!.address, timestamp: f.genesis.header.timestamp + 1n });
      await f.commit(deployed);
      const at = bytesToHex(deployed.receipts[0]!.contractAddress!) as Hex;
      const txs = others.slice(0, 8).map((to, i) =>
        f.sign(deployer!, { nonce: BigInt(i + 1), to: at, gasLimit: 200_000n, data: token.encodeFunctionData("transfer", [to.address, 1000n + BigInt(i)]) as Hex }),
      );
      // Above the balance: reverts with ERC20InsufficientBalance.
      txs.push(f.sign(others[0]!, { nonce: 0n, to: at, gasLimit: 200_000n, data: token.encodeFunctionData("transfer", [deployer!.address, 10n ** 30n]) as Hex }));
      const parent = deployed.block;
      const built = await f.executor.buildBlock(parent, txs, { coinbase: f.validators[0]!.address, timestamp: parent.header.timestamp + 1n });
      return {
        root: bytesToHex(built.block.header.stateRoot),
        receiptsRoot: bytesToHex(built.block.header.receiptTrie),
        receipts: built.receipts.map((r) => ({ status: r.status, gasUsed: r.gasUsed, logs: r.logs.length })),
      };
    } finally {
      await setInterpreterLoopEnabled(true);
    }
  };
  const withLoop = await build(true);
  assert.equal(withLoop.receipts.length, 9);
  assert.deepEqual(withLoop.receipts.map((r) => r.status), [1, 1, 1, 1, 1, 1, 1, 1, 0]);
  assert.deepEqual(withLoop, await build(false));
});
