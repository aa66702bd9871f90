import "server-only";
/**
 * The signed-in session: an iron-session cookie (encrypted and authenticated with the configured
 * secret, httpOnly, SameSite=Lax, Secure over HTTPS) holding the address that proved itself with
 * Sign-In with Ethereum and the chain it signed in on.
 */
import { cookies } from "next/headers";
import { getIronSession, type SessionOptions } from "iron-session";
import { getAddress, type Address } from "viem";
import { ApiError } from "./apiErrors.ts";
import { appConfig } from "./config.ts";
import { chainState } from "./chain.ts";

export interface SessionData {
  address?: Address;
  chainId?: number;
  /** Unix ms. */
  signedInAt?: number;
}

export const SESSION_COOKIE = "concord_session";
/** A session lasts a day; SIWE messages themselves expire much sooner. */
export const SESSION_TTL_SECONDS = 24 * 60 * 60;

function sessionOptions(secure: boolean): SessionOptions {
  return {
    password: appConfig().sessionSecret,
    cookieName: SESSION_COOKIE,
    ttl: SESSION_TTL_SECONDS,
    cookieOptions: { httpOnly: true, sameSite: "lax", secure, path: "/" },
  };
}

function isHttps(request: Request | undefined): boolean {
  if (request === undefined) return false;
  const forwarded = request.headers.get("x-forwarded-proto");
  return (forwarded ?? new URL(request.url).protocol.replace(":", "")) === "https";
}

export async function getSession(request?: Request) {
  return getIronSession<SessionData>(await cookies(), sessionOptions(isHttps(request)));
}

/** The signed-in address on this app's chain, or undefined. */
export async function sessionAddress(request?: Request): Promise<Address | undefined> {
  const session = await getSession(request);
  if (session.address === undefined) return undefined;
  const { chain } = await chainState();
  return session.chainId === chain.id ? getAddress(session.address) : undefined;
}

/**
 * The signed-in address, refusing the request if there is none, or if `actingFor` (the account the
 * request acts for) is someone else.
 */
export async function requireSession(request: Request, actingFor?: Address): Promise<Address> {
  const address = await sessionAddress(request);
  if (address === undefined) throw new ApiError(401, "NOT_SIGNED_IN", "sign in with your wallet first (Sign-In with Ethereum)");
  if (actingFor !== undefined && getAddress(actingFor) !== address) {
    throw new ApiError(403, "WRONG_ACCOUNT", `you are signed in as ${address}, but this request acts for ${getAddress(actingFor)}: sign in with that account`);
  }
  return address;
}
