/**
 * Parameter validators for JSON-RPC methods (the ethereumjs client's rpc/validation is the model).
 *
 * A validator turns an untrusted JSON value into a typed one or throws `ParamError` with a reason in
 * geth's words ("hex string has odd length"); the dispatcher prefixes "invalid argument N: " and
 * answers -32602. Nothing here trusts sizes: every string and array length is bounded first.
 */
import type { BlockTag, CallRequest } from "./backend.ts";
import type { AccountOverride, BlockOverride } from "../execution/calls.ts";
import { hexToBytes } from "./hex.ts";
import type { Hex } from "../types.ts";
import { ConcordError } from "../concordError.ts";

export class ParamError extends ConcordError<"INVALID_PARAM"> {
  override readonly name = "ParamError";
  constructor(readonly reason: string) {
    super("INVALID_PARAM", reason);
  }
}

export interface Validator<T> {
  (value: unknown): T;
  /** Absent (undefined or null) is accepted and yields undefined. */
  readonly optional?: boolean;
}

const HEX_BODY = /^[0-9a-fA-F]*$/;
/** Longest hex string accepted anywhere (a transaction or call data of 2 MiB). */
const MAX_DATA_HEX_CHARS = 2 + 4 * 1024 * 1024;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function hexBody(value: unknown, maxChars = MAX_DATA_HEX_CHARS): string {
  if (typeof value !== "string") throw new ParamError(`expected a hex string, got ${describe(value)}`);
  if (value.length > maxChars) throw new ParamError(`hex string too long (${value.length} characters)`);
  if (!value.startsWith("0x") && !value.startsWith("0X")) throw new ParamError("hex string without 0x prefix");
  const body = value.slice(2);
  if (!HEX_BODY.test(body)) throw new ParamError("invalid hex string");
  return body;
}

function quantityOfBits(bits: number): Validator<bigint> {
  // Leading zeros are accepted (geth refuses them, some older clients send them); the value bound is not.
  const maxChars = 2 + bits / 4 + 64;
  return (value) => {
    const body = hexBody(value, maxChars);
    if (body.length === 0) throw new ParamError('hex string "0x" is not a quantity');
    const number = BigInt(`0x${body}`);
    if (number >= 1n << BigInt(bits)) throw new ParamError(`hex number > ${bits} bits`);
    return number;
  };
}

/** A quantity up to 2^256-1 (wei, gas prices, storage slots). */
export const quantity: Validator<bigint> = quantityOfBits(256);
/** A quantity up to 2^64-1 (block numbers, gas, nonces). */
export const uint64: Validator<bigint> = quantityOfBits(64);

/** Arbitrary bytes, even length. */
export const data: Validator<Uint8Array> = (value) => {
  const body = hexBody(value);
  if (body.length % 2 !== 0) throw new ParamError("hex string has odd length");
  return hexToBytes(body);
};

function fixedBytes(length: number, what: string): Validator<Hex> {
  return (value) => {
    const body = hexBody(value, 2 + length * 2);
    if (body.length % 2 !== 0) throw new ParamError("hex string has odd length");
    if (body.length !== length * 2) {
      throw new ParamError(`hex string has length ${body.length}, want ${length * 2} for ${what}`);
    }
    return `0x${body.toLowerCase()}`;
  };
}

/** 20 bytes; mixed case is accepted without a checksum check, as geth does. Lowercased. */
export const address: Validator<Hex> = fixedBytes(20, "an address");
/** 32 bytes (block and transaction hashes, topics). Lowercased. */
export const hash: Validator<Hex> = fixedBytes(32, "a 32-byte hash");

export const bool: Validator<boolean> = (value) => {
  if (typeof value !== "boolean") throw new ParamError(`expected a boolean, got ${describe(value)}`);
  return value;
};

/** A storage slot: any quantity up to 32 bytes, returned as a 32-byte word. */
export const storageSlot: Validator<Hex> = (value) => {
  const body = hexBody(value, 2 + 64 + 64);
  if (body.length === 0) throw new ParamError('hex string "0x" is not a storage slot');
  const slot = BigInt(`0x${body}`);
  if (slot >= 1n << 256n) throw new ParamError("storage slot > 32 bytes");
  return `0x${slot.toString(16).padStart(64, "0")}`;
};

const NAMED_TAGS = new Set(["latest", "pending", "earliest", "safe", "finalized"]);

