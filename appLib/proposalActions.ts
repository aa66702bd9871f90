/**
 * A proposal's actions (target, value, calldata) in both directions: encoded from the create form's
 * drafts, and decoded back into words on the proposal page ("Transfer 100 CORD from the treasury to
 * 0x..."). Browser-safe.
 */
import {
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  isAddress,
  isHex,
  parseAbi,
  parseEther,
  parseUnits,
  toFunctionSelector,
  toFunctionSignature,
  zeroAddress,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
} from "viem";
import { contractAbis } from "./contracts.ts";
import { formatDuration, formatEth, formatToken } from "./format.ts";

export interface ProposalAction {
  target: Address;
  value: bigint;
  calldata: Hex;
}

export interface TokenInfo {
  address: Address;
  symbol: string;
  decimals: number;
}

export interface ActionContext {
  governor: Address;
  timelock: Address;
  token: TokenInfo;
}

export interface DescribedAction {
  /** One sentence for people. */
  summary: string;
  /** `name(type,...)` when the call was decoded. */
  signature: string | undefined;
  /** Decoded arguments, as text, in order. */
  args: { name: string; type: string; value: string }[];
}

// ---------------------------------------------------------------- decoding

export function describeAction(action: ProposalAction, context: ActionContext): DescribedAction {
  const target = getAddress(action.target);
  const valueNote = action.value > 0n ? `, sending ${formatEth(action.value)} from the treasury` : "";
  if (action.calldata === "0x" || action.calldata.length < 10) {
    return {
      summary: action.value > 0n ? `Send ${formatEth(action.value)} from the treasury to ${target}` : `Call ${target} with no data (does nothing but run its fallback)`,
      signature: undefined,
      args: [],
    };
  }
  const known = knownAbiFor(target, context);
  for (const abi of known === undefined ? FALLBACK_ABIS : [known]) {
    let decoded: { functionName: string; args?: readonly unknown[] };
    try {
      decoded = decodeFunctionData({ abi, data: action.calldata }) as { functionName: string; args?: readonly unknown[] };
    } catch {
      continue;
    }
    const item = (abi as readonly AbiFunction[]).find(
      (entry) => entry.type === "function" && entry.name === decoded.functionName && toFunctionSelector(entry) === action.calldata.slice(0, 10),
    );
    const inputs = item?.inputs ?? [];
    const args = (decoded.args ?? []).map((value, index) => ({
      name: inputs[index]?.name || `arg${index}`,
      type: inputs[index]?.type ?? "unknown",
      value: argText(value),
    }));
    const signature = item === undefined ? decoded.functionName : toFunctionSignature(item);
    const words = known === undefined ? undefined : sentenceFor(target, decoded.functionName, decoded.args ?? [], context);
    return {
      summary: (words ?? `Call ${decoded.functionName}(${args.map((arg) => arg.value).join(", ")}) on ${target}`) + valueNote,
      signature,
      args,
    };
  }
  return {
    summary: `Call ${target} with function ${action.calldata.slice(0, 10)} (not one the app knows; check the raw data)${valueNote}`,
    signature: undefined,
    args: [],
  };
}

const FALLBACK_ABIS: Abi[] = [contractAbis.ConcordToken as Abi, contractAbis.ConcordGovernor as Abi, contractAbis.ConcordTimelock as Abi];

function knownAbiFor(target: Address, context: ActionContext): Abi | undefined {
  if (target === getAddress(context.governor)) return contractAbis.ConcordGovernor as Abi;
  if (target === getAddress(context.timelock)) return contractAbis.ConcordTimelock as Abi;
  if (target === getAddress(context.token.address)) return contractAbis.ConcordToken as Abi;
  return undefined;
}

