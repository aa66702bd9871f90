import { NextResponse } from "next/server";
import { getAddress, isAddress, isHex, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { ApiError, assertSameOrigin, errorResponse, jsonBody } from "../../../../appLib/apiErrors.ts";
import { ballotTypedData, governorDomain } from "../../../../appLib/ballot.ts";
import { chainState, governance } from "../../../../appLib/chain.ts";
import { appConfig } from "../../../../appLib/config.ts";
import { describeError } from "../../../../appLib/errorWords.ts";
import { sharedLimiter } from "../../../../appLib/rateLimit.ts";
import { accountFromKey, withSender } from "../../../../appLib/serverWallet.ts";
import { requireSession } from "../../../../appLib/session.ts";
import { tokenInfo } from "../../../../appLib/governance.ts";

const MAX_REASON_LENGTH = 2000;

/** Signatures this server has relayed (a second submission of one is named as a replay). */
const relayedKey = Symbol.for("concord.app.relayedBallots");
function relayedBallots(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  holder[relayedKey] ??= new Set();
  return holder[relayedKey];
}

/**
 * Gasless voting: the voter signs the Governor's EIP-712 ballot, the server pays the gas. The voter
 * must be signed in as the ballot's voter; relays are rate limited per address; the ballot is checked
 * (signature, nonce, the vote itself in a simulation) before the relay spends anything.
 */
export async function POST(request: Request) {
  try {
    assertSameOrigin(request);
    const config = appConfig();
    if (config.relayerKey === undefined) throw new ApiError(503, "RELAY_DISABLED", "gasless voting is off on this server (no CONCORD_RELAYER_KEY): vote with a transaction");
    const body = await jsonBody(request);
    const voter = parseVoter(body.voter);
    await requireSession(request, voter);
    const proposalId = parseProposalId(body.proposalId);
    const support = body.support;
    if (support !== 0 && support !== 1 && support !== 2) throw new ApiError(400, "INVALID_SUPPORT", "support must be 0 (Against), 1 (For) or 2 (Abstain)");
    const reason = typeof body.reason === "string" ? body.reason : "";
    if (reason.length > MAX_REASON_LENGTH) throw new ApiError(400, "REASON_TOO_LONG", `a reason is at most ${MAX_REASON_LENGTH} characters`);
    const signature = body.signature;
    if (typeof signature !== "string" || !isHex(signature) || signature.length !== 132) {
      throw new ApiError(400, "INVALID_SIGNATURE", "the ballot's signature must be 65 bytes of 0x-hex");
    }

    const relayed = relayedBallots();
    const fingerprint = signature.toLowerCase();
    if (relayed.has(fingerprint)) throw new ApiError(409, "BALLOT_REPLAYED", "this signed ballot was already relayed: a ballot counts once");

    const wait = sharedLimiter("relay", config.relayRateLimit).take(voter);
    if (wait > 0) {
      throw new ApiError(429, "RATE_LIMITED", `too many relayed votes from ${voter}: at most ${config.relayRateLimit.limit} per ${config.relayRateLimit.windowMs / 1000} s; try again in ${Math.ceil(wait / 1000)} s`);
    }

    const { client, contracts } = await governance();
    const { chain } = await chainState();
    const [domainAnswer, nonce, code] = await Promise.all([
      client.readContract({ ...contracts.governor, functionName: "eip712Domain" }),
      client.readContract({ ...contracts.governor, functionName: "nonces", args: [voter] }),
      client.getCode({ address: voter }),
    ]);
    const domain = governorDomain(domainAnswer);
    // An account with code is a contract wallet: the Governor asks it (ERC-1271); the simulation below checks.
    if (code === undefined || code === "0x") {
      const signer = await recoverTypedDataAddress({ ...ballotTypedData(domain, { proposalId, support, voter, nonce, reason }), signature: signature as Hex });
      if (signer !== voter) {
        const previous = nonce === 0n ? undefined : await recoverTypedDataAddress({ ...ballotTypedData(domain, { proposalId, support, voter, nonce: nonce - 1n, reason }), signature: signature as Hex });
        if (previous === voter) throw new ApiError(409, "BALLOT_REPLAYED", "this ballot's signature was already used on chain (its nonce is spent)");
        throw new ApiError(400, "INVALID_SIGNATURE", `the ballot was not signed by ${voter} for this proposal, vote and reason (nonce ${nonce})`);
      }
    }

    relayed.add(fingerprint);
    const relayer = accountFromKey(config.relayerKey);
    const call = {
      ...contracts.governor,
      functionName: "castVoteWithReasonAndParamsBySig",
      args: [proposalId, support, voter, reason, "0x", signature as Hex],
    } as const;
    try {
      await client.simulateContract({ ...call, account: relayer, blockTag: "pending" });
    } catch (error) {
      relayed.delete(fingerprint);
      const token = await tokenInfo();
      throw new ApiError(409, "VOTE_REFUSED", describeError(error, { token, chainId: chain.id }).message);
    }
    const hash = await withSender(relayer, (wallet) => wallet.writeContract({ ...call, account: relayer, chain }));
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
    if (receipt.status !== "success") throw new ApiError(502, "RELAY_FAILED", `the relayed vote failed on chain (transaction ${hash})`);
    return NextResponse.json({ hash, blockNumber: receipt.blockNumber.toString() });
  } catch (error) {
    return errorResponse(error);
  }
}

function parseVoter(value: unknown): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) throw new ApiError(400, "INVALID_VOTER", "voter must be an address");
  return getAddress(value);
}

function parseProposalId(value: unknown): bigint {
  if (typeof value !== "string" || !/^\d{1,78}$/.test(value)) throw new ApiError(400, "INVALID_PROPOSAL_ID", "proposalId must be a decimal string");
  return BigInt(value);
}
