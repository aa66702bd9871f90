import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BaseError, ContractFunctionRevertedError, encodeErrorResult, InsufficientFundsError, pad, parseEther, toHex, UserRejectedRequestError, type Hex } from "viem";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { ApiRequestError, describeError } from "../../appLib/errorWords.ts";

const token = { symbol: "CORD", decimals: 18 };
const proposer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function revert(data: Hex) {
  return new ContractFunctionRevertedError({ abi: contractAbis.ConcordGovernor, data, functionName: "propose" });
}

describe("errors in words", () => {
  it("a rejected request, from viem or straight from a wallet (EIP-1193 code 4001)", () => {
    assert.equal(describeError(new UserRejectedRequestError(new Error("no"))).kind, "rejected");
    assert.match(describeError({ code: 4001, message: "User rejected" }).message, /You rejected the request in your wallet/);
  });

  it("a Governor custom error decoded from the revert data, amounts in tokens", () => {
    const data = encodeErrorResult({ abi: contractAbis.ConcordGovernor, errorName: "GovernorInsufficientProposerVotes", args: [proposer, 0n, parseEther("1000")] });
    const words = describeError(new BaseError("call failed", { cause: revert(data) }), { token });
    assert.equal(words.kind, "revert");
    assert.match(words.message, /^You have 0 CORD of voting power, but creating a proposal needs 1,000 CORD\./);
  });

  it("a proposal in the wrong state names both states", () => {
    const data = encodeErrorResult({ abi: contractAbis.ConcordGovernor, errorName: "GovernorUnexpectedProposalState", args: [1n, 1, pad(toHex(0b10000), { size: 32 })] });
    assert.equal(describeError(revert(data)).message, "This proposal is Active; this needs it to be Succeeded.");
  });

  it("revert data found deep in a wallet's error, even without viem's decoding", () => {
    const data = encodeErrorResult({ abi: contractAbis.ConcordToken, errorName: "ERC20InsufficientBalance", args: [proposer, parseEther("5"), parseEther("100")] });
    const words = describeError({ message: "execution reverted", cause: { code: 3, data } }, { token });
    assert.match(words.message, /holds only 5 CORD, but 100 CORD is needed/);
  });

  it("an unknown custom error is named with its arguments", () => {
    const data = encodeErrorResult({ abi: contractAbis.ConcordToken, errorName: "ERC20InvalidSpender", args: [proposer] });
    assert.equal(describeError(revert(data)).message, `The contract refused: ERC20InvalidSpender(${proposer}).`);
  });

  it("insufficient funds, and the app's own API refusals", () => {
    assert.equal(describeError(new InsufficientFundsError()).kind, "insufficient-funds");
    assert.match(describeError(new Error("insufficient funds for gas * price + value")).message, /not have enough ETH/);
    assert.equal(describeError(new ApiRequestError(429, "RATE_LIMITED", "too many relayed votes")).message, "Too many relayed votes.");
  });
});