function sentenceFor(target: Address, name: string, args: readonly unknown[], context: ActionContext): string | undefined {
  const token = context.token;
  const a = args as readonly [unknown, unknown, unknown];
  if (target === getAddress(token.address)) {
    switch (name) {
      case "transfer":
        return `Transfer ${formatToken(a[1] as bigint, token)} from the treasury to ${a[0]}`;
      case "approve":
        return `Allow ${a[0]} to spend ${formatToken(a[1] as bigint, token)} of the treasury`;
      case "delegate":
        return `Delegate the treasury's votes to ${a[0]}`;
      case "transferFrom":
        return `Move ${formatToken(a[2] as bigint, token)} from ${a[0]} to ${a[1]} (under an allowance to the treasury)`;
    }
  }
  if (target === getAddress(context.governor)) {
    switch (name) {
      case "setVotingDelay":
        return `Set the voting delay to ${formatDuration(a[0] as bigint)}`;
      case "setVotingPeriod":
        return `Set the voting period to ${formatDuration(a[0] as bigint)}`;
      case "setProposalThreshold":
        return `Set the proposal threshold to ${formatToken(a[0] as bigint, token)}`;
      case "updateQuorumNumerator":
        return `Set the quorum to ${a[0]}% of the token supply`;
      case "setLateQuorumVoteExtension":
        return `Set the late-quorum extension to ${formatDuration(a[0] as bigint)}`;
      case "setProposalGuardian":
        return a[0] === zeroAddress ? "Remove the proposal guardian" : `Make ${a[0]} the proposal guardian`;
      case "updateTimelock":
        return `Move the DAO to the timelock at ${a[0]}`;
      case "relay":
        return `Have the Governor itself call ${a[0]}${(a[1] as bigint) > 0n ? ` with ${formatEth(a[1] as bigint)}` : ""}`;
    }
  }
  if (target === getAddress(context.timelock)) {
    switch (name) {
      case "updateDelay":
        return `Set the timelock delay to ${formatDuration(a[0] as bigint)}`;
      case "grantRole":
        return `Grant the timelock role ${a[0]} to ${a[1]}`;
      case "revokeRole":
        return `Revoke the timelock role ${a[0]} from ${a[1]}`;
    }
  }
  return undefined;
}

function argText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? inner.toString() : inner));
}

// ---------------------------------------------------------------- encoding

export class ActionInputError extends Error {
  readonly code = "INVALID_ACTION";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ActionInputError";
  }
}

/** The Governor settings a proposal can change, with what their value means. */
export const GOVERNOR_SETTINGS = {
  votingDelay: { label: "Voting delay", unit: "seconds", functionName: "setVotingDelay" },
  votingPeriod: { label: "Voting period", unit: "seconds", functionName: "setVotingPeriod" },
  proposalThreshold: { label: "Proposal threshold", unit: "tokens", functionName: "setProposalThreshold" },
  quorumNumerator: { label: "Quorum", unit: "percent of supply", functionName: "updateQuorumNumerator" },
  lateQuorumExtension: { label: "Late-quorum extension", unit: "seconds", functionName: "setLateQuorumVoteExtension" },
} as const;

export type GovernorSetting = keyof typeof GOVERNOR_SETTINGS;

export type ActionDraft =
  | { kind: "eth"; recipient: string; amount: string }
  | { kind: "token"; token: string; recipient: string; amount: string; decimals: number }
  | { kind: "setting"; setting: GovernorSetting; value: string }
  | { kind: "call"; target: string; value: string; abi: string; functionSignature: string; args: string[] };

