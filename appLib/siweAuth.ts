import "server-only";
/**
 * Sign-In with Ethereum (EIP-4361) on the server: single-use nonces, and the checks a sign-in message
 * must pass, each refusal saying which one failed. The `siwe` package parses the message and makes
 * the final verification (signature by the address, or ERC-1271 `isValidSignature` through the
 * chain for a contract wallet).
 */
import { createHash, randomBytes } from "node:crypto";
import { JsonRpcProvider } from "ethers";
import { SiweMessage, SiweErrorType, type SiweError } from "siwe";
import { getAddress, type Address } from "viem";
import { ApiError } from "./apiErrors.ts";

/** A nonce must be used within this long of being issued. */
export const NONCE_TTL_MS = 10 * 60 * 1000;
/** Longest validity a sign-in message may claim (issued-at to expiration). */
export const MAX_MESSAGE_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Tolerated clock difference between the wallet's machine and the server. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_OUTSTANDING_NONCES = 10_000;

interface NonceRecord {
  issuedAt: number;
  /** Set while a verification holding this nonce runs. */
  inUse: boolean;
  /** Hash of the message + signature that consumed it. */
  consumedBy: string | undefined;
}

/** Nonces this server issued, and the ones already used (kept to tell a replay from a reuse). */
export class NonceStore {
  readonly #nonces = new Map<string, NonceRecord>();

  issue(now = Date.now()): string {
    this.#sweep(now);
    // 128 bits, alphanumeric as EIP-4361 requires (at least 8 characters, [a-zA-Z0-9]).
    const nonce = randomBytes(16).toString("hex");
    this.#nonces.set(nonce, { issuedAt: now, inUse: false, consumedBy: undefined });
    return nonce;
  }

  get(nonce: string): NonceRecord | undefined {
    return this.#nonces.get(nonce);
  }

  #sweep(now: number): void {
    for (const [nonce, record] of this.#nonces) {
      // Consumed nonces are remembered for a message's whole possible lifetime (replays are named).
      const keep = record.consumedBy === undefined ? NONCE_TTL_MS : MAX_MESSAGE_LIFETIME_MS;
      if (record.issuedAt < now - keep) this.#nonces.delete(nonce);
    }
    while (this.#nonces.size >= MAX_OUTSTANDING_NONCES) this.#nonces.delete(this.#nonces.keys().next().value!);
  }
}

const storeKey = Symbol.for("concord.app.siweNonces");
export function nonceStore(): NonceStore {
  const holder = globalThis as unknown as Record<symbol, NonceStore | undefined>;
  holder[storeKey] ??= new NonceStore();
  return holder[storeKey];
}

export interface SignInExpectations {
  /** host[:port] the message must name (the app's). */
  domain: string;
  /** Origin the message's URI must be on. */
  origin: string;
  chainId: number;
  /** JSON-RPC endpoint for ERC-1271 checks. */
  rpcUrl: string;
  now?: number;
}

function refuse(code: string, message: string, status = 401): never {
  throw new ApiError(status, code, message);
}

/** Checks a signed sign-in message; returns the address it proves, and consumes its nonce. */
export async function verifySignIn(messageText: unknown, signature: unknown, expected: SignInExpectations, store = nonceStore()): Promise<Address> {
  if (typeof messageText !== "string" || messageText.length === 0 || messageText.length > 4096) {
    refuse("MALFORMED_MESSAGE", "the sign-in message is missing or too long", 400);
  }
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) refuse("MALFORMED_SIGNATURE", "the signature is missing or not 0x-hex", 400);
  let message: SiweMessage;
  try {
    message = new SiweMessage(messageText);
  } catch (error) {
    refuse("MALFORMED_MESSAGE", `the sign-in message is not an EIP-4361 message: ${String((error as Error).message ?? error)}`, 400);
  }
  const now = expected.now ?? Date.now();

  if (message.domain !== expected.domain) {
    refuse("WRONG_DOMAIN", `the message signs in to ${message.domain}, not to this app (${expected.domain})`);
  }
  let uriOrigin: string | undefined;
  try {
    uriOrigin = new URL(message.uri).origin;
  } catch {
    uriOrigin = undefined;
  }
  if (uriOrigin !== expected.origin) refuse("WRONG_URI", `the message's URI ${message.uri} is not on this app (${expected.origin})`);
  if (message.chainId !== expected.chainId) {
    refuse("WRONG_CHAIN", `the message is for chain ${message.chainId}, but this app runs on chain ${expected.chainId}`);
  }
  if (message.expirationTime === undefined) refuse("MISSING_EXPIRATION", "the message has no expiration time: this app accepts only messages that expire");
  const expiresAt = Date.parse(message.expirationTime);
  const issuedAt = Date.parse(message.issuedAt ?? "");
  if (!(expiresAt > now)) refuse("EXPIRED", `the message expired at ${message.expirationTime}: sign in again`);
  if (Number.isNaN(issuedAt) || issuedAt > now + CLOCK_SKEW_MS) refuse("NOT_YET_VALID", `the message is issued in the future (${message.issuedAt}): check your clock`);
  if (expiresAt - issuedAt > MAX_MESSAGE_LIFETIME_MS) refuse("EXPIRATION_TOO_FAR", "the message stays valid for more than a day: this app accepts shorter ones");
  if (message.notBefore !== undefined && Date.parse(message.notBefore) > now + CLOCK_SKEW_MS) {
    refuse("NOT_YET_VALID", `the message is not valid before ${message.notBefore}`);
  }

  const fingerprint = createHash("sha256").update(messageText).update("\0").update(signature.toLowerCase()).digest("hex");
  const record = store.get(message.nonce);
  if (record === undefined || (record.consumedBy === undefined && record.issuedAt < now - NONCE_TTL_MS)) {
    refuse("UNKNOWN_NONCE", "the message's nonce was not issued by this server, or is too old: sign in again");
  }
  if (record.consumedBy === fingerprint) refuse("REPLAYED_MESSAGE", "this signed message was already used to sign in: a sign-in message works once");
  if (record.consumedBy !== undefined) refuse("NONCE_REUSED", "the message's nonce was already used by another sign-in: ask for a new one");
  if (record.inUse) refuse("NONCE_REUSED", "the message's nonce is being used by another sign-in right now");

  record.inUse = true;
  try {
    const provider = new JsonRpcProvider(expected.rpcUrl, expected.chainId, { staticNetwork: true, batchMaxCount: 1 });
    try {
      const result = await message.verify(
        { signature, domain: expected.domain, nonce: message.nonce, time: new Date(now).toISOString() },
        { provider, suppressExceptions: true },
      );
      if (!result.success) {
        const error = result.error as SiweError | Error | undefined;
        if (error !== undefined && "type" in error && error.type !== SiweErrorType.INVALID_SIGNATURE) {
          refuse("INVALID_MESSAGE", `the message does not verify: ${error.type}`);
        }
        if (isUnreachable(error)) refuse("CHAIN_UNAVAILABLE", "cannot reach the chain to check a contract wallet's signature", 503);
        refuse("INVALID_SIGNATURE", `the signature was not made by ${message.address} (neither its key nor, for a contract wallet, ERC-1271 accepts it)`);
      }
    } finally {
      provider.destroy();
    }
    record.consumedBy = fingerprint;
    return getAddress(message.address);
  } finally {
    record.inUse = false;
  }
}

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ECONNREFUSED" || code === "NETWORK_ERROR" || code === "TIMEOUT";
}
