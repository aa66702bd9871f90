/**
 * The development methods of Hardhat's and Anvil's nodes, on a Concord node in dev mode (a
 * single-validator devnet; chain/dev/ does the work). Names, parameters and results follow Hardhat
 * (`hardhat_*`, `evm_*`), with Anvil's `anvil_*` aliases answering Anvil's result shapes (null where
 * Anvil returns nothing). What Hardhat's network helpers send, and how:
 *   loadFixture / takeSnapshot   evm_snapshot, evm_revert (ids "0x1", "0x2"...; an id is single-use)
 *   time.increase / increaseTo   evm_setNextBlockTimestamp + hardhat_mine
 *   mine / mineUpTo              hardhat_mine [count, interval]
 *   setBalance / setCode / setNonce / setStorageAt, impersonateAccount, setCoinbase,
 *   setNextBlockBaseFeePerGas, setPrevRandao, dropTransaction, setBlockGasLimit
 * Ignition asks hardhat_metadata on chain 31337 (its instanceId tells a restarted node from a new
 * chain) and hardhat_getAutomine; hardhat-ethers probes hardhat_metadata to poll faster.
 *
 * On a node without dev mode every method here answers -32601, saying it exists only on a
 * single-validator devnet (after the parameter checks every method gets): rewriting state, time or
 * history has no meaning where several validators must agree on every block, and the metadata
 * methods would tell Hardhat's and Ignition's probes that the node is a Hardhat-like dev chain.
 */
import type { RpcBackend } from "../backend.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { defineMethod, type MethodTable, type RpcContext, type RpcMethod } from "../method.ts";
import { fillTransaction } from "../transactionFill.ts";
import { address, bool, data, hash, object, optional, ParamError, quantity, storageSlot, transactionRequest, uint64, type Validator } from "../validation.ts";
import { accountMethods } from "./accounts.ts";
import { executionMethods } from "./execution.ts";
import { asDevModeBackend, type ChainMetadata } from "../../dev/devModeBackend.ts";
import { encodeDumpForRpc, parseStateDump } from "../../dev/stateDump.ts";
import { MAX_BLOCKS_PER_MINE, type DevChain } from "../../dev/devChain.ts";

/** Seconds, as Hardhat takes them: a JSON number or a hex quantity. */
const seconds: Validator<bigint> = (value) => {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new ParamError(`expected a non-negative integer number of seconds, got ${value}`);
    return BigInt(value);
  }
  return uint64(value);
};

/** A storage word: exactly 32 bytes, as Hardhat requires for hardhat_setStorageAt. */
const word: Validator<Uint8Array> = (value) => {
  const bytes = data(value);
  if (bytes.length !== 32) throw new ParamError(`storage value must be exactly 32 bytes long, got ${bytes.length}`);
  return bytes;
};

const blockCount: Validator<number> = (value) => {
  const count = uint64(value);
  if (count > BigInt(MAX_BLOCKS_PER_MINE)) throw new ParamError(`block count ${count} is above the limit of ${MAX_BLOCKS_PER_MINE} blocks per call`);
  return Number(count);
};

/** Concord blocks have strictly increasing timestamps, so blocks are at least a second apart. */
const interval: Validator<bigint> = (value) => {
  const secondsApart = seconds(value);
  if (secondsApart < 1n) throw new ParamError("interval must be at least 1 second (block timestamps strictly increase)");
  return secondsApart;
};

const gasLimit: Validator<bigint> = (value) => {
  const limit = uint64(value);
  if (limit === 0n) throw new ParamError("block gas limit must be greater than 0");
  return limit;
};

/**
 * evm_setIntervalMining's argument, as Hardhat takes it: milliseconds between blocks (0 turns interval
 * mining off), or a [min, max] range each gap is drawn from.
 */
const blockInterval: Validator<{ minMs: number; maxMs: number } | undefined> = (value) => {
  const milliseconds = (entry: unknown, name: string): number => {
    if (typeof entry !== "number" || !Number.isSafeInteger(entry) || entry < 0) throw new ParamError(`${name} must be a non-negative integer number of milliseconds, got ${JSON.stringify(entry)}`);
    return entry;
  };
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new ParamError(`expected [min, max] milliseconds, got ${value.length} values`);
    const [minMs, maxMs] = [milliseconds(value[0], "min"), milliseconds(value[1], "max")];
    if (minMs === 0 || maxMs < minMs) throw new ParamError(`the range must have 0 < min <= max, got [${minMs}, ${maxMs}]`);
    return { minMs, maxMs };
  }
  const ms = milliseconds(value, "interval");
  return ms === 0 ? undefined : { minMs: ms, maxMs: ms };
};

