/** Anvil's dump format, one account at a time: what anvil_loadState applies of an `accounts` map. */
import type { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { DevErrorCode, DevModeError } from "./errors.ts";
import type { AnvilAccount } from "./stateDump.ts";
import type { Hex } from "../types.ts";

export async function applyAnvilAccount(manager: MerkleStateManager, address: Hex, fields: AnvilAccount): Promise<void> {
  const at = createAddressFromString(address);
  const account = (await manager.getAccount(at)) ?? new Account();
  if (fields.nonce !== undefined) account.nonce = integer(fields.nonce, `${address}.nonce`);
  if (fields.balance !== undefined) account.balance = integer(fields.balance, `${address}.balance`);
  await manager.putAccount(at, account);
  if (fields.code !== undefined && fields.code !== "0x") await manager.putCode(at, bytes(fields.code, `${address}.code`));
  for (const [slot, value] of Object.entries(fields.storage ?? {})) {
    await manager.putStorage(at, word(slot, `${address}.storage key`), word(value, `${address}.storage[${slot}]`));
  }
}

function integer(value: number | string, where: string): bigint {
  try {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    if (typeof value === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) return BigInt(value);
  } catch {
    // refused below
  }
  throw new DevModeError(DevErrorCode.InvalidArgument, `not a state dump: ${where} is not a non-negative integer`);
}

function bytes(value: string, where: string): Uint8Array {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new DevModeError(DevErrorCode.InvalidArgument, `not a state dump: ${where} is not hex bytes`);
  return hexToBytes(value as Hex);
}

/** A storage key or value: up to 32 bytes of hex, left-padded (Anvil writes them unpadded). */
function word(value: string, where: string): Uint8Array {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) throw new DevModeError(DevErrorCode.InvalidArgument, `not a state dump: ${where} is not a 32-byte hex word`);
  const even = value.length % 2 === 0 ? value : `0x0${value.slice(2)}`;
  return setLengthLeft(hexToBytes(even as Hex), 32);
}
