/**
 * Blocks and code runs on two hardforks whose opcode tables differ (Shanghai: no TSTORE / TLOAD /
 * MCOPY; Cancun: all three), through Concord's execution path (openExecutionState, BlockRun). The
 * jump-analysis and opcode-table caches are tested with them: a cache that served one fork's table
 * or analysis to the other would run TSTORE where it is invalid, or refuse it where it is valid.
 */
import { Block } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { Account, KECCAK256_RLP, bytesToHex, createAddressFromString, hexToBytes } from "@ethereumjs/util";
import { BlockExecutor, BlockRun } from "../../../../chain/execution/blockExecutor.ts";
import { concordCrypto, initCrypto } from "../../../../chain/execution/crypto.ts";
import { devAccountKeys } from "../../../../chain/execution/devAccounts.ts";
import { openExecutionState } from "../../../../chain/execution/executionState.ts";
import { contextHeader } from "../../../../chain/execution/header.ts";
import type { StateNodeSource } from "../../../../chain/execution/stateNodeDb.ts";
import { emptyStateSource } from "../../../../chain/execution/stateNodeDb.ts";
import type { Hex } from "../../../../chain/types.ts";

export const FORKS = [Hardfork.Shanghai, Hardfork.Cancun] as const;
export type Fork = (typeof FORKS)[number];

/**
 * Jumps over two INVALID bytes (so the jump analysis runs before anything fork-specific), then
 * TSTORE 42 at key 1, TLOAD it, MSTORE it at 0, MCOPY the word to 0x20, SSTORE it at slot 0, LOG1 the
 * two words and RETURN them. Valid on Cancun; INVALID at the TSTORE on Shanghai.
 */
export const TRANSIENT_CODE = hexToBytes(
  `0x${[
    "600556fefe5b", // PUSH1 5 JUMP INVALID INVALID JUMPDEST
    "602a60015d", // PUSH1 42 PUSH1 1 TSTORE
    "60015c", // PUSH1 1 TLOAD
    "600052", // PUSH1 0 MSTORE
    "6020600060205e", // MCOPY(dest 0x20, src 0, size 0x20)
    "6020516000" + "55", // PUSH1 0x20 MLOAD PUSH1 0 SSTORE
    "600760406000a1", // LOG1(offset 0, size 0x40, topic 7)
    "60406000f3", // RETURN(0, 0x40)
  ].join("")}`,
);

/** A jump, PUSH0, calldata into slot 1, JUMPDESTs inside PUSH data: the same on both forks (a control). */
export const COMMON_CODE = hexToBytes(
  `0x${[
    "6006565f5f00", // PUSH1 6 JUMP PUSH0 PUSH0 STOP
    "5b5f35600155", // JUMPDEST PUSH0 CALLDATALOAD PUSH1 1 SSTORE
    "615b5b5000", // PUSH2 0x5b5b POP STOP
  ].join("")}`,
);

export const TRANSIENT_AT = "0x00000000000000000000000000000000000a11ce" as Hex;
export const COMMON_AT = "0x00000000000000000000000000000000000c0de0" as Hex;

const commons = new Map<Fork, Common>();

/** Mainnet at `fork` with Concord's crypto (one per fork: EVMs on it share prepared parameters). */
export async function forkCommon(fork: Fork): Promise<Common> {
  await initCrypto();
  let common = commons.get(fork);
  if (common === undefined) {
    common = new Common({ chain: Mainnet, hardfork: fork, customCrypto: concordCrypto });
    commons.set(fork, common);
  }
  return common;
}

/** Runs `code` (this very array: the caches key on it) on a fresh EVM of `fork`. */
export async function runCodeOn(fork: Fork, code: Uint8Array) {
  const { vm } = await openExecutionState(await forkCommon(fork), emptyStateSource, { blockHash: async () => undefined }, KECCAK256_RLP);
  const address = createAddressFromString(TRANSIENT_AT);
  await vm.stateManager.putAccount(address, new Account(1n)); // SSTORE needs the account (a non-empty one) to exist
  const result = await vm.evm.runCode!({ code, to: address, gasLimit: 200_000n });
  return {
    error: result.exceptionError?.error,
    gas: result.executionGasUsed,
    returned: bytesToHex(result.returnValue),
    logs: (result.logs ?? []).map((log) => log.map((part) => (Array.isArray(part) ? part.map(bytesToHex) : bytesToHex(part)))),
  };
}

class Committed implements StateNodeSource {
  constructor(private readonly nodes: ReadonlyMap<string, Uint8Array>) {}
  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    return this.nodes.get(key);
  }
}

/**
 * A block of `calls` (each a transaction from a dev account, data as given) to the two contracts on
 * `fork`, as the node runs one: pre-state flushed and committed, a fresh execution state, BlockRun.
 */
export async function runBlockOn(fork: Fork, calls: { to: Hex; data?: Hex }[]) {
  const common = await forkCommon(fork);
  const blockHashes = { blockHash: async () => undefined };
  const sender = devAccountKeys(1)[0]!;
  const genesis = await openExecutionState(common, emptyStateSource, blockHashes, KECCAK256_RLP);
  await genesis.stateManager.putAccount(createAddressFromString(sender.address), new Account(0n, 10n ** 20n));
  for (const [at, code] of [[TRANSIENT_AT, TRANSIENT_CODE], [COMMON_AT, COMMON_CODE]] as const) {
    await genesis.stateManager.putAccount(createAddressFromString(at), new Account());
    await genesis.stateManager.putCode(createAddressFromString(at), code);
  }
  const preRoot = await genesis.stateManager.getStateRoot();
  const executor = new BlockExecutor({ common, stateNodes: new Committed(genesis.db.writes()), blockHashes });
  const block = new Block(
    contextHeader({ number: 1n, timestamp: 1000n, gasLimit: 30_000_000n, baseFeePerGas: 7n, coinbase: createAddressFromString(COMMON_AT) }, common),
    [],
    [],
    [],
    { common },
  );
  const run = await BlockRun.start(executor, await executor.openState(preRoot), block);
  const txs = calls.map(({ to, data }, nonce) =>
    createFeeMarket1559Tx({ nonce: BigInt(nonce), to, data, gasLimit: 200_000n, maxFeePerGas: 100n, maxPriorityFeePerGas: 1n, chainId: 1n }, { common }).sign(sender.privateKey),
  );
  for (const tx of txs) await run.runTransaction(tx);
  const outcome = await run.finish(txs);
  return {
    stateRoot: bytesToHex(outcome.stateRoot),
    receiptsRoot: bytesToHex(outcome.receiptsRoot),
    receipts: outcome.receipts.map((r) => ({ status: r.status, gasUsed: r.gasUsed, logs: r.logs.length })),
  };
}
