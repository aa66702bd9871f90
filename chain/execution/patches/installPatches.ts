/**
 * The one switch for everything in this folder: what makes Concord's execution depart from stock
 * ethereumjs (README.md here lists each departure and the test that holds it to ethereumjs' result).
 *
 * Five of them change the library process-wide (the interpreter loop, the jump-analysis cache, the
 * opcode-table cache, the RLP codec and the transactions' remembered sender address); the rest are subclasses and per-instance wrappers that lean
 * on ethereumjs' private fields (state manager, caches, trie node cache, batched trie update,
 * prepared Commons, remembered transaction encodings). Each was written against the pinned
 * @ethereumjs version, and each used to fall back silently when the library did not have the shape
 * it expected: correct, but not what was measured or tested. `installPatches()` installs the five
 * and checks every one against the library actually loaded, on real objects, and THROWS
 * (`PatchInstallError`, code PATCH_NOT_INSTALLED) naming each one that does not fit, so an upgrade
 * that breaks one stops the node at start instead of changing its behaviour quietly.
 *
 * The node calls it once when it starts (before opening its store); `openExecutionState` awaits it
 * too, so tests and tools that run blocks without a node get the same EVM. It is idempotent: later
 * calls return the first call's outcome.
 *
 * test/chain/execution/patches/upstreamSources.test.ts fails when the ethereumjs version or the
 * source of anything a patch replaces changes; test/chain/execution/stateTests.test.ts and
 * differential.test.ts compare the patched node with unpatched ethereumjs in another process.
 */
import { createEVM, EVM, paramsEVM } from "@ethereumjs/evm";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP, decode as stockDecode, encode as stockEncode } from "@ethereumjs/rlp";
import { createFeeMarket1559Tx, createLegacyTx, LegacyTx } from "@ethereumjs/tx";
import { Account, Address, publicToAddress } from "@ethereumjs/util";
import { initCrypto } from "../crypto.ts";
import { installSenderAddressMemo } from "./transactionEncoding.ts";
import { installInterpreterLoop } from "./interpreterLoop.ts";
import { installJumpAnalysisCache } from "./jumpAnalysisCache.ts";
import { fastMstore, installOpcodeTableCache } from "./opcodeTableCache.ts";
import { decodeRlp, encodeRlp, installRlpCodec } from "./rlpCodec.ts";
import { AccountElement, ConcordCaches } from "./stateCaches.ts";
import { ConcordStateManager } from "./stateManager.ts";
import { NO_MORE_PARAMS, preparedCommon } from "./preparedCommon.ts";
import { cacheTrieNodes, TrieNodeCache } from "./trieNodeCache.ts";
import { ConcordError } from "../../concordError.ts";

export const PatchErrorCode = {
  /** A patch does not fit the loaded @ethereumjs (renamed or reshaped internals). */
  NotInstalled: "PATCH_NOT_INSTALLED",
} as const;

export class PatchInstallError extends ConcordError<typeof PatchErrorCode.NotInstalled> {
  override readonly name = "PatchInstallError";
  constructor(
    /** Each patch that failed, with why: "interpreterLoop: Interpreter.prototype.run not found". */
    readonly failures: readonly string[],
  ) {
    super(
      PatchErrorCode.NotInstalled,
      `${failures.length} ethereumjs patch(es) do not fit the installed @ethereumjs packages (chain/execution/patches/README.md): ${failures.join("; ")}`,
    );
  }
}

/** The patches, by the file that holds each. */
export const PATCHES = [
  "interpreterLoop",
  "jumpAnalysisCache",
  "opcodeTableCache",
  "rlpCodec",
  "stateCaches",
  "stateManager",
  "trieNodeCache",
  "trieBatchUpdate",
  "preparedCommon",
  "transactionEncoding",
] as const;
export type PatchName = (typeof PATCHES)[number];

let installation: Promise<void> | undefined;

/** Installs and checks every patch once per process; throws `PatchInstallError` if any does not fit. */
export function installPatches(): Promise<void> {
  installation ??= install();
  return installation;
}

