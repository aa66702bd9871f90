/**
 * Shares the EVM's opcode tables between EVMs built on the same parameters.
 *
 * Every block runs on a new EVM (executionState.ts), and each EVM constructor rebuilds its opcode
 * tables (`getOpcodesForHF`: the opcode list of every fork up to the active one, each opcode's fee
 * read from the Common's parameters): ~40% of creating a block's VM, measured. The tables are a pure
 * function of the hardfork, the active EIPs and the parameter values, and the interpreter only reads
 * them. EVMs whose Commons share one parameter cache object (the copies of a prepared Common,
 * preparedCommon.ts) share one set of tables; any other EVM builds its own as before, and so does
 * one with custom opcodes.
 *
 * The shared tables also get a faster MSTORE (`fastMstore`): the same effect, but the word is turned
 * into its 32 bytes natively (one hex string, decoded by Buffer) instead of through ethereumjs'
 * general `bigIntToBytes` (hex string, regex validation, byte loop) and `setLengthLeft` (another
 * copy). MSTORE is the most frequent opcode of compiled Solidity (free-memory pointer, ABI encoding,
 * mapping keys before KECCAK256); the conversion was ~5% of building a block of ERC20 transfers.
 */
import { EVM } from "@ethereumjs/evm";

interface OpcodeTables {
  _opcodes: unknown;
  _dynamicGasHandlers: unknown;
  _handlers: unknown;
  _opcodeMap: unknown;
}

interface EvmInternals extends OpcodeTables {
  _customOpcodes?: unknown[];
  common: { hardfork(): string; eips(): number[]; _paramsCache?: object };
  getActiveOpcodes(): unknown;
}

interface MstoreState {
  stack: { popN(count: number): bigint[] };
  memory: { write(offset: number, size: number, value: Uint8Array): void };
}
type OpcodeMapEntry = { opHandler: (runState: MstoreState, common: unknown) => void };

const MSTORE = 0x52;

/** The 32 big-endian bytes of a stack word (0 <= word < 2^256). */
export function wordBytes(word: bigint): Uint8Array {
  return Buffer.from(word.toString(16).padStart(64, "0"), "hex");
}

/** MSTORE as ethereumjs' handler does it (pop offset and word, write 32 bytes), with `wordBytes`. */
export function fastMstore(runState: MstoreState): void {
  const [offset, word] = runState.stack.popN(2);
  runState.memory.write(Number(offset), 32, wordBytes(word));
}

let installed: boolean | undefined;
let enabled = true;

/**
 * Turns sharing off (EVMs created afterwards build their own tables, with ethereumjs' MSTORE) and on;
 * tests compare both.
 */
export function setOpcodeTableCacheEnabled(on: boolean): boolean {
  const active = installOpcodeTableCache();
  enabled = on;
  return active;
}
const tablesByParams = new WeakMap<object, Map<string, OpcodeTables>>();

/**
 * Patches `EVM.prototype.getActiveOpcodes` once per process; returns whether it is patched (false:
 * the method is missing, an upgrade renamed it). installPatches.ts then checks on real EVMs that
 * tables are shared and MSTORE is the fast one, which is what depends on the fields named above.
 */
export function installOpcodeTableCache(): boolean {
  installed ??= patch();
  return installed;
}

function patch(): boolean {
  const prototype = EVM.prototype as unknown as EvmInternals;
  const original = prototype.getActiveOpcodes;
  if (typeof original !== "function") return false;
  prototype.getActiveOpcodes = function (this: EvmInternals) {
    const params = this.common._paramsCache;
    if (!enabled || params === undefined || (this._customOpcodes !== undefined && this._customOpcodes.length > 0)) return original.call(this);
    const key = `${this.common.hardfork()}|${this.common.eips().join(",")}`;
    let byFork = tablesByParams.get(params);
    const cached = byFork?.get(key);
    if (cached !== undefined) {
      this._opcodes = cached._opcodes;
      this._dynamicGasHandlers = cached._dynamicGasHandlers;
      this._handlers = cached._handlers;
      this._opcodeMap = cached._opcodeMap;
      return this._opcodes;
    }
    const result = original.call(this);
    const mstore = (this._opcodeMap as OpcodeMapEntry[])[MSTORE];
    if (mstore !== undefined) mstore.opHandler = fastMstore;
    (this._handlers as Map<number, unknown>).set(MSTORE, fastMstore);
    if (byFork === undefined) {
      byFork = new Map();
      tablesByParams.set(params, byFork);
    }
    byFork.set(key, {
      _opcodes: this._opcodes,
      _dynamicGasHandlers: this._dynamicGasHandlers,
      _handlers: this._handlers,
      _opcodeMap: this._opcodeMap,
    });
    return result;
  };
  (prototype.getActiveOpcodes as { original?: unknown }).original = original;
  return true;
}
