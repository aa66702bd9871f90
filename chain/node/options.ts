/**
 * A node's options, their defaults and their validation: one `NodeOptions`, checked once when a
 * `ConcordNode` is made, before anything is built.
 */
import type { EngineOptions } from "../consensus/engineFactory.ts";
import type { ConsensusNetwork } from "../consensus/engine.ts";
import type { GenesisConfig } from "../execution/genesis.ts";
import type { RpcServerOptions } from "../rpc/server.ts";
import type { TxPoolOptions } from "../txpool/index.ts";
import type { ConsoleOutput } from "../execution/consoleLog.ts";
import { NodeOptionsError } from "./errors.ts";

export const CLIENT_VERSION = `Concord/v0.1.0/node-${process.version}`;
/**
 * web3_clientVersion in dev mode. Hardhat's network helpers (loadFixture, time, impersonation...)
 * refuse any node whose version does not start with "hardhat", "zksync" or "anvil"; a dev-mode node
 * answers the Anvil method set, so it says "anvil". Nothing else in Hardhat, hardhat-ethers or
 * Ignition reads the version (Ignition's Ganache check aside), so the prefix changes nothing else.
 */
export const DEV_CLIENT_VERSION = `anvil-compatible/Concord/v0.1.0/node-${process.version}`;

/** How many of the test mnemonic's accounts a node signs for unless told otherwise. */
export const DEFAULT_DEV_ACCOUNTS = 20;

export interface NodeOptions {
  /** Where the chain is stored (LevelDB); undefined keeps everything in memory (tests). */
  dataDir?: string;
  genesis: GenesisConfig;
  /** This node's validator key (32 bytes). Without one the node follows and serves RPC but does not produce blocks. */
  validatorKey?: Uint8Array;
  /** JSON-RPC endpoint; false: none. */
  rpc?: false | (Omit<RpcServerOptions, "port"> & { port: number });
  /** The single-validator engine's empty block after this many ms without a block; undefined: blocks only for transactions. */
  heartbeatMs?: number;
  /** Gas limit new blocks head for (moving by at most parent/1024 per block); default: the genesis one. */
  blockGasLimit?: bigint;
  txpool?: Partial<TxPoolOptions>;
  /** How many of the test mnemonic's accounts the node signs for (eth_accounts); default 20. */
  devAccounts?: number;
  /**
   * fsync every committed block and, on a BFT validator, every WAL record and sign-state record it
   * must not forget (default true). false: all of them survive the process being killed, not an OS
   * crash or power loss (a devnet's default).
   */
  syncWrites?: boolean;
  /** The consensus engine a validator runs (chain/consensus/engineFactory.ts); default: single-validator. */
  engine?: EngineOptions;
  /** The transport to the other validators (chain/p2p/ over libp2p); needed by the tendermint engine. */
  network?: ConsensusNetwork;
  /**
   * Answer a transaction's submission once it is in a committed block (Hardhat's automine promise, for
   * a devnet of several validators; chain/node/committedAnswers.ts). Dev mode has its own.
   */
  answerAfterCommit?: boolean;
  /**
   * Limits of eth_call, eth_estimateGas and debug_traceTransaction, which run on worker threads
   * (chain/execution/offThread/): gas cap (geth's --rpc.gascap, default 50,000,000), wall-clock limit
   * per call (--rpc.evmtimeout, default 5 s), worker count.
   */
  calls?: { gasCap?: bigint; timeoutMs?: number; workers?: number; maxQueued?: number };
  /**
   * Receives Solidity console.log output (hardhat/console.sol) of committed transactions and of
   * eth_call / eth_estimateGas, as Hardhat's node prints it. Unset: not collected (no cost).
   */
  consoleLog?: (output: ConsoleOutput) => void;
  /** Called with errors of background block production. */
  onError?: (error: unknown) => void;
  /**
   * The Hardhat / Anvil development methods (evm_snapshot, evm_increaseTime, hardhat_setBalance,
   * impersonation, automine...; chain/dev/). Only for a single validator with the built-in engine:
   * `concord devnet` and `concord node` set it. Default false: those methods answer an error.
   */
  devMode?: boolean;
}

export function validateNodeOptions(options: NodeOptions): void {
  const fail = (option: string, reason: string) => {
    throw new NodeOptionsError(option, reason);
  };
  if (options.genesis === undefined) fail("genesis", "required");
  if (options.dataDir !== undefined && (typeof options.dataDir !== "string" || options.dataDir.length === 0)) fail("dataDir", "must be a non-empty path");
  if (options.validatorKey !== undefined && options.validatorKey.length !== 32) fail("validatorKey", "must be 32 bytes");
  if (options.heartbeatMs !== undefined && !(Number.isFinite(options.heartbeatMs) && options.heartbeatMs > 0)) fail("heartbeatMs", "must be a positive number");
  if (options.blockGasLimit !== undefined && (options.blockGasLimit < 30_000_000n || options.blockGasLimit >= 2n ** 63n)) {
    fail("blockGasLimit", "must be at least 30000000 and below 2^63");
  }
  if (options.genesis.gasLimit < 30_000_000n) fail("genesis.gasLimit", "must be at least 30000000");
  const calls = options.calls ?? {};
  if (calls.gasCap !== undefined && !(calls.gasCap >= 21_000n && calls.gasCap < 2n ** 64n)) fail("calls.gasCap", "must be at least 21000 and below 2^64");
  if (calls.timeoutMs !== undefined && !(Number.isFinite(calls.timeoutMs) && calls.timeoutMs > 0)) fail("calls.timeoutMs", "must be a positive number");
  if (calls.workers !== undefined && !(Number.isSafeInteger(calls.workers) && calls.workers >= 1 && calls.workers <= 64)) fail("calls.workers", "must be an integer in [1, 64]");
  if (options.devAccounts !== undefined && !(Number.isSafeInteger(options.devAccounts) && options.devAccounts >= 0 && options.devAccounts <= 1000)) {
    fail("devAccounts", "must be an integer in [0, 1000]");
  }
  if (options.rpc !== undefined && options.rpc !== false && !(Number.isSafeInteger(options.rpc.port) && options.rpc.port >= 0 && options.rpc.port < 65536)) {
    fail("rpc.port", "must be an integer in [0, 65535]");
  }
  const engine = options.engine;
  if (engine !== undefined && engine.kind !== "single-validator" && engine.kind !== "tendermint" && engine.kind !== "custom") {
    fail("engine.kind", `unknown engine ${JSON.stringify((engine as { kind: unknown }).kind)} (single-validator, tendermint or custom)`);
  }
  if (engine?.kind === "tendermint" && (options.network === undefined || options.dataDir === undefined)) {
    fail("engine", "the tendermint engine needs a network (the validators' transport) and a dataDir (its write-ahead log and sign state)");
  }
  if (options.devMode === true && (options.validatorKey === undefined || (engine !== undefined && engine.kind !== "single-validator"))) {
    fail("devMode", "needs a validatorKey and the built-in single-validator engine (dev methods rewrite history only a lone validator decides)");
  }
}

/** The engine a validator runs: the one chosen, else the single-validator engine with the node's heartbeat. */
export function engineOptions(options: NodeOptions): EngineOptions {
  const engine = options.engine ?? { kind: "single-validator" };
  return engine.kind === "single-validator" ? { ...engine, heartbeatMs: engine.heartbeatMs ?? options.heartbeatMs } : engine;
}