/**
 * hardhat_reset's optional argument: Hardhat's `{ forking: { jsonRpcUrl, blockNumber } }` asks for a
 * fork, which a Concord devnet cannot be (nothing is downloaded); an empty object or none resets.
 */
const resetOptions: Validator<undefined> = (value) => {
  const fields = object(value);
  if (fields.forking !== undefined && fields.forking !== null) {
    throw new ParamError("forking is not supported: a Concord devnet is its own chain (reset without options to go back to its genesis)");
  }
  return undefined;
};

/** evm_mine's optional argument: a timestamp (Hardhat), or Anvil's { timestamp?, blocks? }. */
interface MineRequest {
  timestamp?: bigint;
  blocks: number;
}
const mineRequest: Validator<MineRequest> = (value) => {
  if (typeof value === "number" || typeof value === "string") return { timestamp: seconds(value), blocks: 1 };
  const fields = object(value);
  const request: MineRequest = { blocks: 1 };
  if (fields.timestamp !== undefined && fields.timestamp !== null) request.timestamp = fieldOf("timestamp", seconds, fields.timestamp);
  if (fields.blocks !== undefined && fields.blocks !== null) request.blocks = fieldOf("blocks", blockCount, fields.blocks);
  return request;
};

function fieldOf<T>(name: string, validator: Validator<T>, value: unknown): T {
  try {
    return validator(value);
  } catch (error) {
    if (error instanceof ParamError) throw new ParamError(`${name}: ${error.reason}`);
    throw error;
  }
}

/** Blocks one evm_mine may ask of a network of validators (each one agreed on, not made up). */
const MAX_BLOCKS_BY_AGREEMENT = 1_000;

/**
 * Blocks on a network of validators: started now, answered once the validators agreed on each
 * (refused, naming --validators 1, where the backend cannot ask for blocks at all).
 */
async function mineByAgreement(backend: RpcBackend, method: string, blocks: number): Promise<void> {
  if (backend.requestBlocks === undefined) devOf(backend, method);
  if (blocks > MAX_BLOCKS_BY_AGREEMENT) {
    throw new RpcError(RpcErrorCode.LimitExceeded, `${method} on a network of validators makes at most ${MAX_BLOCKS_BY_AGREEMENT} blocks per call (each is agreed on, ~15 ms); ${blocks} asked`);
  }
  await backend.requestBlocks!(blocks);
}

function devOf(backend: RpcBackend, method: string): DevChain {
  const dev = asDevModeBackend(backend)?.dev;
  if (dev === undefined) {
    throw new RpcError(
      RpcErrorCode.MethodNotFound,
      `the method ${method} is only available on a single-validator devnet in dev mode (npm start -- --validators 1, or concord devnet / concord node): validators that agree on every block cannot rewrite state, time or history for one client`,
    );
  }
  return dev;
}

type DevHandler<V extends readonly Validator<unknown>[]> = (
  dev: DevChain,
  params: { -readonly [K in keyof V]: V[K] extends Validator<infer T> ? T : never },
  context: RpcContext,
) => unknown;

/** A method that needs dev mode: the refusal names the method. */
function devMethod<const V extends readonly Validator<unknown>[]>(name: string, params: V, handler: DevHandler<V>): [string, RpcMethod] {
  return [name, defineMethod(params, (context, values) => handler(devOf(context.backend, name), values, context))];
}

/** A Hardhat method and its Anvil alias: same parameters, each with its own result shape. */
function withAlias<const V extends readonly Validator<unknown>[]>(
  names: [hardhat: string, anvil: string],
  params: V,
  handler: DevHandler<V>,
  results: { hardhat: (done: unknown) => unknown; anvil: (done: unknown) => unknown },
): [string, RpcMethod][] {
  return [
    devMethod(names[0], params, async (dev, values, context) => results.hardhat(await handler(dev, values, context))),
    devMethod(names[1], params, async (dev, values, context) => results.anvil(await handler(dev, values, context))),
  ];
}

/** Hardhat answers `true` for a setter, Anvil answers nothing. */
const setterResults = { hardhat: () => true, anvil: () => null };
const sameResult = { hardhat: (done: unknown) => done, anvil: (done: unknown) => done };

function metadataOf(backend: RpcBackend, method: string): ChainMetadata {
  devOf(backend, method);
  return asDevModeBackend(backend)!.metadata();
}

/** Hardhat's metadata shape: numbers as JSON numbers, hashes as hex. */
function hardhatMetadata(metadata: ChainMetadata) {
  return {
    clientVersion: metadata.clientVersion,
    chainId: Number(metadata.chainId),
    instanceId: metadata.instanceId,
    latestBlockNumber: Number(metadata.latestBlockNumber),
    latestBlockHash: metadata.latestBlockHash,
  };
}