export const blockTag: Validator<BlockTag> = (value) => {
  if (typeof value === "string" && NAMED_TAGS.has(value)) return value as BlockTag;
  if (typeof value === "string" && !value.startsWith("0x") && !value.startsWith("0X")) {
    throw new ParamError(`invalid block tag "${value.slice(0, 32)}": want latest, pending, earliest, safe, finalized or a hex number`);
  }
  return uint64(value);
};

/** EIP-1898: a block tag or number, a block hash, or { blockHash } / { blockNumber }. */
export type BlockSelector = { tag: BlockTag } | { hash: Hex; requireCanonical: boolean };

export const blockSelector: Validator<BlockSelector> = (value) => {
  if (typeof value === "string") {
    if (value.length === 66 && (value.startsWith("0x") || value.startsWith("0X"))) {
      return { hash: hash(value), requireCanonical: false };
    }
    return { tag: blockTag(value) };
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    const hasHash = fields.blockHash !== undefined && fields.blockHash !== null;
    const hasNumber = fields.blockNumber !== undefined && fields.blockNumber !== null;
    if (hasHash && hasNumber) throw new ParamError("cannot specify both blockHash and blockNumber, choose one or the other");
    if (hasHash) {
      const requireCanonical = fields.requireCanonical === undefined ? false : field("requireCanonical", bool)(fields.requireCanonical);
      return { hash: field("blockHash", hash)(fields.blockHash), requireCanonical };
    }
    if (hasNumber) return { tag: field("blockNumber", blockTag)(fields.blockNumber) };
    throw new ParamError("block object needs blockHash or blockNumber");
  }
  throw new ParamError(`expected a block number, tag or hash, got ${describe(value)}`);
};

/** Prefixes the reason of a nested failure with the field name. */
export function field<T>(name: string, validator: Validator<T>): Validator<T> {
  return (value) => {
    try {
      return validator(value);
    } catch (error) {
      if (error instanceof ParamError) throw new ParamError(`${name}: ${error.reason}`);
      throw error;
    }
  };
}

export function optional<T>(validator: Validator<T>): Validator<T | undefined> {
  const wrapped = (value: unknown) => (value === undefined || value === null ? undefined : validator(value));
  return Object.assign(wrapped, { optional: true as const });
}

export function arrayOf<T>(validator: Validator<T>, limits: { max: number; min?: number }): Validator<T[]> {
  return (value) => {
    if (!Array.isArray(value)) throw new ParamError(`expected an array, got ${describe(value)}`);
    if (value.length > limits.max) throw new ParamError(`array has ${value.length} entries, at most ${limits.max} allowed`);
    if (limits.min !== undefined && value.length < limits.min) {
      throw new ParamError(`array has ${value.length} entries, at least ${limits.min} required`);
    }
    return value.map((entry, index) => field(`[${index}]`, validator)(entry));
  };
}

