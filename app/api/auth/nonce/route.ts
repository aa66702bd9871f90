import { NextResponse } from "next/server";
import { nonceStore } from "../../../../appLib/siweAuth.ts";

export const dynamic = "force-dynamic";

/** A fresh single-use nonce for a Sign-In with Ethereum message. */
export async function GET() {
  return NextResponse.json({ nonce: nonceStore().issue() }, { headers: { "cache-control": "no-store" } });
}
