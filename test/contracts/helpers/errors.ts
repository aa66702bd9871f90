// Shared assertions for contract tests that use node:test and ethers without chai.
// Custom errors are matched by decoding the revert data with the contract's own ABI, so a test
// states the exact error name and every argument, never a message substring.
import assert from "node:assert/strict";
import { Interface, Result, isHexString } from "ethers";
import type { InterfaceAbi, Log, TransactionReceipt } from "ethers";

/** Anything that carries an ABI: a contract instance, a factory, or an Interface itself. */
export type HasInterface = { interface: Interface } | Interface;

/** Matches any value in an expected argument list (e.g. a proposal id computed on chain). */
export const anyValue: unique symbol = Symbol("anyValue");

const ERROR_STRING_SELECTOR = "0x08c379a0"; // Error(string)
const PANIC_SELECTOR = "0x4e487b71"; // Panic(uint256)
const builtinErrors = new Interface(["error Error(string)", "error Panic(uint256)"]);

function toInterface(source: HasInterface | InterfaceAbi): Interface {
  if (source instanceof Interface) return source;
  if (typeof source === "object" && source !== null && "interface" in source && source.interface instanceof Interface) {
    return source.interface;
  }
  return Interface.from(source as InterfaceAbi);
}

/**
 * Finds the revert data in an error thrown by ethers or by the Hardhat/EDR provider underneath it.
 * Different layers nest it differently (`data`, `error.data`, `info.error.data`, `cause`), so the
 * search walks those fields a few levels deep and takes the first hex string found.
 */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (depth > 6 || value === null || typeof value !== "object" || seen.has(value)) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && isHexString(data)) return data;
    if (typeof data === "object" && data !== null) {
      const nested = (data as Record<string, unknown>).data;
      if (typeof nested === "string" && isHexString(nested)) return nested;
    }
    for (const key of ["error", "info", "cause", "data"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** Turns ethers Results, numbers and addresses into plain comparable values. */
function normalize(value: unknown): unknown {
  if (value instanceof Result) return value.toArray(true).map(normalize);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "number") return BigInt(value);
  // Addresses come back checksummed and hashes in any case: compare hex case-insensitively.
  if (typeof value === "string" && isHexString(value)) return value.toLowerCase();
  return value;
}

function assertArgs(actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: expected ${expected.length} arguments, got ${actual.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === anyValue) continue;
    assert.deepStrictEqual(normalize(actual[i]), normalize(expected[i]), `${what}: argument ${i} differs`);
  }
}

/** Awaits a call or a transaction (and its receipt when it was sent) and returns what was thrown. */
async function captureFailure(action: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    const result = await (typeof action === "function" ? action() : action);
    if (typeof result === "object" && result !== null && "wait" in result && typeof result.wait === "function") {
      await (result.wait as () => Promise<unknown>)();
    }
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to revert, but it succeeded");
}