export function object(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ParamError(`expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function optionalField<T>(fields: Record<string, unknown>, name: string, validator: Validator<T>): T | undefined {
  const value = fields[name];
  return value === undefined || value === null ? undefined : field(name, validator)(value);
}

const accessListEntry: Validator<{ address: Hex; storageKeys: Hex[] }> = (value) => {
  const fields = object(value);
  return {
    address: field("address", address)(fields.address),
    storageKeys: field("storageKeys", arrayOf(hash, { max: 10_000 }))(fields.storageKeys ?? []),
  };
};

export const accessList = arrayOf(accessListEntry, { max: 10_000 });

/** A transaction type as clients send it: "0x2" (or the number 2, as some do). */
const transactionType: Validator<number> = (value) => {
  const type = typeof value === "number" ? BigInt(Number.isSafeInteger(value) ? value : -1) : uint64(value);
  if (type < 0n || type > 4n) throw new ParamError(`unsupported transaction type ${type}`);
  return Number(type);
};

/** eth_call / eth_estimateGas / eth_sendTransaction's transaction object, plus the chainId it names. */
export interface TransactionRequest extends CallRequest {
  chainId?: bigint;
}

export const transactionRequest: Validator<TransactionRequest> = (value) => {
  const fields = object(value);
  const input = optionalField(fields, "input", data);
  const legacyData = optionalField(fields, "data", data);
  if (input !== undefined && legacyData !== undefined && Buffer.compare(input, legacyData) !== 0) {
    throw new ParamError('both "data" and "input" are set and not equal. Please use "input" to pass transaction call data');
  }
  const gasPrice = optionalField(fields, "gasPrice", quantity);
  const maxFeePerGas = optionalField(fields, "maxFeePerGas", quantity);
  const maxPriorityFeePerGas = optionalField(fields, "maxPriorityFeePerGas", quantity);
  if (gasPrice !== undefined && (maxFeePerGas !== undefined || maxPriorityFeePerGas !== undefined)) {
    throw new ParamError("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
  }
  if (maxFeePerGas !== undefined && maxPriorityFeePerGas !== undefined && maxPriorityFeePerGas > maxFeePerGas) {
    throw new ParamError(`maxFeePerGas (${maxFeePerGas}) < maxPriorityFeePerGas (${maxPriorityFeePerGas})`);
  }
  const request: TransactionRequest = {};
  const from = optionalField(fields, "from", address);
  if (from !== undefined) request.from = from;
  if (fields.to === null) request.to = null;
  else {
    const to = optionalField(fields, "to", address);
    if (to !== undefined) request.to = to;
  }
  const assign = <K extends keyof TransactionRequest>(key: K, fieldValue: TransactionRequest[K] | undefined) => {
    if (fieldValue !== undefined) request[key] = fieldValue;
  };
  assign("gas", optionalField(fields, "gas", uint64));
  assign("gasPrice", gasPrice);
  assign("maxFeePerGas", maxFeePerGas);
  assign("maxPriorityFeePerGas", maxPriorityFeePerGas);
  assign("value", optionalField(fields, "value", quantity));
  assign("data", input ?? legacyData);
  assign("nonce", optionalField(fields, "nonce", uint64));
  assign("accessList", optionalField(fields, "accessList", accessList));
  assign("type", optionalField(fields, "type", transactionType));
  assign("chainId", optionalField(fields, "chainId", uint64));
  return request;
};

/** A topic position in a filter: null (any), one topic, or a list of alternatives. */
const topicPosition: Validator<Hex[] | null> = (value) => {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    const alternatives = arrayOf(optional(hash), { max: 1_000 })(value);
    // A null among alternatives matches anything, which makes the whole position a wildcard.
    if (alternatives.some((topic) => topic === undefined)) return null;
    return alternatives as Hex[];
  }
  return [hash(value)];
};

export interface FilterCriteria {
  fromBlock?: BlockTag;
  toBlock?: BlockTag;
  blockHash?: Hex;
  addresses: Hex[];
  topics: (Hex[] | null)[];
}

export const filterCriteria: Validator<FilterCriteria> = (value) => {
  const fields = object(value);
  const criteria: FilterCriteria = { addresses: [], topics: [] };
  const blockHash = optionalField(fields, "blockHash", hash);
  const fromBlock = optionalField(fields, "fromBlock", blockTag);
  const toBlock = optionalField(fields, "toBlock", blockTag);
  if (blockHash !== undefined && (fromBlock !== undefined || toBlock !== undefined)) {
    throw new ParamError("cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other");
  }
  if (blockHash !== undefined) criteria.blockHash = blockHash;
  if (fromBlock !== undefined) criteria.fromBlock = fromBlock;
  if (toBlock !== undefined) criteria.toBlock = toBlock;
  const addressField = fields.address;
  if (typeof addressField === "string") criteria.addresses = [field("address", address)(addressField)];
  else if (addressField !== undefined && addressField !== null) {
    criteria.addresses = field("address", arrayOf(address, { max: 1_000 }))(addressField);
  }
  if (fields.topics !== undefined && fields.topics !== null) {
    const topics = field("topics", (raw) => {
      if (!Array.isArray(raw)) throw new ParamError(`expected an array, got ${describe(raw)}`);
      if (raw.length > 4) throw new ParamError(`too many topics (${raw.length}), at most 4 allowed`);
      return raw.map((position, index) => field(`[${index}]`, topicPosition)(position));
    })(fields.topics);
    // Trailing wildcards match everything and need not be checked.
    while (topics.length > 0 && topics[topics.length - 1] === null) topics.pop();
    criteria.topics = topics;
  }
  return criteria;
};

/** eth_feeHistory's block count: a hex quantity, or a decimal number as geth also accepts. */
export const blockCount: Validator<number> = (value) => {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new ParamError(`invalid block count ${value}`);
    return value;
  }
  const count = uint64(value);
  return count > 1_000_000n ? 1_000_000 : Number(count);
};

export const rewardPercentiles: Validator<number[]> = (value) => {
  const percentiles = arrayOf((entry) => {
    if (typeof entry !== "number" || !Number.isFinite(entry)) throw new ParamError(`expected a number, got ${describe(entry)}`);
    if (entry < 0 || entry > 100) throw new ParamError(`percentile ${entry} out of range [0, 100]`);
    return entry;
  }, { max: 100 })(value);
  for (let i = 1; i < percentiles.length; i++) {
    if (percentiles[i]! < percentiles[i - 1]!) {
      throw new ParamError(`invalid reward percentile: #${i - 1}:${percentiles[i - 1]} > #${i}:${percentiles[i]}`);
    }
  }
  return percentiles;
};

