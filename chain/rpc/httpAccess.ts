/**
 * Who may call the node from a browser: the defence against web pages that reach a developer's
 * node (dev methods move balances, revert snapshots, impersonate accounts).
 *
 * Non-browser clients (scripts, Hardhat, wallets' background pages) send no Origin and are not
 * affected. A request that carries an Origin is answered only when the origin is local
 * (http(s)://localhost, *.localhost, 127.0.0.1 or [::1], any port: the app and local dev servers),
 * a browser extension (MetaMask and other wallets call from chrome-extension:// or moz-extension://),
 * or listed with --http-corsdomain. The Host header is checked too (geth's --http.vhosts): a
 * DNS-rebinding page reaches 127.0.0.1 under its own domain name, so Host must be localhost, an IP
 * literal (rebinding needs a name) or a name listed with --http-vhosts. Hardhat's and Anvil's
 * nodes allow every origin; geth refuses by default, as here.
 */
import { isIP } from "node:net";

export interface HttpAccessOptions {
  /** Browser origins allowed besides local ones, exactly as browsers send them ("https://app.example"), or "*" for any. */
  corsDomains?: string[];
  /** Host names accepted besides localhost and IP literals, or "*" for any. */
  vhosts?: string[];
}

export type AccessDecision = { allowed: true; allowOrigin?: string } | { allowed: false; reason: string };

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);
const EXTENSION_SCHEMES = new Set(["chrome-extension:", "moz-extension:", "safari-web-extension:"]);

export class HttpAccessPolicy {
  readonly #corsDomains: ReadonlySet<string>;
  readonly #vhosts: ReadonlySet<string>;

  constructor(options: HttpAccessOptions = {}) {
    this.#corsDomains = new Set((options.corsDomains ?? []).map((origin) => origin.replace(/\/+$/, "").toLowerCase()));
    this.#vhosts = new Set((options.vhosts ?? []).map((host) => host.toLowerCase()));
  }

  /** Whether to answer a request with these headers, and the Access-Control-Allow-Origin to send. */
  check(headers: { host?: string; origin?: string }): AccessDecision {
    if (headers.host !== undefined && !this.#hostAllowed(headers.host)) {
      return {
        allowed: false,
        reason: `host '${headers.host}' is not allowed: the node answers requests for localhost and IP addresses; start it with --http-vhosts ${hostName(headers.host)} to allow this name`,
      };
    }
    const origin = headers.origin;
    if (origin === undefined) return { allowed: true };
    if (this.originAllowed(origin)) return { allowed: true, allowOrigin: origin };
    return {
      allowed: false,
      reason: `origin '${origin}' is not allowed: only local pages, wallet extensions and origins listed with --http-corsdomain may call the node; start it with --http-corsdomain ${origin} to allow this page`,
    };
  }

  originAllowed(origin: string): boolean {
    if (this.#corsDomains.has("*") || this.#corsDomains.has(origin.toLowerCase())) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (file:// pages, sandboxed frames) and garbage
    }
    if (EXTENSION_SCHEMES.has(url.protocol)) return true;
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    return isLocalName(url.hostname);
  }

  #hostAllowed(host: string): boolean {
    if (this.#vhosts.has("*")) return true;
    const name = hostName(host);
    if (isLocalName(name) || isIP(name.replace(/^\[|\]$/g, "")) !== 0) return true;
    return this.#vhosts.has(name);
  }
}

/** The name part of a Host header ("[::1]:8545" -> "[::1]", "Example.com:80" -> "example.com"). */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(0, lower.indexOf("]") + 1);
  const colon = lower.lastIndexOf(":");
  return colon === -1 ? lower : lower.slice(0, colon);
}

function isLocalName(name: string): boolean {
  return LOCAL_NAMES.has(name) || name.endsWith(".localhost");
}
