import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, parseEther, zeroAddress, type Address } from "viem";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { ActionInputError, describeAction, encodeAction, functionsOf, type ActionContext } from "../../appLib/proposalActions.ts";
import { parseProposalDescription, proposalDescription, proposalMarkdown } from "../../appLib/proposalDescription.ts";

const context: ActionContext = {
  governor: getAddress("0xdc64a140aa3e981100a9beca4e685f962f0cf6c9"),
  timelock: getAddress("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"),
  token: { address: getAddress("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"), symbol: "CORD", decimals: 18 },
};
const alice: Address = getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

function words(action: Parameters<typeof describeAction>[0]) {
  return describeAction(action, context).summary;
}

describe("proposal actions: encoded from the form, decoded into words", () => {
  it("a treasury token transfer", () => {
    const action = encodeAction({ kind: "token", token: context.token.address, recipient: alice.toLowerCase(), amount: "1,250.5", decimals: 18 }, context);
    assert.equal(action.target, context.token.address);
    assert.equal(action.value, 0n);
    assert.equal(action.calldata, encodeFunctionData({ abi: contractAbis.ConcordToken, functionName: "transfer", args: [alice, parseEther("1250.5")] }));
    assert.equal(words(action), `Transfer 1,250.5 CORD from the treasury to ${alice}`);
  });

  it("a treasury ETH transfer", () => {
    const action = encodeAction({ kind: "eth", recipient: alice, amount: "0.25" }, context);
    assert.deepEqual(action, { target: alice, value: parseEther("0.25"), calldata: "0x" });
    assert.equal(words(action), `Send 0.25 ETH from the treasury to ${alice}`);
  });

  it("each Governor setting, in its own unit", () => {
    const cases = [
      [{ setting: "votingPeriod", value: "3660" }, "Set the voting period to 1 hour 1 minute"],
      [{ setting: "votingDelay", value: "1" }, "Set the voting delay to 1 second"],
      [{ setting: "proposalThreshold", value: "5000" }, "Set the proposal threshold to 5,000 CORD"],
      [{ setting: "quorumNumerator", value: "10" }, "Set the quorum to 10% of the token supply"],
      [{ setting: "lateQuorumExtension", value: "120" }, "Set the late-quorum extension to 2 minutes"],
    ] as const;
    for (const [draft, expected] of cases) {
      const action = encodeAction({ kind: "setting", ...draft }, context);
      assert.equal(action.target, context.governor);
      assert.equal(words(action), expected);
    }
  });

  it("an arbitrary call from a human-readable ABI, with typed arguments", () => {
    const abi = "function setGreeting(string greeting, uint256 times)\nfunction greeting() view returns (string)";
    const functions = functionsOf(abi);
    assert.deepEqual(functions.map((fn) => fn.name), ["setGreeting"], "view functions are not offered as actions");
    const action = encodeAction({ kind: "call", target: alice, value: "1", abi, functionSignature: "setGreeting(string,uint256)", args: ["hello", "3"] }, context);
    assert.equal(action.value, parseEther("1"));
    // The app does not know this contract's ABI: the page names the selector and says so.
    assert.match(words(action), new RegExp(`^Call ${alice} with function 0x[0-9a-f]{8} \\(not one the app knows.*sending 1 ETH from the treasury$`));
  });

  it("an arbitrary call from a JSON ABI that the app can decode (a known contract's function elsewhere)", () => {
    const abi = JSON.stringify(contractAbis.ConcordToken.filter((item) => item.type === "function" && item.name === "approve"));
    const action = encodeAction({ kind: "call", target: alice, value: "", abi, functionSignature: "approve(address,uint256)", args: [context.governor, "7"] }, context);
    assert.equal(words(action), `Call approve(${context.governor}, 7) on ${alice}`);
  });

  it("refuses bad input, naming the field", () => {
    const refuses = (draft: Parameters<typeof encodeAction>[0], field: string, message: RegExp) =>
      assert.throws(() => encodeAction(draft, context), (error: unknown) => error instanceof ActionInputError && error.field === field && message.test(error.message));
    refuses({ kind: "eth", recipient: "0x123", amount: "1" }, "recipient", /must be an address/);
    refuses({ kind: "eth", recipient: alice, amount: "0" }, "amount", /more than zero/);
    refuses({ kind: "eth", recipient: alice, amount: "1e18" }, "amount", /must be a number/);
    refuses({ kind: "setting", setting: "quorumNumerator", value: "101" }, "value", /at most 100/);
    refuses({ kind: "setting", setting: "votingPeriod", value: "-1" }, "value", /whole number/);
    refuses({ kind: "call", target: alice, value: "", abi: "function f(bool b)", functionSignature: "f(bool)", args: ["yes"] }, "args.0", /true or false/);
    refuses({ kind: "call", target: alice, value: "", abi: "function f(bool b)", functionSignature: "g()", args: [] }, "functionSignature", /choose a function/);
    assert.throws(() => functionsOf("function ("), (error: unknown) => error instanceof ActionInputError && error.field === "abi");
  });

  it("decodes the timelock's and Governor's own functions, and removing the guardian", () => {
    const guardian = encodeFunctionData({ abi: contractAbis.ConcordGovernor, functionName: "setProposalGuardian", args: [zeroAddress] });
    assert.equal(words({ target: context.governor, value: 0n, calldata: guardian }), "Remove the proposal guardian");
    const delay = encodeFunctionData({ abi: contractAbis.ConcordTimelock, functionName: "updateDelay", args: [86_400n] });
    assert.equal(words({ target: context.timelock, value: 0n, calldata: delay }), "Set the timelock delay to 1 day");
  });
});

describe("proposal descriptions", () => {
  it("put the Markdown, its CID and OpenZeppelin's proposer suffix on chain, and read them back", () => {
    const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
    const description = proposalDescription(" Fund the docs ", "## Why\n\nBecause.\n", cid, alice.toLowerCase() as Address);
    assert.equal(description, `# Fund the docs\n\n## Why\n\nBecause.\n\nipfs://${cid}\n#proposer=${alice}`);
    assert.deepEqual(parseProposalDescription(description), { title: "Fund the docs", body: "## Why\n\nBecause.", cid, proposer: alice });
    assert.equal(proposalMarkdown("Fund the docs", "## Why\n\nBecause."), "# Fund the docs\n\n## Why\n\nBecause.\n");
  });

  it("reads descriptions written by other tools: no CID, no suffix, no heading", () => {
    assert.deepEqual(parseProposalDescription("Just a sentence"), { title: "Just a sentence", body: "", cid: undefined, proposer: undefined });
    assert.equal(parseProposalDescription("").title, "Untitled proposal");
    assert.equal(parseProposalDescription(`# ${"x".repeat(200)}`).title.length, 118);
  });
});
