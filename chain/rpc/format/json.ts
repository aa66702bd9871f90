/** Plain JSON for values the backend hands over as bigints and bytes (traces, concord_*). */
import { bytesToHex, quantity } from "../hex.ts";

export function toJsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return quantity(value);
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (typeof value === "object" && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = toJsonValue(entry);
    return result;
  }
  return value;
}
