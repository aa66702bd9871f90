/** Amounts, durations, times and addresses as people read them. Browser-safe. */
import { formatUnits } from "viem";

/** 1234567.5 -> "1,234,567.5", trimmed to `maxFractionDigits`. */
export function formatAmount(value: bigint, decimals: number, maxFractionDigits = 4): string {
  const negative = value < 0n;
  const [whole, fraction = ""] = formatUnits(negative ? -value : value, decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmedFraction = fraction.slice(0, maxFractionDigits).replace(/0+$/, "");
  return `${negative ? "-" : ""}${grouped}${trimmedFraction === "" ? "" : `.${trimmedFraction}`}`;
}

export function formatToken(value: bigint, token: { decimals: number; symbol: string }): string {
  return `${formatAmount(value, token.decimals)} ${token.symbol}`;
}

export function formatEth(wei: bigint): string {
  return `${formatAmount(wei, 18)} ETH`;
}

const UNITS: [number, string][] = [
  [86_400, "day"],
  [3_600, "hour"],
  [60, "minute"],
  [1, "second"],
];

/** 3660 -> "1 hour 1 minute"; at most two units, the largest first. */
export function formatDuration(seconds: bigint | number): string {
  let rest = Number(seconds);
  if (rest === 0) return "0 seconds";
  const parts: string[] = [];
  for (const [size, name] of UNITS) {
    if (rest >= size && parts.length < 2) {
      const count = Math.floor(rest / size);
      rest -= count * size;
      parts.push(`${count} ${name}${count === 1 ? "" : "s"}`);
    }
  }
  return parts.join(" ");
}

/** "in 4 minutes" / "3 hours ago", relative to `now` (both Unix seconds). */
export function formatRelative(timestamp: bigint | number, now: bigint | number): string {
  const delta = Number(timestamp) - Number(now);
  if (Math.abs(delta) < 1) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** A Unix time as an unambiguous UTC date and time: "2026-11-26 14:05:09 UTC". */
export function formatUtc(timestamp: bigint | number): string {
  return `${new Date(Number(timestamp) * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export function shortHash(hash: string): string {
  return `${hash.slice(0, 10)}…${hash.slice(-6)}`;
}

/** Proposal ids are 256-bit hashes: shown shortened, always linked to their page. */
export function shortProposalId(id: bigint | string): string {
  const text = id.toString();
  return text.length > 12 ? `${text.slice(0, 6)}…${text.slice(-4)}` : text;
}

/** Basis points of `part` in `whole`, as a percentage with one decimal ("42.5%"). */
export function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) return "0%";
  const tenths = (part * 1000n) / whole;
  return `${tenths / 10n}.${tenths % 10n}%`;
}
