import { NextResponse } from "next/server";
import { assertSameOrigin, errorResponse } from "../../../../appLib/apiErrors.ts";
import { getSession, sessionAddress } from "../../../../appLib/session.ts";

export const dynamic = "force-dynamic";

/** Who is signed in (address null when nobody is). */
export async function GET(request: Request) {
  try {
    const address = await sessionAddress(request);
    return NextResponse.json({ address: address ?? null }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}

/** Signs out: the session cookie is cleared. */
export async function DELETE(request: Request) {
  try {
    assertSameOrigin(request);
    const session = await getSession(request);
    session.destroy();
    return NextResponse.json({ address: null });
  } catch (error) {
    return errorResponse(error);
  }
}
