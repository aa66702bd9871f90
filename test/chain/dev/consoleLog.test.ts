/**
 * Solidity's console.log on a running node, as Hardhat's node prints it: the lines of a committed
 * transaction (with its hash), of an eth_call, and of an eth_estimateGas (once, not per probe).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Interface } from "ethers";
import type { ConsoleOutput } from "../../../chain/execution/consoleLog.ts";
import { call } from "../rpc/helpers/rpcClient.ts";
import { compileSolidity } from "../rpc/helpers/counterContract.ts";
import { sendSigned, waitForReceipt } from "../rpc/helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import "hardhat/console.sol";

contract Greeter {
    uint256 public greetings;

    function greet(string calldata name) external returns (uint256) {
        greetings += 1;
        console.log("hello %s, greeting number %d", name, greetings);
        console.log(msg.sender);
        return greetings;
    }
}
`;

function compileGreeter(): { abi: unknown[]; bytecode: string } {
  return compileSolidity("Greeter.sol", SOURCE).Greeter!;
}

let devnet: DevNode;
let greeter: string;
const outputs: ConsoleOutput[] = [];
const iface = () => new Interface(compileGreeter().abi as string[]);

before(async () => {
  devnet = await startDevNode({ consoleLog: (output) => outputs.push(output) });
  const { bytecode } = compileGreeter();
  const receipt = await waitForReceipt(devnet.url, await sendSigned(devnet.url, DEV[0]!.key, { data: bytecode, gasLimit: 1_000_000n }));
  greeter = receipt.contractAddress as string;
});
after(() => devnet.close());

describe("console.log", () => {
  it("prints a committed transaction's lines with its hash", async () => {
    outputs.length = 0;
    const hash = await sendSigned(devnet.url, DEV[1]!.key, { to: greeter, data: iface().encodeFunctionData("greet", ["Ada"]), gasLimit: 200_000n });
    await waitForReceipt(devnet.url, hash);
    assert.deepEqual(outputs, [{ source: "transaction", txHash: hash, lines: ["hello Ada, greeting number 1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"] }]);
  });

  it("prints an eth_call's lines, and an estimate's once", async () => {
    outputs.length = 0;
    const data = iface().encodeFunctionData("greet", ["Bob"]);
    await call(devnet.url, "eth_call", [{ from: DEV[2]!.address, to: greeter, data }, "latest"]);
    await call(devnet.url, "eth_estimateGas", [{ from: DEV[2]!.address, to: greeter, data }]);
    assert.deepEqual(outputs, [
      { source: "eth_call", lines: ["hello Bob, greeting number 2", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"] },
      { source: "eth_estimateGas", lines: ["hello Bob, greeting number 2", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"] },
    ]);
  });
});
