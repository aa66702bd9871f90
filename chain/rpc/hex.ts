import type { Hex } from "../types.ts";
/** Ethereum JSON-RPC hex encodings: quantities without leading zeros, data as even-length bytes. */

export function quantity(value: bigint | number): Hex {
  const big = typeof value === "bigint" ? value : BigInt(value);
  if (big < 0n) throw new RangeError(`a quantity cannot be negative: ${big}`);
  return `0x${big.toString(16)}`;
}

export function bytesToHex(bytes: Uint8Array): Hex {
  // Buffer's hex encoder is native: this is on the hot path of every block and receipt.
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

export function hexToBytes(hex: string): Uint8Array {
  const body = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  return new Uint8Array(Buffer.from(body, "hex"));
}

/** A 32-byte word as hex, left-padded (storage slots and values). */
export function word(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, "0")}`;
}