function describeRevert(data: string, iface: Interface): string {
  const parsed = iface.parseError(data) ?? builtinErrors.parseError(data);
  if (parsed === null) return `unknown revert data ${data}`;
  const args = JSON.stringify(normalize(parsed.args), (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return `${parsed.name}${args}`;
}

/**
 * Asserts that `action` reverts with the custom error `errorName` of `contract`'s ABI, and, when
 * `args` is given, with exactly those arguments (use `anyValue` to skip one).
 */
export async function expectRevert(
  action: Promise<unknown> | (() => Promise<unknown>),
  contract: HasInterface | InterfaceAbi,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  const iface = toInterface(contract);
  assert.ok(iface.getError(errorName) !== null, `the ABI declares no error named ${errorName}`);
  const error = await captureFailure(action);
  const data = revertDataOf(error);
  assert.ok(data !== undefined && data !== "0x", `expected ${errorName}, but the revert carried no data: ${String(error)}`);
  const parsed = iface.parseError(data);
  assert.ok(parsed !== null && parsed.name === errorName, `expected ${errorName}, got ${describeRevert(data, iface)}`);
  if (args !== undefined) assertArgs(parsed.args.toArray(), args, errorName);
}

/** Asserts a revert with `require(cond, reason)` / `revert(reason)`, i.e. Error(string). */
export async function expectRevertWithReason(
  action: Promise<unknown> | (() => Promise<unknown>),
  reason: string,
): Promise<void> {
  const error = await captureFailure(action);
  const data = revertDataOf(error);
  assert.ok(data !== undefined && data.startsWith(ERROR_STRING_SELECTOR), `expected Error("${reason}"), got ${data ?? String(error)}`);
  const parsed = builtinErrors.parseError(data);
  assert.equal(parsed?.args[0], reason);
}

/** Asserts a Solidity panic with the given code (0x11 overflow, 0x12 division by zero, 0x32 index...). */
export async function expectPanic(
  action: Promise<unknown> | (() => Promise<unknown>),
  code: bigint,
): Promise<void> {
  const error = await captureFailure(action);
  const data = revertDataOf(error);
  assert.ok(data !== undefined && data.startsWith(PANIC_SELECTOR), `expected Panic(${code}), got ${data ?? String(error)}`);
  assert.equal(builtinErrors.parseError(data)?.args[0], code);
}

/** Asserts a revert with no data at all (plain `revert()`, failed call without reason). */
export async function expectRevertWithoutData(action: Promise<unknown> | (() => Promise<unknown>)): Promise<void> {
  const error = await captureFailure(action);
  const data = revertDataOf(error);
  assert.ok(data === undefined || data === "0x", `expected a revert without data, got ${data}`);
}

type Receiptish =
  | TransactionReceipt
  | { wait: () => Promise<TransactionReceipt | null> }
  | Promise<TransactionReceipt | { wait: () => Promise<TransactionReceipt | null> } | null>;

async function receiptOf(tx: Receiptish): Promise<TransactionReceipt> {
  const awaited = await tx;
  assert.ok(awaited !== null, "no transaction");
  const receipt = "wait" in awaited && typeof awaited.wait === "function" ? await awaited.wait() : awaited;
  assert.ok(receipt !== null, "no receipt");
  return receipt as TransactionReceipt;
}

/** The events named `eventName` emitted by `contract` (matched by address when it has one) in `tx`. */
export async function eventsIn(
  tx: Receiptish,
  contract: HasInterface,
  eventName: string,
): Promise<Result[]> {
  const receipt = await receiptOf(tx);
  const iface = toInterface(contract);
  const fragment = iface.getEvent(eventName);
  assert.ok(fragment !== null, `the ABI declares no event named ${eventName}`);
  const address =
    !(contract instanceof Interface) && "getAddress" in contract && typeof contract.getAddress === "function"
      ? ((await contract.getAddress()) as string).toLowerCase()
      : undefined;
  const found: Result[] = [];
  for (const log of receipt.logs as readonly Log[]) {
    if (address !== undefined && log.address.toLowerCase() !== address) continue;
    if (log.topics[0] !== fragment.topicHash) continue;
    const parsed = iface.parseLog(log);
    if (parsed !== null) found.push(parsed.args);
  }
  return found;
}

/**
 * Asserts that `tx` emitted `eventName` from `contract`, and, when `args` is given, that one of those
 * events has exactly these arguments. Returns the matching event's arguments.
 */
export async function expectEvent(
  tx: Receiptish,
  contract: HasInterface,
  eventName: string,
  args?: readonly unknown[],
): Promise<Result> {
  const events = await eventsIn(tx, contract, eventName);
  assert.ok(events.length > 0, `expected event ${eventName}, none was emitted`);
  if (args === undefined) return events[0]!;
  const failures: string[] = [];
  for (const event of events) {
    try {
      assertArgs(event.toArray(), args, eventName);
      return event;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  assert.fail(`no ${eventName} event matched the expected arguments:\n${failures.join("\n")}`);
}

/** Asserts that `tx` emitted no `eventName` from `contract`. */
export async function expectNoEvent(tx: Receiptish, contract: HasInterface, eventName: string): Promise<void> {
  const events = await eventsIn(tx, contract, eventName);
  assert.equal(events.length, 0, `expected no ${eventName} event, got ${events.length}`);
}
