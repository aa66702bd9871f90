/**
 * The official Ethereum state tests (ethereum/tests GeneralStateTests, Cancun post-states) as a flat
 * list of cases, and what running one must produce. Imports nothing of Concord's execution (the
 * unpatched runner uses it in a process where no patch may be installed).
 *
 * A file holds named tests; a test has a pre-state, a block environment, a transaction template and,
 * under `post.Cancun`, one expectation per combination of data / gas / value indexes: the state root
 * after the transaction (`hash`), keccak(RLP(logs)) (`logs`), the signed transaction (`txbytes`) and,
 * when the transaction must be refused, `expectException`. Each expectation is a case.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RLP } from "@ethereumjs/rlp";
import { Account, bytesToHex, createAddressFromString, hexToBytes, setLengthLeft, unpadBytes, utf8ToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** The fixtures sit beside the project: <repo>/../shared/ethereum-tests (read-only in CI). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const ETHEREUM_TESTS = process.env.CONCORD_ETHEREUM_TESTS ?? resolve(REPO_ROOT, "../shared/ethereum-tests");
export const GENERAL_STATE_TESTS = join(ETHEREUM_TESTS, "GeneralStateTests");

/**
 * Tests skipped by name: the ones TOOLCHAIN.md says take minutes to hours in any JS EVM. `loopMul`
 * (VMTests/vmPerformance) multiplies in a loop until ~a billion gas is spent. (The other one named
 * there, the 2^32-round Blake2f precompile case, is not in this slice of ethereum/tests.)
 */
export const SKIPPED_BY_NAME: ReadonlyMap<string, string> = new Map([["loopMul", "a multiplication loop worth ~1e9 gas: minutes to hours in a JS EVM (TOOLCHAIN.md)"]]);

export interface AccountState {
  balance: string;
  nonce: string;
  code: string;
  storage: Record<string, string>;
}

export interface StateTestEnv {
  currentCoinbase: string;
  currentGasLimit: string;
  currentNumber: string;
  currentTimestamp: string;
  currentBaseFee: string;
  currentRandom: string;
  currentDifficulty: string;
  currentExcessBlobGas: string;
}

export interface StateTestCase {
  /** `<file under GeneralStateTests>:<test>:d<data>g<gas>v<value>` */
  id: string;
  file: string;
  test: string;
  env: StateTestEnv;
  pre: Record<string, AccountState>;
  txBytes: Uint8Array;
  expectedRoot: string;
  expectedLogs: string;
  /** The transaction must be refused (state unchanged but for the coinbase touch). */
  expectException?: string;
}

/** What a runner observed for a case. */
export interface CaseOutcome {
  id: string;
  root: string;
  logs: string;
  /** The transaction was refused (did not decode, is invalid, or runTx threw). */
  refused: boolean;
  /** Why it was refused, or the runner's own error. */
  error?: string;
  ms: number;
}

interface RawPost {
  hash: string;
  logs: string;
  txbytes: string;
  indexes: { data: number; gas: number; value: number };
  expectException?: string;
}

/** Throws a clear error when the fixtures are not where they must be. */
export function requireFixtures(dir = GENERAL_STATE_TESTS): void {
  if (!existsSync(dir)) {
    throw new Error(
      `The Ethereum state tests are missing: expected ${dir} (the shared/ folder beside the project's clone, ` +
        `with ethereum-tests/GeneralStateTests from ethereum/tests; or set CONCORD_ETHEREUM_TESTS to its path).`,
    );
  }
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(path));
    else if (entry.name.endsWith(".json")) out.push(path);
  }
  return out.sort();
}

