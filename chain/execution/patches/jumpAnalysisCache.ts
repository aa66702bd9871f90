/**
 * Reuses the EVM's jump-destination analysis of a contract's code across the messages of a block.
 *
 * ethereumjs' interpreter scans the whole bytecode (valid JUMPDESTs, PUSH immediates, opcode table)
 * at the start of EVERY message that jumps: for a 10 KB token that is most of the cost of an ERC20
 * transfer (measured: the largest self-time in a 1000-transfer block). The analysis is a pure function
 * of the code and of the EVM's opcode table, and the interpreter only reads its result, so it is
 * memoized per (opcode table, code array): the state manager hands out the same code array for an
 * address for the whole block, and every block runs on a fresh EVM, so entries die with it.
 *
 * The interpreter class is not exported by @ethereumjs/evm; its module is reached by path next to the
 * package's ESM entry point (the same module instance the EVM uses). If the method is not found (an
 * ethereumjs upgrade renamed it) nothing is patched and execution stays correct, only slower;
 * test/chain/execution/jumpAnalysisCache.test.ts checks both equivalence and that the patch is active.
 */

type Analysis = { jumps: Uint8Array; pushes: Record<number, bigint>; opcodesCached: unknown[] };
interface InterpreterLike {
  _evm: { _opcodeMap: object };
  _getValidJumpDestinations(code: Uint8Array): Analysis;
}

let installed: Promise<boolean> | undefined;
let enabled = true;
const counters = { analyses: 0, hits: 0 };

/** Turns the cache off (every analysis is the interpreter's own again) and on; tests compare both. */
export async function setJumpAnalysisCacheEnabled(on: boolean): Promise<boolean> {
  const active = await installJumpAnalysisCache();
  enabled = on;
  return active;
}

/** How many analyses ran and how many were served from the cache, since the process started. */
export function jumpAnalysisStats(): { analyses: number; hits: number } {
  return { ...counters };
}

/** Patches the interpreter once per process; resolves whether the cache is active. */
export function installJumpAnalysisCache(): Promise<boolean> {
  installed ??= patch();
  return installed;
}

async function patch(): Promise<boolean> {
  let prototype: InterpreterLike | undefined;
  try {
    const entry = import.meta.resolve("@ethereumjs/evm");
    const module = (await import(new URL("./interpreter.js", entry).href)) as { Interpreter?: { prototype: InterpreterLike } };
    prototype = module.Interpreter?.prototype;
  } catch {
    return false;
  }
  const original = prototype?._getValidJumpDestinations;
  if (prototype === undefined || typeof original !== "function") return false;
  const byOpcodeTable = new WeakMap<object, WeakMap<Uint8Array, Analysis>>();
  prototype._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
    if (!enabled) return original.call(this, code);
    const table = this._evm._opcodeMap;
    let byCode = byOpcodeTable.get(table);
    if (byCode === undefined) {
      byCode = new WeakMap();
      byOpcodeTable.set(table, byCode);
    }
    let analysis = byCode.get(code);
    if (analysis === undefined) {
      analysis = original.call(this, code);
      byCode.set(code, analysis);
      counters.analyses++;
    } else {
      counters.hits++;
    }
    return analysis;
  };
  (prototype._getValidJumpDestinations as { original?: unknown }).original = original;
  return true;
}