const toHex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

export const devMethods: MethodTable = Object.fromEntries([
  // ------------------------------------------------------------------ identity
  ["hardhat_metadata", defineMethod([], ({ backend }) => hardhatMetadata(metadataOf(backend, "hardhat_metadata")))],
  [
    "anvil_metadata",
    defineMethod([], ({ backend }) => {
      const metadata = metadataOf(backend, "anvil_metadata");
      const dev = asDevModeBackend(backend)?.dev;
      const snapshots = Object.fromEntries(
        (dev?.snapshots() ?? []).map(([id, head]) => [`0x${id.toString(16)}`, [Number(head.number), toHex(head.hash)]]),
      );
      return { ...hardhatMetadata(metadata), forkedNetwork: null, snapshots };
    }),
  ],

  // ------------------------------------------------------------------ snapshots
  ...withAlias(["evm_snapshot", "anvil_snapshot"], [], (dev) => dev.snapshot(), sameResult),
  ...withAlias(["evm_revert", "anvil_revert"], [quantity], (dev, [id]) => dev.revert(id), sameResult),

  // ------------------------------------------------------------------ time and mining
  // Hardhat answers both as decimal strings (the total clock offset; the timestamp set), Anvil as a
  // number and nothing.
  ...withAlias(["evm_increaseTime", "anvil_increaseTime"], [seconds], (dev, [amount]) => dev.increaseTime(amount), {
    hardhat: (total) => String(total),
    anvil: (total) => Number(total),
  }),
  ...withAlias(
    ["evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp"],
    [seconds],
    async (dev, [timestamp]) => {
      await dev.setNextBlockTimestamp(timestamp);
      return timestamp;
    },
    { hardhat: (timestamp) => String(timestamp), anvil: () => null },
  ),
  [
    "evm_mine",
    defineMethod([optional(mineRequest)], async ({ backend }, [request]) => {
      const dev = asDevModeBackend(backend)?.dev;
      if (dev !== undefined) {
        await dev.mine(request?.blocks ?? 1, 1n, request?.timestamp);
        return "0x0";
      }
      if (request?.timestamp !== undefined && backend.requestBlocks !== undefined) {
        throw new RpcError(RpcErrorCode.InvalidParams, "evm_mine with a timestamp needs a single-validator devnet (npm start -- --validators 1): validators agree on each block's time, one client cannot choose it");
      }
      await mineByAgreement(backend, "evm_mine", request?.blocks ?? 1);
      return "0x0";
    }),
  ],
  // On a network of validators without an interval other than 1 s: each block's timestamp is at least
  // its parent's + 1 (the proposer's clock otherwise), so blocks made back to back are 1 s apart,
  // as Hardhat's default interval makes them (hardhat-network-helpers' mine(n) works unchanged).
  ...(["hardhat_mine", "anvil_mine"] as const).map((name): [string, RpcMethod] => [
    name,
    defineMethod([optional(blockCount), optional(interval)], async ({ backend }, [count, secondsApart]) => {
      const dev = asDevModeBackend(backend)?.dev;
      if (dev !== undefined) await dev.mine(count ?? 1, secondsApart ?? 1n);
      else {
        if (secondsApart !== undefined && secondsApart !== 1n && backend.requestBlocks !== undefined) {
          throw new RpcError(RpcErrorCode.InvalidParams, `${name} with an interval other than 1 second needs a single-validator devnet (npm start -- --validators 1): validators agree on each block's time, one client cannot choose it`);
        }
        await mineByAgreement(backend, name, count ?? 1);
      }
      return name === "hardhat_mine" ? true : null;
    }),
  ]),
  devMethod("evm_setAutomine", [bool], (dev, [enabled]) => {
    dev.setAutomine(enabled);
    return true;
  }),
  devMethod("anvil_setAutomine", [bool], (dev, [enabled]) => {
    dev.setAutomine(enabled);
    return null;
  }),
  devMethod("evm_setIntervalMining", [blockInterval], (dev, [interval]) => {
    dev.setIntervalMining(interval);
    return true;
  }),
  // Anvil counts interval mining in seconds.
  devMethod("anvil_setIntervalMining", [seconds], (dev, [secondsApart]) => {
    dev.setIntervalMining(secondsApart === 0n ? undefined : { minMs: Number(secondsApart) * 1000, maxMs: Number(secondsApart) * 1000 });
    return null;
  }),
  devMethod("hardhat_getAutomine", [], (dev) => dev.automine),
  devMethod("anvil_getAutomine", [], (dev) => dev.automine),

  // ------------------------------------------------------------------ state
  ...withAlias(["hardhat_setBalance", "anvil_setBalance"], [address, quantity], (dev, [account, balance]) => dev.setBalance(account, balance), setterResults),
  ...withAlias(["hardhat_setCode", "anvil_setCode"], [address, data], (dev, [account, code]) => dev.setCode(account, code), setterResults),
  ...withAlias(["hardhat_setNonce", "anvil_setNonce"], [address, uint64], (dev, [account, nonce]) => dev.setNonce(account, nonce), setterResults),
  ...withAlias(
    ["hardhat_setStorageAt", "anvil_setStorageAt"],
    [address, storageSlot, word],
    (dev, [account, slot, value]) => dev.setStorageAt(account, slot, value),
    { hardhat: () => true, anvil: () => true },
  ),

  // ------------------------------------------------------------------ next blocks
  ...withAlias(["hardhat_setCoinbase", "anvil_setCoinbase"], [address], (dev, [coinbase]) => dev.setCoinbase(coinbase), setterResults),
  ...withAlias(
    ["hardhat_setNextBlockBaseFeePerGas", "anvil_setNextBlockBaseFeePerGas"],
    [quantity],
    (dev, [baseFee]) => dev.setNextBlockBaseFeePerGas(baseFee),
    setterResults,
  ),
  devMethod("hardhat_setPrevRandao", [hash], (dev, [prevRandao]) => {
    dev.setPrevRandao(Buffer.from(prevRandao.slice(2), "hex"));
    return true;
  }),
  devMethod("evm_setBlockGasLimit", [gasLimit], async (dev, [limit]) => {
    await dev.setBlockGasLimit(limit);
    return true;
  }),

  // ------------------------------------------------------------------ whole chain
  ...withAlias(["hardhat_reset", "anvil_reset"], [optional(resetOptions)], (dev) => dev.reset(), setterResults),
  // Anvil's encoding: the dump as gzipped JSON, hex-encoded (Concord's dump is the state trie; see stateDump.ts).
  devMethod("anvil_dumpState", [], async (dev) => encodeDumpForRpc(await dev.dumpState())),
  devMethod("anvil_loadState", [data], async (dev, [dump]) => {
    await dev.loadState(parseStateDump(dump));
    return true;
  }),

  // ------------------------------------------------------------------ pool
  devMethod("hardhat_dropTransaction", [hash], (dev, [txHash]) => dev.dropTransaction(txHash)),
  // Anvil answers the dropped hash, or null when nothing was dropped.
  devMethod("anvil_dropTransaction", [hash], async (dev, [txHash]) => ((await dev.dropTransaction(txHash)) ? txHash : null)),

  // ------------------------------------------------------------------ impersonation
  ...withAlias(
    ["hardhat_impersonateAccount", "anvil_impersonateAccount"],
    [address],
    (dev, [account]) => dev.impersonate(account),
    setterResults,
  ),
  ...withAlias(["hardhat_stopImpersonatingAccount", "anvil_stopImpersonatingAccount"], [address], (dev, [account]) => dev.stopImpersonating(account), {
    hardhat: (wasImpersonated) => wasImpersonated,
    anvil: () => null,
  }),

  /**
   * eth_estimateGas without a block: in dev mode the next block's context ("pending"), as Hardhat's
   * and Anvil's nodes default to, so an estimate sees what the transaction will see: the next
   * timestamp (evm_setNextBlockTimestamp), and a new block rather than the latest one's values (an
   * ERC20Votes checkpoint pushed in a new block costs more than one updated in the same block).
   * Every explicit block, and every node without dev mode, goes through the standard method.
   */
  [
    "eth_estimateGas",
    defineMethod(executionMethods.eth_estimateGas!.params, (context, [request, selector, ...overrides]) => {
      const dev = asDevModeBackend(context.backend)?.dev;
      const block = selector ?? (dev === undefined ? undefined : { tag: "pending" });
      return executionMethods.eth_estimateGas!.handler(context, [request, block, ...overrides]);
    }),
  ],

  /**
   * eth_sendTransaction from an impersonated account the node holds no key for: filled as for a dev
   * account, then executed as that sender without a signature. Every other sender (and every node
   * without dev mode) goes through the dev-account method unchanged. Registered after
   * `accountMethods` in the method table, so it takes that name.
   */
  [
    "eth_sendTransaction",
    defineMethod([transactionRequest], (context, [request]) => {
      const dev = asDevModeBackend(context.backend)?.dev;
      const from = request.from;
      if (dev === undefined || from === undefined || !dev.isImpersonated(from) || context.signer.accounts.includes(from)) {
        return accountMethods.eth_sendTransaction!.handler(context, [request]);
      }
      return context.signer.exclusively(from, async () => {
        const { tx } = await fillTransaction(context, context.signer, request);
        return dev.sendImpersonated(from, tx);
      });
    }),
  ],
]);