/** Every Cancun case of every file, in a stable order; `skipped` lists what SKIPPED_BY_NAME removed. */
export function loadStateTestCases(): { cases: StateTestCase[]; skipped: string[]; files: number } {
  requireFixtures();
  const cases: StateTestCase[] = [];
  const skipped: string[] = [];
  const files = jsonFiles(GENERAL_STATE_TESTS);
  for (const path of files) {
    const file = relative(GENERAL_STATE_TESTS, path);
    const tests = JSON.parse(readFileSync(path, "utf8")) as Record<string, { env: StateTestEnv; pre: Record<string, AccountState>; post: Record<string, RawPost[]> }>;
    for (const [test, data] of Object.entries(tests)) {
      for (const post of data.post.Cancun ?? []) {
        const { data: d, gas: g, value: v } = post.indexes;
        const id = `${file}:${test}:d${d}g${g}v${v}`;
        if (SKIPPED_BY_NAME.has(test)) {
          skipped.push(id);
          continue;
        }
        cases.push({
          id,
          file,
          test,
          env: data.env,
          pre: data.pre,
          txBytes: hexToBytes(post.txbytes as PrefixedHexString),
          expectedRoot: post.hash.toLowerCase(),
          expectedLogs: post.logs.toLowerCase(),
          expectException: post.expectException,
        });
      }
    }
  }
  return { cases, skipped, files: files.length };
}

/** Whether an outcome is what the case expects: same root, same logs hash, refused iff it must be. */
export function passes(kase: StateTestCase, outcome: CaseOutcome): boolean {
  return outcome.root === kase.expectedRoot && outcome.logs === kase.expectedLogs && outcome.refused === (kase.expectException !== undefined);
}

/** Hex as the fixtures write it ("0x1", "0x0de0", "0x") to bytes. */
export function bytesOf(hex: string): Uint8Array {
  const digits = hex.startsWith("0x") ? hex.slice(2) : hex;
  return hexToBytes(`0x${digits.length % 2 === 1 ? `0${digits}` : digits}`);
}

/** What state managers need to write the pre-state (the same calls for both runners). */
interface PreStateWriter {
  putAccount(address: ReturnType<typeof createAddressFromString>, account: Account): Promise<void>;
  putCode(address: ReturnType<typeof createAddressFromString>, code: Uint8Array): Promise<void>;
  putStorage(address: ReturnType<typeof createAddressFromString>, key: Uint8Array, value: Uint8Array): Promise<void>;
}

export async function writePreState(state: PreStateWriter, pre: Record<string, AccountState>): Promise<void> {
  for (const [addressHex, account] of Object.entries(pre)) {
    const address = createAddressFromString(addressHex);
    await state.putAccount(address, new Account(BigInt(account.nonce), BigInt(account.balance)));
    const code = bytesOf(account.code);
    if (code.length > 0) await state.putCode(address, code);
    for (const [key, value] of Object.entries(account.storage)) {
      const word = unpadBytes(bytesOf(value));
      if (word.length > 0) await state.putStorage(address, setLengthLeft(bytesOf(key), 32), setLengthLeft(word, 32));
    }
  }
}

/** The block the transaction runs in (fields for createBlockHeader). */
export function headerFields(env: StateTestEnv) {
  return {
    coinbase: createAddressFromString(env.currentCoinbase),
    number: BigInt(env.currentNumber),
    timestamp: BigInt(env.currentTimestamp),
    gasLimit: BigInt(env.currentGasLimit),
    baseFeePerGas: BigInt(env.currentBaseFee),
    difficulty: 0n,
    mixHash: setLengthLeft(bytesOf(env.currentRandom), 32),
    excessBlobGas: BigInt(env.currentExcessBlobGas),
    blobGasUsed: 0n,
  };
}

/**
 * BLOCKHASH as the reference clients' state-test runners answer it (geth's vmTestBlockHash):
 * keccak256 of the block number's decimal string.
 */
export function testBlockHash(number: bigint): Uint8Array {
  return keccak_256(utf8ToBytes(number.toString()));
}

/**
 * The KZG slot of `customCrypto` for both runners. ethereumjs refuses to instantiate any blob
 * transaction without one, though it only uses it to check blobs of a network wrapper; the fixtures'
 * transactions carry none (only versioned hashes), and neither does Concord, which refuses blob
 * transactions. Every method throws, so a path that did need KZG fails loudly instead of passing.
 */
export const NO_BLOBS_KZG = new Proxy({} as Record<string, unknown>, {
  get(_target, property) {
    if (property === "then") return undefined;
    return () => {
      throw new Error(`KZG ${String(property)} called: state tests carry no blobs and Concord has no KZG setup`);
    };
  },
}) as never;

/** keccak256(RLP(logs)), as the fixtures' `logs`. */
export function logsHash(logs: unknown[] | undefined): string {
  return bytesToHex(keccak_256(RLP.encode((logs ?? []) as Parameters<typeof RLP.encode>[0])));
}
