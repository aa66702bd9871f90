/**
 * EIP-712 typed data as it travels in JSON (eth_signTypedData_v4): integers arrive as strings or
 * numbers. This turns them back into bigints by their declared types, so viem hashes what was meant.
 */
import type { TypedDataDefinition } from "viem";

type Field = { name: string; type: string };
type Types = Record<string, readonly Field[]>;

export function typedDataFromJson(json: unknown): TypedDataDefinition {
  const data = (typeof json === "string" ? JSON.parse(json) : json) as {
    domain?: Record<string, unknown>;
    types?: Types;
    primaryType?: string;
    message?: Record<string, unknown>;
  };
  if (data === null || typeof data !== "object" || data.types === undefined || data.primaryType === undefined || data.message === undefined) {
    throw new TypeError("typed data needs types, primaryType and message");
  }
  const { EIP712Domain: _domainType, ...types } = data.types;
  const domain = { ...(data.domain ?? {}) };
  if (domain.chainId !== undefined) domain.chainId = BigInt(domain.chainId as string | number);
  return {
    domain,
    types,
    primaryType: data.primaryType,
    message: convert(data.primaryType, data.message, types) as Record<string, unknown>,
  } as TypedDataDefinition;
}

function convert(type: string, value: unknown, types: Types): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array !== null) return (value as unknown[]).map((item) => convert(array[1], item, types));
  const struct = types[type];
  if (struct !== undefined) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(struct.map((field) => [field.name, convert(field.type, object[field.name], types)]));
  }
  if (/^u?int\d*$/.test(type)) return BigInt(value as string | number);
  return value;
}
