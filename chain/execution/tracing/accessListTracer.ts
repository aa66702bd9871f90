/**
 * eth_createAccessList's tracer (geth's AccessListTracer): the addresses and storage slots a call
 * touches, so that a transaction can declare them (EIP-2930) and pay the warm price. Slots are kept
 * for every contract (the recipient's too); addresses reached by BALANCE, EXTCODE*, SELFDESTRUCT and
 * calls are kept unless excluded: the sender, the recipient (or the contract being created) and the
 * precompiles, which are warm in every transaction anyway.
 */
import type { InterpreterStep } from "@ethereumjs/evm";
import type { Hex } from "../../types.ts";

export interface AccessListEntry {
  address: Hex;
  storageKeys: Hex[];
}

const ADDRESS_READERS = new Set(["EXTCODECOPY", "EXTCODEHASH", "EXTCODESIZE", "BALANCE", "SELFDESTRUCT"]);
const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);
const ADDRESS_MASK = (1n << 160n) - 1n;

export class AccessListTracer {
  /** address -> its slots. */
  private readonly entries = new Map<Hex, Set<Hex>>();

  constructor(
    start: readonly AccessListEntry[],
    private readonly excluded: ReadonlySet<Hex>,
  ) {
    for (const entry of start) {
      const address = entry.address.toLowerCase() as Hex;
      // geth drops the excluded addresses of the list it was given (a declared sender, say).
      if (this.excluded.has(address)) continue;
      this.addAddress(address);
      for (const key of entry.storageKeys) this.entries.get(address)!.add(key.toLowerCase() as Hex);
    }
  }

  step(step: InterpreterStep): void {
    const name = step.opcode.name;
    const stack = step.stack;
    if ((name === "SLOAD" || name === "SSTORE") && stack.length >= 1) {
      const address = step.address.toString().toLowerCase() as Hex;
      this.addAddress(address);
      this.entries.get(address)!.add(`0x${stack[stack.length - 1]!.toString(16).padStart(64, "0")}`);
    } else if (ADDRESS_READERS.has(name) && stack.length >= 1) {
      this.addIfIncluded(stack[stack.length - 1]!);
    } else if (CALLS.has(name) && stack.length >= 5) {
      this.addIfIncluded(stack[stack.length - 2]!);
    }
  }

  /** geth's order: addresses ascending, each one's slots ascending (lowercase hex of fixed width sorts as numbers). */
  list(): AccessListEntry[] {
    return [...this.entries]
      .map(([address, keys]) => ({ address, storageKeys: [...keys].sort() }))
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Same addresses and slots (order aside): the list stopped changing. */
  equals(other: AccessListTracer): boolean {
    if (other.entries.size !== this.entries.size) return false;
    for (const [address, keys] of this.entries) {
      const theirs = other.entries.get(address);
      if (theirs === undefined || theirs.size !== keys.size || [...keys].some((key) => !theirs.has(key))) return false;
    }
    return true;
  }

  private addIfIncluded(word: bigint): void {
    const address = `0x${(word & ADDRESS_MASK).toString(16).padStart(40, "0")}` as Hex;
    if (!this.excluded.has(address)) this.addAddress(address);
  }

  private addAddress(address: Hex): void {
    if (!this.entries.has(address)) this.entries.set(address, new Set());
  }
}
