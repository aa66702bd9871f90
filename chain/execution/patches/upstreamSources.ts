/**
 * What of ethereumjs Concord's patches replace, copy or depend on, fingerprinted.
 *
 * Each patch in this folder was written against one version of @ethereumjs: a replacement loop that
 * must charge gas exactly as `runStep` and the memory-gas handlers do, a subclass that reaches into
 * `MerkleStateManager`'s private fields, a trie walk that must return what `findPath` returns. If the
 * library changes under them, the node could still run and quietly compute something else: a gas
 * fork. So every upstream function or file a patch leans on is listed here with the patch that
 * depends on it, and upstreamSources.json records the sha256 of its source text and the installed
 * package versions; test/chain/execution/patches/upstreamSources.test.ts fails when any differs.
 *
 * Upgrading ethereumjs is then a conscious act: re-read each changed source against the patch named
 * beside it, run the differential tests, and record the new fingerprints with
 * `npm run patches:record`.
 *
 * Sources are read from the loaded modules (`Function.prototype.toString`, or the file's text for
 * module-private functions); a function a patch replaced in this process is read through the
 * `original` the patch keeps, so the fingerprints are the library's whether or not patches are in.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The pinned packages (package.json), each fingerprinted by its installed version. */
export const ETHEREUMJS_PACKAGES = ["block", "blockchain", "common", "evm", "mpt", "rlp", "statemanager", "tx", "util", "vm"] as const;

export interface UpstreamSource {
  /** "<package>/<file>#<function>" or "<package>/<file>" for a whole file. */
  id: string;
  /** The patch (or Concord file) that replaces it, copies from it or depends on its shape. */
  usedBy: string;
  text: string;
}

type AnyFunction = ((...args: never[]) => unknown) & { original?: AnyFunction };

/** A function's own source, or the original's when a patch replaced it in this process. */
function sourceOf(fn: AnyFunction | undefined, id: string): string {
  if (typeof fn !== "function") throw new Error(`${id}: not found in the installed @ethereumjs`);
  return (fn.original ?? fn).toString();
}

function moduleUrl(pkg: string, file: string): string {
  return new URL(`./${file}`, import.meta.resolve(`@ethereumjs/${pkg}`)).href;
}

async function load<T>(pkg: string, file: string): Promise<T> {
  return (await import(moduleUrl(pkg, file))) as T;
}

function fileText(pkg: string, file: string): string {
  return readFileSync(fileURLToPath(moduleUrl(pkg, file)), "utf8");
}

