import { NextResponse } from "next/server";
import { parseEther } from "viem";
import { ApiError, assertSameOrigin, errorResponse } from "../../../appLib/apiErrors.ts";
import { chainState, governance, isDevnet } from "../../../appLib/chain.ts";
import { appConfig } from "../../../appLib/config.ts";
import { sharedLimiter } from "../../../appLib/rateLimit.ts";
import { accountFromKey, withSender } from "../../../appLib/serverWallet.ts";
import { requireSession } from "../../../appLib/session.ts";

/** What one faucet request sends: enough gas money to try everything, and tokens to vote with. */
const FAUCET_ETH = parseEther("10");
const FAUCET_TOKENS = parseEther("1000");

/** The devnet faucet: sends the signed-in account some ETH and governance tokens. Devnet only. */
export async function POST(request: Request) {
  try {
    assertSameOrigin(request);
    const { chain } = await chainState();
    if (!(await isDevnet())) throw new ApiError(403, "NOT_A_DEVNET", `the faucet exists only on a devnet; this app runs on chain ${chain.id}`);
    const config = appConfig();
    if (config.faucetKey === undefined) throw new ApiError(503, "FAUCET_DISABLED", "the faucet has no key configured (CONCORD_FAUCET_KEY)");
    const address = await requireSession(request);
    const wait = sharedLimiter("faucet", config.faucetRateLimit).take(address);
    if (wait > 0) throw new ApiError(429, "RATE_LIMITED", `the faucet already sent to ${address} recently: try again in ${Math.ceil(wait / 1000)} s`);
    const { contracts, client } = await governance();
    const faucet = accountFromKey(config.faucetKey);
    const [ethTx, tokenTx] = await withSender(faucet, async (wallet) => {
      const eth = await wallet.sendTransaction({ account: faucet, chain, to: address, value: FAUCET_ETH });
      const tokens = await wallet.writeContract({ account: faucet, chain, ...contracts.token, functionName: "transfer", args: [address, FAUCET_TOKENS] });
      return [eth, tokens];
    });
    const receipts = await Promise.all([ethTx, tokenTx].map((hash) => client.waitForTransactionReceipt({ hash, timeout: 60_000 })));
    if (receipts.some((receipt) => receipt.status !== "success")) throw new ApiError(502, "FAUCET_FAILED", "the faucet's transfer failed on chain");
    return NextResponse.json({ eth: FAUCET_ETH.toString(), tokens: FAUCET_TOKENS.toString(), transactions: [ethTx, tokenTx] });
  } catch (error) {
    return errorResponse(error);
  }
}