async function install(): Promise<void> {
  const failures: string[] = [];
  await initCrypto(); // the sender-address memo hashes with it
  const check = async (name: PatchName, probe: () => Promise<string | undefined> | string | undefined) => {
    try {
      const problem = await probe();
      if (problem !== undefined) failures.push(`${name}: ${problem}`);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await check("jumpAnalysisCache", async () => ((await installJumpAnalysisCache()) ? undefined : "Interpreter.prototype._getValidJumpDestinations not found"));
  await check("interpreterLoop", async () =>
    (await installInterpreterLoop()) ? undefined : "the interpreter, its errors, gas handlers or subMemUsage do not have the shape the loop was written against",
  );
  await check("opcodeTableCache", probeOpcodeTables);
  await check("rlpCodec", probeRlpCodec);
  await check("stateCaches", probeCaches);
  await check("stateManager", probeStateManager);
  await check("trieNodeCache", probeTrieNodeCache);
  await check("trieBatchUpdate", probeTrieInternals);
  await check("preparedCommon", probePreparedCommon);
  await check("transactionEncoding", probeTransactionCache);
  if (failures.length > 0) throw new PatchInstallError(failures);
}

/**
 * Which of the process-wide patches are in effect, read from the library itself (not from this
 * module's memory): the unpatched side of a differential test asserts this is empty.
 */
export async function activePatches(): Promise<PatchName[]> {
  const active: PatchName[] = [];
  const entry = import.meta.resolve("@ethereumjs/evm");
  const { Interpreter } = (await import(new URL("./interpreter.js", entry).href)) as { Interpreter: { prototype: Record<string, { original?: unknown }> } };
  if (Interpreter.prototype.run?.original !== undefined) active.push("interpreterLoop");
  if (Interpreter.prototype._getValidJumpDestinations?.original !== undefined) active.push("jumpAnalysisCache");
  if ((EVM.prototype.getActiveOpcodes as { original?: unknown }).original !== undefined) active.push("opcodeTableCache");
  if (RLP.encode !== stockEncode || RLP.decode !== stockDecode) active.push("rlpCodec");
  if ((LegacyTx.prototype.getSenderAddress as { original?: unknown }).original !== undefined) active.push("transactionEncoding");
  return active;
}

function mainnetCommon(): Common {
  return new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
}

async function probeOpcodeTables(): Promise<string | undefined> {
  if (!installOpcodeTableCache()) return "EVM.prototype.getActiveOpcodes not found";
  const common = preparedCommon(mainnetCommon(), "vm", [paramsEVM]);
  type Tables = { _opcodeMap?: { opHandler?: unknown }[]; _handlers?: Map<number, unknown> };
  const [a, b] = (await Promise.all([
    createEVM({ common: common.copy(), params: NO_MORE_PARAMS }),
    createEVM({ common: common.copy(), params: NO_MORE_PARAMS }),
  ])) as unknown as Tables[];
  if (!Array.isArray(a!._opcodeMap) || !(a!._handlers instanceof Map)) return "the EVM has no _opcodeMap / _handlers tables";
  if (a!._opcodeMap !== b!._opcodeMap) return "two EVMs on one prepared Common did not share their opcode table (Common._paramsCache missing?)";
  if (a!._opcodeMap[0x52]?.opHandler !== fastMstore || a!._handlers.get(0x52) !== fastMstore) return "MSTORE is not the fast handler";
  return undefined;
}

function probeRlpCodec(): string | undefined {
  installRlpCodec();
  if (RLP.encode !== encodeRlp || RLP.decode !== (decodeRlp as unknown)) return "RLP.encode / RLP.decode could not be replaced";
  const sample = [Uint8Array.of(1), [Uint8Array.of(0x80, 2), new Uint8Array(60)], new Uint8Array(0)];
  const encoded = encodeRlp(sample);
  if (Buffer.compare(encoded, stockEncode(sample)) !== 0) return "encoding differs from @ethereumjs/rlp's";
  if (JSON.stringify(decodeRlp(encoded)) !== JSON.stringify(stockDecode(encoded))) return "decoding differs from @ethereumjs/rlp's";
  return undefined;
}

/** ethereumjs' cache internals ConcordCaches replaces or calls. */
function probeCaches(): string | undefined {
  const caches = new ConcordCaches();
  type Internals = { _orderedMapCache?: { constructor: { name: string } }; _saveCachePreState?: unknown; _stats?: { writes?: unknown } };
  for (const [name, cache] of [["account", caches.account], ["code", caches.code], ["storage", caches.storage]] as const) {
    const internals = cache as unknown as Internals | undefined;
    if (internals?._orderedMapCache?.constructor.name !== "ElementMap") return `the ${name} cache has no replaceable _orderedMapCache`;
  }
  const account = caches.account as unknown as Internals;
  if (typeof account._saveCachePreState !== "function" || typeof account._stats?.writes !== "number") return "AccountCache._saveCachePreState / _stats not found";
  const address = new Address(new Uint8Array(20).fill(7));
  caches.account!.put(address, new Account(1n, 2n));
  if (!(caches.account!.get(address) instanceof AccountElement)) return "a put account is not held decoded";
  return undefined;
}

/** The MerkleStateManager fields and methods ConcordStateManager's flush, putStorage and shallowCopy use. */
function probeStateManager(): string | undefined {
  const common = mainnetCommon();
  const state = new ConcordStateManager({ common, trie: new MerklePatriciaTrie({ useKeyHashing: true, common }), caches: new ConcordCaches() });
  const internals = state as unknown as Record<string, unknown>;
  for (const field of ["_caches", "_trie", "_storageTries", "_prefixCodeHashes", "_prefixStorageTrieKeys"]) {
    if (internals[field] === undefined) return `MerkleStateManager.${field} not found`;
  }
  for (const method of ["keccakFunction", "_getStorageTrie", "_getCodeDB"]) {
    if (typeof internals[method] !== "function") return `MerkleStateManager.${method} not found`;
  }
  if (typeof (internals._trie as { _opts?: { cacheSize?: unknown } })._opts?.cacheSize !== "number") return "MerklePatriciaTrie._opts.cacheSize not found";
  return undefined;
}

/** The node fields copyNode copies and the error message findPath treats as "not in this trie". */
async function probeTrieNodeCache(): Promise<string | undefined> {
  const trie = new MerklePatriciaTrie({ useKeyHashing: true });
  for (const method of ["lookupNode", "findPath", "shallowCopy"] as const) {
    if (typeof trie[method] !== "function") return `MerklePatriciaTrie.${method} not found`;
  }
  await trie.put(Uint8Array.of(1), new Uint8Array(40).fill(1));
  await trie.put(Uint8Array.of(2), new Uint8Array(40).fill(2));
  const root = (await trie.lookupNode(trie.root())) as unknown as Record<string, unknown>;
  if (!Array.isArray(root._nibbles) && !Array.isArray(root._branches)) return "trie nodes have neither _nibbles nor _branches";
  try {
    await trie.lookupNode(new Uint8Array(32).fill(9));
    return "looking up a missing node did not throw";
  } catch (error) {
    if ((error as Error).message !== "Missing node in DB") return `a missing node throws "${(error as Error).message}", not "Missing node in DB"`;
  }
  const cached = cacheTrieNodes(trie.shallowCopy(false), new TrieNodeCache(16));
  const key = (trie as unknown as { appliedKey(key: Uint8Array): Uint8Array }).appliedKey(Uint8Array.of(1));
  const path = await cached.findPath(key);
  if (path.node === null) return "findPath through the cache did not find a stored key";
  return undefined;
}

/** The trie internals trieBatchUpdate.ts calls (protected in ethereumjs' types). */
function probeTrieInternals(): string | undefined {
  const trie = new MerklePatriciaTrie({ useKeyHashing: true }) as unknown as Record<string, unknown> & { _opts?: Record<string, unknown> };
  if (typeof trie._opts?.useRootPersistence !== "boolean" || typeof trie._opts.useNodePruning !== "boolean") return "MerklePatriciaTrie._opts flags not found";
  if (typeof (trie._lock as { acquire?: unknown } | undefined)?.acquire !== "function") return "MerklePatriciaTrie._lock not found";
  for (const method of ["appliedKey", "hash", "_getDbKey", "database", "lookupNode"]) {
    if (typeof trie[method] !== "function") return `MerklePatriciaTrie.${method} not found`;
  }
  return undefined;
}

/** A prepared Common's copies keep its updateParams and share its parameter cache. */
function probePreparedCommon(): string | undefined {
  const prepared = preparedCommon(mainnetCommon(), "probe", [paramsEVM]);
  const copy = prepared.copy() as unknown as { _paramsCache?: object; updateParams: unknown };
  if (copy._paramsCache === undefined) return "Common._paramsCache not found";
  if (copy.updateParams !== (prepared as unknown as { updateParams: unknown }).updateParams) return "Common.copy() does not keep own properties";
  (copy as unknown as Common).updateParams({});
  if (copy._paramsCache !== (prepared as unknown as { _paramsCache: object })._paramsCache) return "an empty updateParams rebuilt the parameter cache";
  return undefined;
}

/**
 * A frozen signed transaction keeps its hash in `cache.hash` (transactionEncoding.ts seeds it), and
 * every transaction class answers `getSenderAddress()` from the memo, with ethereumjs' own result.
 */
function probeTransactionCache(): string | undefined {
  const tx = createLegacyTx({ gasLimit: 21_000n, gasPrice: 1n }, { common: mainnetCommon() }).sign(new Uint8Array(32).fill(1));
  const cache = (tx as unknown as { cache?: { hash?: Uint8Array } }).cache;
  if (!Object.isFrozen(tx) || cache === undefined) return "signed transactions are not frozen with a cache";
  const hash = tx.hash();
  if (cache.hash !== hash) return "Transaction.hash() does not keep its result in cache.hash";
  if (!installSenderAddressMemo()) return "a transaction class has no getSenderAddress";
  const typed = createFeeMarket1559Tx({ gasLimit: 21_000n, maxFeePerGas: 1n, chainId: 1n }, { common: mainnetCommon() }).sign(new Uint8Array(32).fill(2));
  for (const signed of [tx, typed]) {
    const method = signed.getSenderAddress as { original?: unknown };
    if (method.original === undefined) return "getSenderAddress is not the remembered one";
    const expected = new Address(publicToAddress(signed.getSenderPublicKey()));
    if (!signed.getSenderAddress().equals(expected)) return `getSenderAddress answered ${signed.getSenderAddress().toString()}, ethereumjs ${expected.toString()}`;
  }
  return undefined;
}
