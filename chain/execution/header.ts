/**
 * The header rules of a Concord block relative to its parent: what a proposer puts in and what every
 * other node checks. Ethereum's post-merge rules (no difficulty, nonce or uncles; EIP-1559 base fee;
 * gas limit moving by less than parent/1024 per block; timestamp strictly above the parent's) with the
 * beacon-chain fields fixed, since Concord has no beacon chain:
 * - parentBeaconBlockRoot is 32 zero bytes, withdrawals are always empty, blob gas is always zero;
 * - prevRandao (mixHash) is keccak256(parent hash): deterministic, so every validator can check it.
 *   Like any proposer-chosen value it is not a source of unbiasable randomness.
 */
import { createBlockHeader, paramsBlock, type Block, type BlockHeader, type HeaderData } from "@ethereumjs/block";
import { KECCAK256_RLP, KECCAK256_RLP_ARRAY, createAddressFromString, equalsBytes, bytesToHex } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import { BlockVerificationError, BlockVerificationErrorCode as Code } from "./errors.ts";
import { keccak256 } from "./crypto.ts";
import { NO_MORE_PARAMS, preparedCommon } from "./patches/preparedCommon.ts";

export const MAX_EXTRA_DATA_BYTES = 32;
/** Ethereum's lower bound on a block gas limit. */
export const MIN_GAS_LIMIT = 5000n;
const GAS_LIMIT_BOUND_DIVISOR = 1024n;
const ZERO_ROOT = new Uint8Array(32);

export interface NextHeaderOptions {
  coinbase: string;
  /** Seconds; must be above the parent's. */
  timestamp: bigint;
  extraData?: Uint8Array;
  /** Gas limit to move towards (by the largest step the protocol allows); default: the parent's. */
  targetGasLimit?: bigint;
  /**
   * Dev-mode overrides of a single-validator devnet (hardhat_setNextBlockBaseFeePerGas,
   * hardhat_setPrevRandao, evm_setBlockGasLimit): the block takes these values as they are, outside
   * the rules `validateChildHeader` checks, so no other node would accept it. Never set otherwise.
   */
  devOverrides?: { baseFeePerGas?: bigint; prevRandao?: Uint8Array; gasLimit?: bigint };
}

export function prevRandao(parent: BlockHeader): Uint8Array {
  return keccak256(parent.hash());
}

/** The gas limit a child of `parentGasLimit` gets when heading for `target`. */
export function nextGasLimit(parentGasLimit: bigint, target: bigint | undefined): bigint {
  if (target === undefined || target === parentGasLimit) return parentGasLimit;
  const maxStep = parentGasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
  if (target > parentGasLimit) return target - parentGasLimit > maxStep ? parentGasLimit + maxStep : target;
  const floor = target < MIN_GAS_LIMIT ? MIN_GAS_LIMIT : target;
  return parentGasLimit - floor > maxStep ? parentGasLimit - maxStep : floor;
}

/** Every header field of the child of `parent` that does not depend on its execution. */
export function childHeaderFields(parent: BlockHeader, options: NextHeaderOptions, common: Common): HeaderData {
  if (options.timestamp <= parent.timestamp) {
    throw new RangeError(`timestamp ${options.timestamp} must be above the parent's ${parent.timestamp}`);
  }
  const extraData = options.extraData ?? new Uint8Array();
  if (extraData.length > MAX_EXTRA_DATA_BYTES) throw new RangeError(`extraData is over ${MAX_EXTRA_DATA_BYTES} bytes`);
  const dev = options.devOverrides;
  return {
    parentHash: parent.hash(),
    uncleHash: KECCAK256_RLP_ARRAY,
    coinbase: createAddressFromString(options.coinbase),
    difficulty: 0n,
    number: parent.number + 1n,
    gasLimit: dev?.gasLimit ?? nextGasLimit(parent.gasLimit, options.targetGasLimit),
    timestamp: options.timestamp,
    extraData,
    mixHash: dev?.prevRandao ?? prevRandao(parent),
    nonce: new Uint8Array(8),
    baseFeePerGas: dev?.baseFeePerGas ?? parent.calcNextBaseFee(),
    withdrawalsRoot: KECCAK256_RLP,
    blobGasUsed: 0n,
    excessBlobGas: parent.calcNextExcessBlobGas(parent.common),
    parentBeaconBlockRoot: ZERO_ROOT,
  };
}

/** A header carrying the execution context of the child of `parent` (no roots yet): what runTx reads. */
export function contextHeader(fields: HeaderData, common: Common): BlockHeader {
  // Two headers per block built: with the block parameters merged once (preparedCommon.ts).
  return createBlockHeader(fields, { common: preparedCommon(common, "block", [paramsBlock]), params: NO_MORE_PARAMS });
}

/** Checks everything about `block` that can be checked without executing it. */
export function validateChildHeader(parent: BlockHeader, block: Block, common: Common): void {
  const { header } = block;
  if (header.number !== parent.number + 1n || !equalsBytes(header.parentHash, parent.hash())) {
    throw new BlockVerificationError(Code.InvalidParent, "block does not extend the given parent", {
      expected: `${parent.number + 1n} ${bytesToHex(parent.hash())}`,
      actual: `${header.number} ${bytesToHex(header.parentHash)}`,
    });
  }
  if (header.timestamp <= parent.timestamp) {
    throw new BlockVerificationError(Code.InvalidTimestamp, "timestamp is not above the parent's", {
      expected: `> ${parent.timestamp}`,
      actual: header.timestamp.toString(),
    });
  }
  const bound = parent.gasLimit / GAS_LIMIT_BOUND_DIVISOR;
  const delta = header.gasLimit > parent.gasLimit ? header.gasLimit - parent.gasLimit : parent.gasLimit - header.gasLimit;
  if (delta >= bound || header.gasLimit < MIN_GAS_LIMIT) {
    throw new BlockVerificationError(Code.InvalidGasLimit, "gas limit out of bounds", {
      expected: `within ${bound} of ${parent.gasLimit} and >= ${MIN_GAS_LIMIT}`,
      actual: header.gasLimit.toString(),
    });
  }
  const baseFee = parent.calcNextBaseFee();
  if (header.baseFeePerGas !== baseFee) {
    throw new BlockVerificationError(Code.InvalidBaseFee, "base fee does not follow EIP-1559", {
      expected: baseFee.toString(),
      actual: String(header.baseFeePerGas),
    });
  }
  const fixed: [string, boolean][] = [
    ["difficulty", header.difficulty === 0n],
    ["nonce", equalsBytes(header.nonce, new Uint8Array(8))],
    ["uncleHash", equalsBytes(header.uncleHash, KECCAK256_RLP_ARRAY) && block.uncleHeaders.length === 0],
    ["extraData", header.extraData.length <= MAX_EXTRA_DATA_BYTES],
    ["mixHash", equalsBytes(header.mixHash, prevRandao(parent))],
    ["withdrawals", equalsBytes(header.withdrawalsRoot ?? ZERO_ROOT, KECCAK256_RLP) && (block.withdrawals?.length ?? 0) === 0],
    ["blobGasUsed", header.blobGasUsed === 0n],
    ["excessBlobGas", header.excessBlobGas === parent.calcNextExcessBlobGas(parent.common)],
    ["parentBeaconBlockRoot", header.parentBeaconBlockRoot !== undefined && equalsBytes(header.parentBeaconBlockRoot, ZERO_ROOT)],
  ];
  for (const [field, ok] of fixed) {
    if (!ok) throw new BlockVerificationError(Code.InvalidHeaderField, `header field ${field} has a value Concord does not allow`, { actual: field });
  }
}
