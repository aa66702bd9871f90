import { NextResponse } from "next/server";
import { chainState } from "../../../appLib/chain.ts";
import { deployedAddresses } from "../../../appLib/deployment.ts";
import { errorResponse } from "../../../appLib/apiErrors.ts";

/** Liveness and what the app is connected to (the devnet waits for this before printing its URL). */
export async function GET() {
  try {
    const [{ chain }, addresses] = await Promise.all([chainState(), deployedAddresses()]);
    return NextResponse.json({ ok: true, chainId: chain.id, governor: addresses.governor });
  } catch (error) {
    return errorResponse(error);
  }
}