/** A string with an upper bound on its length (subscription names, filter ids, tracer names). */
export function shortString(maxLength = 256): Validator<string> {
  return (value) => {
    if (typeof value !== "string") throw new ParamError(`expected a string, got ${describe(value)}`);
    if (value.length > maxLength) throw new ParamError(`string too long (${value.length} characters, at most ${maxLength})`);
    return value;
  };
}

/** Any JSON value, passed to the method that interprets it (typed data, tracer options). */
export const anyValue: Validator<unknown> = (value) => value;

/**
 * eth_call / eth_estimateGas's third parameter, as geth and Hardhat take it: per address, a balance,
 * nonce, code, and either `state` (the whole storage replaced) or `stateDiff` (slots changed).
 */
export const stateOverride: Validator<AccountOverride[]> = (value) => {
  const fields = object(value);
  const entries = Object.entries(fields);
  if (entries.length > MAX_OVERRIDDEN_ACCOUNTS) throw new ParamError(`${entries.length} accounts overridden, at most ${MAX_OVERRIDDEN_ACCOUNTS} allowed`);
  let slots = 0;
  return entries.map(([key, raw]) => {
    const where = field(key, address)(key);
    return field(key, (entry): AccountOverride => {
      const account = object(entry);
      for (const name of Object.keys(account)) {
        if (!OVERRIDE_FIELDS.has(name)) throw new ParamError(`unknown field ${name} (balance, nonce, code, state, stateDiff)`);
      }
      const state = optionalField(account, "state", storageSlots);
      const stateDiff = optionalField(account, "stateDiff", storageSlots);
      if (state !== undefined && stateDiff !== undefined) throw new ParamError("has both 'state' and 'stateDiff'");
      slots += (state ?? stateDiff ?? []).length;
      if (slots > MAX_OVERRIDDEN_SLOTS) throw new ParamError(`more than ${MAX_OVERRIDDEN_SLOTS} storage slots overridden`);
      return {
        address: where,
        balance: optionalField(account, "balance", quantity),
        nonce: optionalField(account, "nonce", uint64),
        code: optionalField(account, "code", data),
        state,
        stateDiff,
      };
    })(raw);
  });
};

/**
 * eth_call's fourth parameter (and debug_traceCall's `blockOverrides`), as geth takes it: the block
 * context the call sees instead of the block's own.
 */
export const blockOverride: Validator<BlockOverride> = (value) => {
  const fields = object(value);
  for (const name of Object.keys(fields)) {
    if (!BLOCK_OVERRIDE_FIELDS.has(name)) {
      throw new ParamError(`unknown or unsupported block override field ${name} (number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas)`);
    }
  }
  return {
    number: optionalField(fields, "number", uint64),
    time: optionalField(fields, "time", uint64),
    gasLimit: optionalField(fields, "gasLimit", uint64),
    feeRecipient: optionalField(fields, "feeRecipient", address),
    prevRandao: optionalField(fields, "prevRandao", hash),
    baseFeePerGas: optionalField(fields, "baseFeePerGas", quantity),
  };
};

const BLOCK_OVERRIDE_FIELDS = new Set(["number", "time", "gasLimit", "feeRecipient", "prevRandao", "baseFeePerGas"]);

const MAX_OVERRIDDEN_ACCOUNTS = 1_000;
const MAX_OVERRIDDEN_SLOTS = 10_000;
const OVERRIDE_FIELDS = new Set(["balance", "nonce", "code", "state", "stateDiff"]);

const storageSlots: Validator<[Hex, Hex][]> = (value) =>
  Object.entries(object(value)).map(([slot, word]) => [field(slot, hash)(slot), field(slot, hash)(word)] as [Hex, Hex]);
