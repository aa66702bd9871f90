/**
 * --load-state and --dump-state (Anvil's flags): start a dev chain from a saved state, and save the
 * state when it stops, to ship a prepared chain (contracts deployed, accounts funded). The file is
 * the JSON of chain/dev/stateDump.ts (Concord's trie dump; Anvil's account dumps load too).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { ConcordNode } from "../chain/node.ts";
import { asDevModeBackend } from "../chain/dev/devModeBackend.ts";
import { parseStateDump } from "../chain/dev/stateDump.ts";
import type { DevChain } from "../chain/dev/devChain.ts";
import { DevnetOptionsError } from "./options.ts";

function devChainOf(node: ConcordNode, flag: string): DevChain {
  const dev = asDevModeBackend(node.backend)?.dev;
  if (dev === undefined) throw new DevnetOptionsError(`${flag} needs a single-validator dev chain (--validators 1)`);
  return dev;
}

/** Makes the file's state the chain's (it goes into the next block). Returns how much was loaded. */
export async function loadStateFile(node: ConcordNode, file: string): Promise<string> {
  const dev = devChainOf(node, "--load-state");
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DevnetOptionsError(`cannot read the --load-state file ${file}: ${(error as Error).message}`);
  }
  let state;
  try {
    state = parseStateDump(new Uint8Array(bytes));
  } catch (error) {
    throw new DevnetOptionsError(`--load-state ${file}: ${(error as Error).message}`);
  }
  await dev.loadState(state);
  return state.kind === "trie" ? `state root ${state.dump.stateRoot} (${Object.keys(state.dump.nodes).length} trie nodes)` : `${state.accounts.length} accounts`;
}

/** Writes the chain's current state to `file`, whole or not at all (temporary file, then rename). */
export async function dumpStateFile(node: ConcordNode, file: string): Promise<void> {
  const dump = await devChainOf(node, "--dump-state").dumpState();
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(dump)}\n`);
  await rename(partial, file);
}
