/**
 * installPatches(): installs the process-wide patches once and THROWS, naming each patch, when one
 * does not fit the loaded ethereumjs (instead of the silent fallback each used to have). The broken
 * libraries are simulated in child processes (patches are process-wide).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { activePatches, installPatches, PatchErrorCode } from "../../../../chain/execution/patches/installPatches.ts";

const run = promisify(execFile);
const script = fileURLToPath(new URL("./brokenLibrary.ts", import.meta.url));

async function installWith(breakage: string): Promise<{ installed: boolean; code?: string; failures?: string[] }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, breakage], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("installs the five process-wide patches, once", async () => {
  assert.deepEqual(await activePatches(), []);
  await installPatches();
  assert.deepEqual(await activePatches(), ["interpreterLoop", "jumpAnalysisCache", "opcodeTableCache", "rlpCodec", "transactionEncoding"]);
  const interpreter = await import(new URL("./interpreter.js", import.meta.resolve("@ethereumjs/evm")).href);
  const run = interpreter.Interpreter.prototype.run;
  await installPatches();
  assert.equal(interpreter.Interpreter.prototype.run, run, "a second call patches nothing again");
});

test("an intact library installs in a fresh process", async () => {
  assert.deepEqual(await installWith("nothing"), { installed: true });
});

test("throws PATCH_NOT_INSTALLED naming the patches that lost what they depend on", async () => {
  const jump = await installWith("jumpAnalysis");
  assert.equal(jump.installed, false);
  assert.equal(jump.code, PatchErrorCode.NotInstalled);
  // The interpreter loop calls the analysis too: both are named.
  assert.deepEqual(jump.failures?.map((f) => f.split(":")[0]), ["jumpAnalysisCache", "interpreterLoop"]);

  const tables = await installWith("opcodeTables");
  assert.deepEqual(tables.failures, ["opcodeTableCache: EVM.prototype.getActiveOpcodes not found"]);

  const state = await installWith("stateManager");
  assert.deepEqual(state.failures, ["stateManager: MerkleStateManager._getStorageTrie not found"]);
});
