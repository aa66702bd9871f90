/**
 * geth's prestateTracer: the accounts and storage slots a transaction touched, as they were before
 * it ran; with `diffMode`, what it changed: `pre` (the modified accounts before, with only the slots
 * that changed) and `post` (only the changed fields after).
 *
 * The tracer records what is touched while the transaction runs (sender, recipient, coinbase, every
 * message's caller and callee, created contracts, SLOAD/SSTORE slots, and addresses read by BALANCE,
 * EXTCODE*, SELFDESTRUCT), then reads the post-state, rolls the run back and reads the pre-state.
 * Reading afterwards rather than at first touch keeps it exact: some changes (the sender's nonce and
 * gas, a value transfer) happen before any opcode the tracer sees.
 */
import type { EVMResult, InterpreterStep, Message } from "@ethereumjs/evm";
import { bytesToHex, createAddressFromString, setLengthLeft, type Address } from "@ethereumjs/util";
import type { ExecutionState } from "../executionState.ts";
import type { TracedOutcome, TracedTransaction, TxTracer } from "./traceConfig.ts";
import type { Hex } from "../../types.ts";

/** One account in geth's prestate shape (fields absent when zero / empty). */
export interface PrestateAccount {
  balance?: bigint;
  nonce?: bigint;
  code?: Hex;
  storage?: Record<Hex, Hex>;
}

export type Prestate = Record<Hex, PrestateAccount>;
export type PrestateTrace = Prestate | { pre: Prestate; post: Prestate };

const ADDRESS_READERS = new Set(["BALANCE", "EXTCODESIZE", "EXTCODECOPY", "EXTCODEHASH", "SELFDESTRUCT"]);
const ZERO_WORD = `0x${"00".repeat(32)}` as Hex;

interface Snapshot {
  exists: boolean;
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<Hex, Hex>;
}

export class PrestateTracer implements TxTracer<PrestateTrace> {
  readonly needsUndo = true;
  /** Touched addresses (lowercase hex) with the slots touched in each. */
  private readonly touched = new Map<Hex, Set<Hex>>();
  private readonly created = new Set<Hex>();

  constructor(
    transaction: TracedTransaction,
    private readonly diffMode = false,
  ) {
    for (const address of [transaction.from, transaction.to, transaction.coinbase]) if (address !== undefined) this.touch(address);
  }

  step(step: InterpreterStep): void {
    const name = step.opcode.name;
    const top = step.stack[step.stack.length - 1];
    if (top === undefined) return;
    if (name === "SLOAD" || name === "SSTORE") {
      this.touch(step.address.toString(), `0x${top.toString(16).padStart(64, "0")}` as Hex);
    } else if (ADDRESS_READERS.has(name)) {
      this.touch(`0x${(top & ((1n << 160n) - 1n)).toString(16).padStart(40, "0")}`);
    }
  }

  enter(message: Message): void {
    this.touch(message.caller.toString());
    if (message.to !== undefined) this.touch(message.to.toString());
  }

  exit(result: EVMResult): void {
    if (result.createdAddress !== undefined && result.execResult.exceptionError === undefined) {
      const address = result.createdAddress.toString().toLowerCase() as Hex;
      this.created.add(address);
      this.touch(address);
    }
  }

  async result(_outcome: TracedOutcome, state: ExecutionState, undo: () => Promise<void>): Promise<PrestateTrace> {
    const post = this.diffMode ? await this.read(state) : undefined;
    await undo();
    const pre = await this.read(state);
    if (post === undefined) {
      const result: Prestate = {};
      for (const [address, snapshot] of pre) {
        // A contract the transaction created had no state before it: geth leaves it out.
        if (this.created.has(address) && !snapshot.exists) continue;
        result[address] = accountJson(snapshot, false);
      }
      return result;
    }
    return diff(pre, post);
  }

  private touch(address: string, slot?: Hex): void {
    const key = address.toLowerCase() as Hex;
    let slots = this.touched.get(key);
    if (slots === undefined) {
      slots = new Set();
      this.touched.set(key, slots);
    }
    if (slot !== undefined) slots.add(slot);
  }

  private async read(state: ExecutionState): Promise<Map<Hex, Snapshot>> {
    const manager = state.stateManager;
    const snapshots = new Map<Hex, Snapshot>();
    for (const [address, slots] of this.touched) {
      const at: Address = createAddressFromString(address);
      const account = await manager.getAccount(at);
      const storage = new Map<Hex, Hex>();
      for (const slot of slots) {
        const value = await manager.getStorage(at, setLengthLeft(Buffer.from(slot.slice(2), "hex"), 32));
        storage.set(slot, bytesToHex(setLengthLeft(value, 32)) as Hex);
      }
      snapshots.set(address, {
        exists: account !== undefined,
        balance: account?.balance ?? 0n,
        nonce: account?.nonce ?? 0n,
        code: account === undefined ? new Uint8Array() : await manager.getCode(at),
        storage,
      });
    }
    return snapshots;
  }
}

function accountJson(snapshot: Snapshot, onlyNonZeroSlots: boolean, slots?: Iterable<Hex>): PrestateAccount {
  const json: PrestateAccount = { balance: snapshot.balance };
  if (snapshot.nonce !== 0n) json.nonce = snapshot.nonce;
  if (snapshot.code.length > 0) json.code = bytesToHex(snapshot.code) as Hex;
  const storage: Record<Hex, Hex> = {};
  for (const slot of slots ?? snapshot.storage.keys()) {
    const value = snapshot.storage.get(slot)!;
    if (onlyNonZeroSlots && value === ZERO_WORD) continue;
    storage[slot] = value;
  }
  if (Object.keys(storage).length > 0) json.storage = storage;
  return json;
}

/** geth's diff mode: accounts that changed, before (whole account, changed non-empty slots) and after (changed fields only). */
function diff(pre: Map<Hex, Snapshot>, post: Map<Hex, Snapshot>): { pre: Prestate; post: Prestate } {
  const result = { pre: {} as Prestate, post: {} as Prestate };
  for (const [address, before] of pre) {
    const after = post.get(address)!;
    const changedSlots = [...before.storage.keys()].filter((slot) => before.storage.get(slot) !== after.storage.get(slot));
    const changed: PrestateAccount = {};
    if (after.balance !== before.balance) changed.balance = after.balance;
    if (after.nonce !== before.nonce) changed.nonce = after.nonce;
    if (bytesToHex(after.code) !== bytesToHex(before.code)) changed.code = bytesToHex(after.code) as Hex;
    const newSlots: Record<Hex, Hex> = {};
    for (const slot of changedSlots) if (after.storage.get(slot) !== ZERO_WORD) newSlots[slot] = after.storage.get(slot)!;
    if (Object.keys(newSlots).length > 0) changed.storage = newSlots;
    const modified = changedSlots.length > 0 || Object.keys(changed).length > 0;
    if (!modified) continue;
    // A deleted (self-destructed) account is only in `pre`; a created one only in `post`.
    if (after.exists) result.post[address] = changed;
    if (before.exists) result.pre[address] = accountJson(before, true, changedSlots);
  }
  return result;
}

