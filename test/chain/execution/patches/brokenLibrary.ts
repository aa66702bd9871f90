/**
 * Run as a child process by installPatches.test.ts: breaks one thing a patch depends on in this
 * process's @ethereumjs (as an upgrade that renamed it would), then calls installPatches() and prints
 * what happened as JSON.
 */
import { EVM } from "@ethereumjs/evm";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { installPatches, PatchInstallError } from "../../../../chain/execution/patches/installPatches.ts";

const what = process.argv[2];
const interpreter = (await import(new URL("./interpreter.js", import.meta.resolve("@ethereumjs/evm")).href)) as { Interpreter: { prototype: Record<string, unknown> } };
if (what === "jumpAnalysis") delete interpreter.Interpreter.prototype._getValidJumpDestinations;
else if (what === "opcodeTables") delete (EVM.prototype as unknown as Record<string, unknown>).getActiveOpcodes;
else if (what === "stateManager") delete (MerkleStateManager.prototype as unknown as Record<string, unknown>)._getStorageTrie;
else if (what !== "nothing") throw new Error(`unknown breakage ${what}`);

try {
  await installPatches();
  console.log(JSON.stringify({ installed: true }));
} catch (error) {
  if (!(error instanceof PatchInstallError)) throw error;
  console.log(JSON.stringify({ installed: false, code: error.code, failures: error.failures }));
}
