/**
 * The Governor's EIP-712 ballot (OpenZeppelin's ExtendedBallot: a vote with a reason), signed by the
 * voter in the browser and relayed by the server through castVoteWithReasonAndParamsBySig.
 * Browser-safe.
 */
import type { Address, Hex, TypedDataDomain } from "viem";

export const EXTENDED_BALLOT_TYPES = {
  ExtendedBallot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "params", type: "bytes" },
  ],
} as const;

export interface Ballot {
  proposalId: bigint;
  /** 0 Against, 1 For, 2 Abstain (GovernorCountingSimple). */
  support: number;
  voter: Address;
  nonce: bigint;
  reason: string;
}

export const SUPPORT_NAMES = ["Against", "For", "Abstain"] as const;

export function ballotTypedData(domain: TypedDataDomain, ballot: Ballot) {
  return {
    domain,
    types: EXTENDED_BALLOT_TYPES,
    primaryType: "ExtendedBallot" as const,
    message: { ...ballot, params: "0x" as Hex },
  };
}

/** The Governor's EIP-712 domain from its eip712Domain() answer (ERC-5267). */
export function governorDomain(answer: readonly [Hex, string, string, bigint, Address, Hex, readonly bigint[]]): TypedDataDomain {
  const [, name, version, chainId, verifyingContract] = answer;
  return { name, version, chainId, verifyingContract };
}