/** Every upstream source a patch depends on, read from the installed packages. */
export async function upstreamSources(): Promise<UpstreamSource[]> {
  type Proto = { prototype: Record<string, AnyFunction> } & AnyFunction;
  const { Interpreter } = await load<{ Interpreter: Proto }>("evm", "interpreter.js");
  const { EVM } = await load<{ EVM: Proto }>("evm", "evm.js");
  const { dynamicGasHandlers } = await load<{ dynamicGasHandlers: Map<number, AnyFunction> }>("evm", "opcodes/gas.js");
  const { handlers } = await load<{ handlers: Map<number, AnyFunction> }>("evm", "opcodes/functions.js");
  const { subMemUsage } = await load<{ subMemUsage: AnyFunction }>("evm", "opcodes/util.js");
  const { getOpcodesForHF } = await load<{ getOpcodesForHF: AnyFunction }>("evm", "opcodes/codes.js");
  const { EVMError } = await load<{ EVMError: Proto }>("evm", "errors.js");
  const statemanager = await load<Record<string, Proto>>("statemanager", "index.js");
  const mpt = await load<Record<string, Proto>>("mpt", "index.js");
  const { Common } = await load<{ Common: Proto }>("common", "index.js");
  const legacy = await load<{ hash: AnyFunction; getSenderAddress: AnyFunction }>("tx", "capabilities/legacy.js");

  const fn = (id: string, usedBy: string, f: AnyFunction | undefined): UpstreamSource => ({ id, usedBy, text: sourceOf(f, id) });
  const file = (pkg: string, path: string, usedBy: string): UpstreamSource => ({ id: `${pkg}/${path}`, usedBy, text: fileText(pkg, path) });
  const interpreter = (method: string, usedBy: string) => fn(`evm/interpreter.js#Interpreter.prototype.${method}`, usedBy, Interpreter.prototype[method]);
  const trie = (method: string, usedBy: string) => fn(`mpt/mpt.js#MerklePatriciaTrie.prototype.${method}`, usedBy, mpt.MerklePatriciaTrie!.prototype[method]);
  const gasHandler = (opcode: number, name: string) =>
    fn(`evm/opcodes/gas.js#dynamicGasHandlers.get(${name})`, "interpreterLoop.ts (memory and KECCAK256 gas computed inline)", dynamicGasHandlers.get(opcode));

  return [
    // The interpreter loop: a copy of `run`, and `runStep`'s order (dynamic gas, invalid check, useGas, pc++, handler).
    interpreter("run", "interpreterLoop.ts (replaced)"),
    interpreter("runStep", "interpreterLoop.ts (inlined for plain steps)"),
    interpreter("useGas", "interpreterLoop.ts"),
    interpreter("lookupOpInfo", "interpreterLoop.ts"),
    interpreter("_getValidJumpDestinations", "jumpAnalysisCache.ts (memoized), interpreterLoop.ts"),
    fn("evm/errors.js#EVMError", "interpreterLoop.ts (error types and messages)", EVMError),
    gasHandler(0x51, "MLOAD"),
    gasHandler(0x52, "MSTORE"),
    gasHandler(0x53, "MSTORE8"),
    gasHandler(0x20, "KECCAK256"),
    fn("evm/opcodes/util.js#subMemUsage", "interpreterLoop.ts (memory gas)", subMemUsage),
    // The opcode tables: shared between EVMs, with a faster MSTORE.
    fn("evm/evm.js#EVM.prototype.getActiveOpcodes", "opcodeTableCache.ts (wrapped)", EVM.prototype.getActiveOpcodes),
    fn("evm/opcodes/codes.js#getOpcodesForHF", "opcodeTableCache.ts (tables assumed a pure function of fork, EIPs and parameters)", getOpcodesForHF),
    fn("evm/opcodes/functions.js#handlers.get(MSTORE)", "opcodeTableCache.ts (replaced by fastMstore)", handlers.get(0x52)),
    // RLP: encode and decode replaced, with the same results and errors.
    file("rlp", "index.js", "rlpCodec.ts (RLP.encode and RLP.decode replaced)"),
    // State manager and caches: subclasses that override methods and use private fields.
    fn("statemanager/merkleStateManager.js#MerkleStateManager", "stateManager.ts (getAccount, putStorage, flush, shallowCopy overridden)", statemanager.MerkleStateManager),
    fn("statemanager/cache/caches.js#Caches", "stateCaches.ts (ConcordCaches)", statemanager.Caches),
    fn("statemanager/cache/account.js#AccountCache", "stateCaches.ts (put overridden, elements held decoded)", statemanager.AccountCache),
    fn("statemanager/cache/storage.js#StorageCache", "stateCaches.ts (element map replaced)", statemanager.StorageCache),
    fn("statemanager/cache/code.js#CodeCache", "stateCaches.ts (element map replaced)", statemanager.CodeCache),
    // The trie: node lookups cached, findPath replaced, puts and deletes batched.
    trie("lookupNode", "trieNodeCache.ts (wrapped)"),
    trie("findPath", "trieNodeCache.ts (replaced by a direct descent)"),
    trie("shallowCopy", "trieNodeCache.ts (wrapped)"),
    trie("put", "trieBatchUpdate.ts (a block's puts applied in one pass)"),
    trie("del", "trieBatchUpdate.ts"),
    trie("_updateNode", "trieBatchUpdate.ts"),
    trie("_deleteNode", "trieBatchUpdate.ts"),
    trie("saveStack", "trieBatchUpdate.ts"),
    trie("_createInitialNode", "trieBatchUpdate.ts"),
    trie("appliedKey", "trieBatchUpdate.ts"),
    trie("_getDbKey", "trieBatchUpdate.ts"),
    trie("_formatNode", "trieBatchUpdate.ts, orderedTrie.ts (node embedding)"),
    fn("mpt/node/branch.js#BranchMPTNode", "trieNodeCache.ts (copyNode), trieBatchUpdate.ts", mpt.BranchMPTNode),
    fn("mpt/node/leaf.js#LeafMPTNode", "trieNodeCache.ts (copyNode), trieBatchUpdate.ts", mpt.LeafMPTNode),
    fn("mpt/node/extension.js#ExtensionMPTNode", "trieNodeCache.ts (copyNode), trieBatchUpdate.ts", mpt.ExtensionMPTNode),
    // Commons with their parameters merged once.
    fn("common/common.js#Common.prototype.copy", "preparedCommon.ts (copies keep own properties)", Common.prototype.copy),
    fn("common/common.js#Common.prototype.updateParams", "preparedCommon.ts (replaced on prepared copies)", Common.prototype.updateParams),
    // A transaction's hash seeded from the bytes it arrived in.
    fn("tx/capabilities/legacy.js#hash", "transactionEncoding.ts (seeds cache.hash)", legacy.hash),
    fn("tx/capabilities/legacy.js#getSenderAddress", "transactionEncoding.ts (sender address remembered, every class)", legacy.getSenderAddress),
    // The block procedure Concord runs instead of runBlock / BlockBuilder.
    file("vm", "runBlock.js", "blockExecutor.ts, systemCalls.ts (the block procedure, prologue and requests)"),
    file("vm", "requests.js", "systemCalls.ts (EIP-7685 requests)"),
  ];
}

/** The installed version of each pinned @ethereumjs package (entry points are dist/esm/index.js). */
export function installedVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of ETHEREUMJS_PACKAGES) {
    const manifest = new URL("../../package.json", import.meta.resolve(`@ethereumjs/${name}`));
    versions[`@ethereumjs/${name}`] = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  }
  return versions;
}

export interface UpstreamFingerprints {
  versions: Record<string, string>;
  sources: Record<string, { sha256: string; usedBy: string }>;
}

export async function upstreamFingerprints(): Promise<UpstreamFingerprints> {
  const sources: UpstreamFingerprints["sources"] = {};
  for (const source of await upstreamSources()) {
    sources[source.id] = { sha256: createHash("sha256").update(source.text).digest("hex"), usedBy: source.usedBy };
  }
  return { versions: installedVersions(), sources };
}

/** Where the recorded fingerprints live (committed). */
export const RECORDED_FINGERPRINTS = new URL("./upstreamSources.json", import.meta.url);
