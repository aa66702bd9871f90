/**
 * eth_createAccessList from viem, as a wallet or script uses it: the list of what a call touches
 * (the recipient's slots, another contract it calls and that contract's slots), the gas the call uses
 * with the list declared, which a transaction sent with that list then uses exactly.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPublicClient, createWalletClient, encodeFunctionData, http, type Abi, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { sendSigned, waitForReceipt } from "./helpers/testChain.ts";
import { compileSolidity } from "./helpers/counterContract.ts";
import { DEV, startDevNode, type DevNode } from "../dev/helpers/devNode.ts";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Store {
    mapping(uint256 => uint256) public values;
    function put(uint256 key, uint256 value) external { values[key] = value; }
}
contract Relay {
    Store public immutable store;
    uint256 public calls;
    constructor(Store store_) { store = store_; }
    function relay(uint256 key, uint256 value) external {
        calls += 1;
        store.put(key, value);
    }
    function fail() external pure { revert("no"); }
}
`;

function compile(): Record<string, { abi: Abi; bytecode: `0x${string}` }> {
  return compileSolidity("Relay.sol", SOURCE) as Record<string, { abi: Abi; bytecode: `0x${string}` }>;
}

let devnet: DevNode;
let store: Address;
let relay: Address;
const compiled = compile();

before(async () => {
  devnet = await startDevNode();
  const deploy = async (data: string) => (await waitForReceipt(devnet.url, await sendSigned(devnet.url, DEV[0]!.key, { data, gasLimit: 2_000_000n }))).contractAddress as Address;
  store = await deploy(compiled.Store!.bytecode);
  relay = await deploy(compiled.Relay!.bytecode + store.slice(2).padStart(64, "0"));
});
after(() => devnet.close());

async function rpc<T>(method: string, params: unknown[]): Promise<T> {
  const response = await fetch(devnet.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: T }).result;
}

const slot = (n: bigint) => `0x${n.toString(16).padStart(64, "0")}`;

describe("eth_createAccessList", () => {
  it("lists what the call touches, and a transaction sent with the list uses exactly the gas it says", async () => {
    const account = privateKeyToAccount(DEV[3]!.key as `0x${string}`);
    const client = createPublicClient({ chain: hardhat, transport: http(devnet.url) });
    const data = encodeFunctionData({ abi: compiled.Relay!.abi, functionName: "relay", args: [7n, 42n] });
    const { accessList, gasUsed } = await client.createAccessList({ account, to: relay, data });
    // The relay's counter (slot 0) and the store's mapping entry keccak(key . slot 0).
    const { keccak256, encodeAbiParameters } = await import("viem");
    const entry = keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [7n, 0n]));
    // geth's order: by address, whichever the call touched first.
    const expected = [
      { address: relay.toLowerCase(), storageKeys: [slot(0n)] },
      { address: store.toLowerCase(), storageKeys: [entry] },
    ].sort((a, b) => (a.address < b.address ? -1 : 1));
    assert.deepEqual(accessList, expected);

    const wallet = createWalletClient({ account, chain: hardhat, transport: http(devnet.url) });
    const hash = await wallet.sendTransaction({ to: relay, data, accessList, gas: gasUsed + 10_000n });
    const receipt = await client.getTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    assert.equal(receipt.gasUsed, gasUsed);
  });

  it("keeps what the request declared, sorted, except the sender, recipient and precompiles (as geth)", async () => {
    // viem's createAccessList does not pass a starting list on, so this one goes as JSON.
    const other = "0x00000000000000000000000000000000000000aa";
    const declared = [
      { address: DEV[3]!.address, storageKeys: [] },
      { address: "0x0000000000000000000000000000000000000001", storageKeys: [] },
      { address: other, storageKeys: [slot(9n), slot(2n)] },
    ];
    const data = encodeFunctionData({ abi: compiled.Relay!.abi, functionName: "calls" });
    const answer = await rpc<{ accessList: unknown[] }>("eth_createAccessList", [{ from: DEV[3]!.address, to: relay, data, accessList: declared }, "latest"]);
    assert.deepEqual(answer.accessList, [
      { address: other, storageKeys: [slot(2n), slot(9n)] },
      { address: relay.toLowerCase(), storageKeys: [slot(0n)] },
    ]);
  });

  it("reports a failing call's error beside the list", async () => {
    const data = encodeFunctionData({ abi: compiled.Relay!.abi, functionName: "fail" });
    const answer = await rpc<{ accessList: unknown[]; gasUsed: string; error?: string }>("eth_createAccessList", [{ from: DEV[3]!.address, to: relay, data }, "latest"]);
    assert.equal(answer.error, "execution reverted");
    assert.deepEqual(answer.accessList, []);
    assert.ok(BigInt(answer.gasUsed) > 21_000n);
  });
});
