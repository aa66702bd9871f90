/**
 * Solidity console.log output as the devnet shows it: one line per logged line, saying where it came
 * from. A validator process writes these lines to its stdout; the devnet that supervises it passes
 * them on to its own console (validatorProcesses.ts), so both setups print the same.
 */
import type { ConsoleOutput } from "../chain/execution/consoleLog.ts";

export const CONSOLE_LINE_PREFIX = "console.log";

export function formatConsoleOutput(output: ConsoleOutput): string {
  const source = output.source === "transaction" ? `tx ${output.txHash}` : output.source;
  return output.lines.map((line) => `${CONSOLE_LINE_PREFIX} (${source}): ${line}\n`).join("");
}

/** Whether a line a validator printed is console.log output, and of a committed transaction. */
export function parseConsoleLine(line: string): { transaction: boolean } | undefined {
  if (!line.startsWith(`${CONSOLE_LINE_PREFIX} (`)) return undefined;
  return { transaction: line.startsWith(`${CONSOLE_LINE_PREFIX} (tx `) };
}