export function encodeAction(draft: ActionDraft, context: ActionContext): ProposalAction {
  switch (draft.kind) {
    case "eth":
      return { target: address(draft.recipient, "recipient"), value: amount(draft.amount, 18, "amount", true), calldata: "0x" };
    case "token":
      return {
        target: address(draft.token, "token"),
        value: 0n,
        calldata: encodeFunctionData({
          abi: contractAbis.ConcordToken,
          functionName: "transfer",
          args: [address(draft.recipient, "recipient"), amount(draft.amount, draft.decimals, "amount", true)],
        }),
      };
    case "setting": {
      const setting = GOVERNOR_SETTINGS[draft.setting];
      if (setting === undefined) throw new ActionInputError("setting", "choose a setting");
      const value =
        draft.setting === "proposalThreshold" ? amount(draft.value, context.token.decimals, "value", false) : wholeNumber(draft.value, "value");
      if (draft.setting === "quorumNumerator" && value > 100n) throw new ActionInputError("value", "the quorum is a percentage: at most 100");
      return {
        target: context.governor,
        value: 0n,
        calldata: encodeFunctionData({ abi: contractAbis.ConcordGovernor as Abi, functionName: setting.functionName, args: [value] }),
      };
    }
    case "call": {
      const fn = functionsOf(draft.abi).find((candidate) => toFunctionSignature(candidate) === draft.functionSignature);
      if (fn === undefined) throw new ActionInputError("functionSignature", "choose a function of the ABI");
      const args = fn.inputs.map((input, index) => parseArgument(input, draft.args[index] ?? "", `args.${index}`));
      return {
        target: address(draft.target, "target"),
        value: draft.value.trim() === "" ? 0n : amount(draft.value, 18, "value", false),
        calldata: encodeFunctionData({ abi: [fn], functionName: fn.name, args }),
      };
    }
  }
}

/** The state-changing functions of an ABI given as JSON or as human-readable lines ("function f(uint256 x)"). */
export function functionsOf(abiText: string): AbiFunction[] {
  const text = abiText.trim();
  if (text === "") return [];
  let abi: Abi;
  try {
    if (text.startsWith("[")) {
      abi = JSON.parse(text) as Abi;
    } else {
      const lines = text.split(/\n|;/).map((line) => line.trim()).filter((line) => line !== "");
      abi = parseAbi(lines.map((line) => (/^(function|event|error|constructor|fallback|receive|struct)\b/.test(line) ? line : `function ${line}`)));
    }
  } catch (error) {
    throw new ActionInputError("abi", `the ABI does not parse: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(abi)) throw new ActionInputError("abi", "the ABI must be a JSON array or function signatures, one per line");
  return abi.filter((item): item is AbiFunction => item.type === "function" && item.stateMutability !== "view" && item.stateMutability !== "pure");
}

function parseArgument(input: AbiParameter, raw: string, field: string): unknown {
  const text = raw.trim();
  const label = input.name || input.type;
  const type = input.type;
  if (type.endsWith("]") || type === "tuple") {
    try {
      return JSON.parse(text, (_key, value) => (typeof value === "string" && /^-?\d+$/.test(value) ? BigInt(value) : value));
    } catch {
      throw new ActionInputError(field, `${label} (${type}) must be JSON, e.g. ["0x...", "1"]`);
    }
  }
  if (type === "address") return address(text, field, label);
  if (type === "bool") {
    if (text !== "true" && text !== "false") throw new ActionInputError(field, `${label} must be true or false`);
    return text === "true";
  }
  if (/^u?int\d*$/.test(type)) {
    if (!/^-?\d+$/.test(text)) throw new ActionInputError(field, `${label} (${type}) must be a whole number`);
    return BigInt(text);
  }
  if (type.startsWith("bytes")) {
    if (!isHex(text)) throw new ActionInputError(field, `${label} (${type}) must be 0x-prefixed hex`);
    return text;
  }
  return raw;
}

function address(text: string, field: string, label = field): Address {
  const trimmed = text.trim();
  if (!isAddress(trimmed, { strict: false })) throw new ActionInputError(field, `${label} must be an address (0x followed by 40 hex digits)`);
  return getAddress(trimmed);
}

function amount(text: string, decimals: number, field: string, positive: boolean): bigint {
  const trimmed = text.trim().replace(/,/g, "");
  if (!/^\d+(\.\d+)?$/.test(trimmed)) throw new ActionInputError(field, `${field} must be a number like 100 or 0.5`);
  const value = decimals === 18 ? parseEther(trimmed) : parseUnits(trimmed, decimals);
  if (positive && value === 0n) throw new ActionInputError(field, `${field} must be more than zero`);
  return value;
}

function wholeNumber(text: string, field: string): bigint {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new ActionInputError(field, `${field} must be a whole number`);
  return BigInt(trimmed);
}
