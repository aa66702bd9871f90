import { NextResponse } from "next/server";
import { assertSameOrigin, errorResponse, jsonBody } from "../../../../appLib/apiErrors.ts";
import { chainState } from "../../../../appLib/chain.ts";
import { appConfig } from "../../../../appLib/config.ts";
import { appOrigin } from "../../../../appLib/requestOrigin.ts";
import { getSession } from "../../../../appLib/session.ts";
import { verifySignIn } from "../../../../appLib/siweAuth.ts";

/** Checks a signed EIP-4361 message and starts the session; every refusal names what failed. */
export async function POST(request: Request) {
  try {
    assertSameOrigin(request);
    const body = await jsonBody(request);
    const { origin, host } = appOrigin(request);
    const { chain } = await chainState();
    const address = await verifySignIn(body.message, body.signature, { domain: host, origin, chainId: chain.id, rpcUrl: appConfig().rpcUrl });
    const session = await getSession(request);
    session.address = address;
    session.chainId = chain.id;
    session.signedInAt = Date.now();
    await session.save();
    return NextResponse.json({ address, chainId: chain.id });
  } catch (error) {
    return errorResponse(error);
  }
}
