/**
 * The shared opcode tables (opcodeTableCache.ts): EVMs on the same parameters share them, and their
 * MSTORE writes exactly what ethereumjs' own handler writes; on two hardforks whose tables differ,
 * each EVM gets its own fork's table, and blocks and code give the same results as with per-EVM tables.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { bigIntToBytes, bytesToBigInt, bytesToHex, setLengthLeft } from "@ethereumjs/util";
import { createConcordCommon } from "../../../../chain/execution/common.ts";
import { openExecutionState } from "../../../../chain/execution/executionState.ts";
import { fastMstore, setOpcodeTableCacheEnabled, wordBytes } from "../../../../chain/execution/patches/opcodeTableCache.ts";
import { emptyStateSource } from "../../../../chain/execution/stateNodeDb.ts";
import { seeded } from "../seededRandom.ts";
import { COMMON_AT, FORKS, TRANSIENT_AT, TRANSIENT_CODE, forkCommon, runBlockOn, runCodeOn } from "./forkBlocks.ts";

const MAX_WORD = 2n ** 256n - 1n;
/** Fixed: a word that fails is named in the message. */
const random = seeded(401);
const words = [0n, 1n, 0xffn, 0x100n, 2n ** 64n, 2n ** 255n, MAX_WORD, ...Array.from({ length: 200 }, (_, i) => bytesToBigInt(random.bytes(1 + (i % 32))))];

test("wordBytes gives ethereumjs' 32-byte big-endian encoding of every word", () => {
  for (const word of words) {
    const bytes = wordBytes(word);
    assert.equal(bytes.length, 32);
    assert.equal(bytesToHex(bytes), bytesToHex(setLengthLeft(bigIntToBytes(word), 32)), `word ${word}`);
  }
});

const common = await createConcordCommon();

async function openVm() {
  return openExecutionState(common, emptyStateSource, { blockHash: async () => undefined }, new MerklePatriciaTrie().EMPTY_TRIE_ROOT);
}

test("EVMs on the same parameters share one table, whose MSTORE is the fast one", async () => {
  const [a, b] = [await openVm(), await openVm()];
  const tables = (state: Awaited<ReturnType<typeof openVm>>) => (state.vm.evm as unknown as { _opcodeMap: { opHandler: unknown }[] })._opcodeMap;
  assert.equal(tables(a), tables(b));
  assert.equal(tables(a)[0x52]!.opHandler, fastMstore);
});

test("MSTORE through the VM stores every word as ethereumjs would, at aligned and unaligned offsets", async () => {
  const { vm } = await openVm();
  for (const [i, word] of words.entries()) {
    const offset = (i * 7) % 100;
    // PUSH32 word, PUSH1 offset, MSTORE, PUSH1 32, PUSH1 offset, RETURN
    const code = Uint8Array.from([0x7f, ...setLengthLeft(bigIntToBytes(word), 32), 0x60, offset, 0x52, 0x60, 32, 0x60, offset, 0xf3]);
    const result = await vm.evm.runCode!({ code, gasLimit: 100_000n });
    assert.equal(result.exceptionError, undefined);
    assert.equal(bytesToHex(result.returnValue), bytesToHex(setLengthLeft(bigIntToBytes(word), 32)), `word ${word} at ${offset}`);
  }
  // Memory expansion is charged as before: a store at offset 1000 costs the expansion to 1032 bytes.
  const far = Uint8Array.from([0x60, 1, 0x61, 0x03, 0xe8, 0x52, 0x00]); // PUSH1 1, PUSH2 1000, MSTORE, STOP
  const result = await vm.evm.runCode!({ code: far, gasLimit: 100_000n });
  const words32 = 33n; // ceil(1032 / 32)
  assert.equal(result.executionGasUsed, 3n + 3n + 3n + 3n * words32 + (words32 * words32) / 512n);
});

async function withTableCache<T>(on: boolean, body: () => Promise<T>): Promise<T> {
  setOpcodeTableCacheEnabled(on);
  try {
    return await body();
  } finally {
    setOpcodeTableCacheEnabled(true);
  }
}

test("EVMs on Shanghai and on Cancun each share their own fork's table", async () => {
  type Table = { opcodeInfo: { name: string } }[];
  const open = async (fork: (typeof FORKS)[number]) =>
    ((await openExecutionState(await forkCommon(fork), emptyStateSource, { blockHash: async () => undefined }, new MerklePatriciaTrie().EMPTY_TRIE_ROOT)).vm.evm as unknown as {
      _opcodeMap: Table;
    })._opcodeMap;
  const [shanghaiA, cancunA, shanghaiB, cancunB] = [await open("shanghai"), await open("cancun"), await open("shanghai"), await open("cancun")];
  assert.equal(shanghaiA, shanghaiB);
  assert.equal(cancunA, cancunB);
  assert.notEqual(shanghaiA, cancunA);
  for (const [opcode, name] of [[0x5c, "TLOAD"], [0x5d, "TSTORE"], [0x5e, "MCOPY"]] as const) {
    assert.equal(cancunA[opcode]!.opcodeInfo.name, name);
    assert.equal(shanghaiA[opcode]!.opcodeInfo.name, "INVALID", `${name} does not exist on Shanghai`);
  }
  assert.equal((shanghaiA[0x52] as unknown as { opHandler: unknown }).opHandler, fastMstore);
});

test("blocks and code on two hardforks give the same results with shared tables as with per-EVM tables", async () => {
  const calls = [{ to: TRANSIENT_AT }, { to: COMMON_AT, data: `0x${"09".padStart(64, "0")}` as const }, { to: TRANSIENT_AT }];
  const outcomes: Record<string, unknown> = {};
  for (const fork of FORKS) {
    const shared = await withTableCache(true, async () => ({ block: await runBlockOn(fork, calls), code: await runCodeOn(fork, TRANSIENT_CODE) }));
    const own = await withTableCache(false, async () => ({ block: await runBlockOn(fork, calls), code: await runCodeOn(fork, TRANSIENT_CODE) }));
    assert.deepEqual(shared, own, fork);
    outcomes[fork] = shared;
  }
  // The forks differ (TSTORE refused on Shanghai), so a table served to the wrong fork would show.
  assert.notDeepEqual(outcomes.shanghai, outcomes.cancun);
});
