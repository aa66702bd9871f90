/**
 * Solidity's `console.log` (hardhat/console.sol, also forge-std's console): the library sends each
 * call as a static call to a fixed address with no code, so it costs what a call to an empty account
 * costs and changes nothing. The node listens for messages to that address while it runs a
 * transaction or a call, decodes them, and prints them as Hardhat's node does.
 *
 * The decoder knows every call console.sol makes: log() with up to four arguments of uint256,
 * string, bool or address (also under their old `uint` spelling), log(int256), log(bytes) and
 * log(bytes1..32), and the logInt/logUint/logString/logBool/logAddress/logBytes names of old releases. A first string argument is a format: %s, %d, %i
 * and %o take the next argument, %% prints a percent sign; arguments left over follow, space-separated.
 */
import type { Message } from "@ethereumjs/evm";
import { AbiCoder, getAddress, id } from "ethers";

/** 0x000000000000000000636f6e736f6c652e6c6f67: "console.log" in ASCII. */
export const CONSOLE_ADDRESS = "0x000000000000000000636f6e736f6c652e6c6f67";

const LOG_TYPES = ["uint256", "string", "bool", "address"] as const;

let signatures: Map<string, string[]> | undefined;

/** selector (0x + 8 hex) -> parameter types. */
function signatureTable(): Map<string, string[]> {
  if (signatures !== undefined) return signatures;
  const table = new Map<string, string[]>();
  const add = (name: string, types: string[]) => {
    table.set(id(`${name}(${types.join(",")})`).slice(0, 10), types);
    // console.sol's first releases spelled uint256 as uint; the selectors differ, the encoding does not.
    if (types.includes("uint256")) table.set(id(`${name}(${types.map((t) => (t === "uint256" ? "uint" : t)).join(",")})`).slice(0, 10), types);
  };
  add("log", []);
  const combine = (length: number): string[][] =>
    length === 0 ? [[]] : combine(length - 1).flatMap((prefix) => LOG_TYPES.map((type) => [...prefix, type]));
  for (let length = 1; length <= 4; length++) for (const types of combine(length)) add("log", types);
  // logInt, logBytes, logBytesN send log(int256), log(bytes), log(bytesN); their own names are
  // what console.sol's first releases sent.
  for (const name of ["log", "logInt"]) add(name, ["int256"]);
  for (const name of ["log", "logBytes"]) add(name, ["bytes"]);
  for (let size = 1; size <= 32; size++) for (const name of ["log", `logBytes${size}`]) add(name, [`bytes${size}`]);
  add("logUint", ["uint256"]);
  add("logString", ["string"]);
  add("logBool", ["bool"]);
  add("logAddress", ["address"]);
  signatures = table;
  return table;
}

/** The line a console.log call prints, or undefined when `data` is not a call console.sol makes. */
export function decodeConsoleLog(data: Uint8Array): string | undefined {
  if (data.length < 4) return undefined;
  const hex = Buffer.from(data).toString("hex");
  const types = signatureTable().get(`0x${hex.slice(0, 8)}`);
  if (types === undefined) return undefined;
  let values: unknown[];
  try {
    values = [...AbiCoder.defaultAbiCoder().decode(types, `0x${hex.slice(8)}`)];
  } catch {
    return undefined;
  }
  return formatConsoleArguments(values.map((value, i) => show(value, types[i]!)));
}

function show(value: unknown, type: string): string {
  if (type === "address") return getAddress(value as string);
  if (typeof value === "bigint" || typeof value === "boolean") return value.toString();
  return String(value);
}

/** Node's util.format rules, as Hardhat applies them to console.log's arguments. */
export function formatConsoleArguments(args: string[]): string {
  if (args.length === 0) return "";
  const [first, ...rest] = args;
  let next = 0;
  const formatted = first!.replace(/%([sdio%])/g, (match, letter: string) => {
    if (letter === "%") return "%";
    if (next >= rest.length) return match;
    return rest[next++]!;
  });
  return [formatted, ...rest.slice(next)].join(" ");
}

/** Collects the console.log lines of one run: attach to the EVM's events, run, detach. */
export class ConsoleCapture {
  readonly lines: string[] = [];
  readonly #listener = (message: Message) => {
    if (message.to === undefined || message.to.toString() !== CONSOLE_ADDRESS) return;
    const line = decodeConsoleLog(message.data);
    if (line !== undefined) this.lines.push(line);
  };

  attach(events: { on(event: "beforeMessage", listener: (message: Message) => void): unknown }): void {
    events.on("beforeMessage", this.#listener);
  }

  detach(events: { off(event: "beforeMessage", listener: (message: Message) => void): unknown }): void {
    events.off("beforeMessage", this.#listener);
  }
}

/** What a node reports of console.log: a committed transaction's lines, or a call's. */
export type ConsoleOutput = { source: "transaction"; txHash: string; lines: string[] } | { source: "eth_call" | "eth_estimateGas"; lines: string[] };
