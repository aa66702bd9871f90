/**
 * The one function that turns any chain, wallet or API error into words for a person. Browser-safe.
 * Reverts are decoded from every ABI the app knows (contracts.generated.ts), and OpenZeppelin's
 * custom errors get sentences of their own.
 */
import {
  BaseError,
  ChainMismatchError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  TimeoutError,
  UserRejectedRequestError,
  decodeErrorResult,
  type Abi,
  type Hex,
} from "viem";
import { ALL_ABIS } from "./contracts.ts";
import { formatAmount } from "./format.ts";

const STATE_NAMES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];
const TIMELOCK_STATES = ["Unset", "Waiting", "Ready", "Done"];

export interface ErrorWordsContext {
  token?: { symbol: string; decimals: number };
  /** The app's chain, for the wrong-network sentence. */
  chainId?: number;
}

/** Thrown by the app's own API calls: the server's code and message. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export type ErrorKind = "rejected" | "wrong-network" | "revert" | "insufficient-funds" | "unreachable" | "api" | "other";

export interface ErrorInWords {
  kind: ErrorKind;
  message: string;
}

export function describeError(error: unknown, context: ErrorWordsContext = {}): ErrorInWords {
  if (error instanceof ApiRequestError) return { kind: "api", message: sentence(error.message) };
  const walked = error instanceof BaseError ? error : undefined;
  const find = <T,>(predicate: (inner: unknown) => inner is T): T | undefined => {
    if (walked === undefined) return predicate(error) ? error : undefined;
    const found = walked.walk((inner) => predicate(inner));
    return predicate(found) ? found : undefined;
  };

  if (isUserRejection(error) || find((e): e is UserRejectedRequestError => e instanceof UserRejectedRequestError) !== undefined) {
    return { kind: "rejected", message: "You rejected the request in your wallet. Nothing was signed or sent." };
  }
  const mismatch = find((e): e is ChainMismatchError => e instanceof ChainMismatchError);
  if (mismatch !== undefined || /chain mismatch|does not match the target chain/i.test(messageOf(error))) {
    return {
      kind: "wrong-network",
      message: `Your wallet is on another network. Switch it to Concord${context.chainId === undefined ? "" : ` (chain ${context.chainId})`} and try again.`,
    };
  }
  if (find((e): e is InsufficientFundsError => e instanceof InsufficientFundsError) !== undefined || /insufficient funds/i.test(messageOf(error))) {
    return {
      kind: "insufficient-funds",
      message: "Your account does not have enough ETH to pay for this transaction (gas plus any value sent). On the devnet, the faucet on the Account page sends some.",
    };
  }
  const revert = find((e): e is ContractFunctionRevertedError => e instanceof ContractFunctionRevertedError);
  if (revert !== undefined) return { kind: "revert", message: revertWords(revert, context) };
  const data = revertData(error);
  if (data !== undefined) {
    const decoded = decodeRevert(data);
    if (decoded !== undefined) return { kind: "revert", message: customErrorWords(decoded.errorName, decoded.args, context) };
  }
  if (find((e): e is HttpRequestError => e instanceof HttpRequestError) !== undefined || find((e): e is TimeoutError => e instanceof TimeoutError) !== undefined) {
    return { kind: "unreachable", message: "The chain node did not answer. Check that the devnet is running, then try again." };
  }
  if (error instanceof TypeError && /fetch/i.test(error.message)) {
    return { kind: "unreachable", message: "The app's server did not answer. Check that it is running, then try again." };
  }
  const short = walked?.shortMessage ?? messageOf(error);
  return { kind: "other", message: sentence(short || "Something went wrong.") };
}

function isUserRejection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 4001 || code === "ACTION_REJECTED";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === "string" ? error : "";
}

function sentence(text: string): string {
  const trimmed = text.trim().split("\n")[0];
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function revertWords(revert: ContractFunctionRevertedError, context: ErrorWordsContext): string {
  if (revert.data?.errorName !== undefined && revert.data.errorName !== "Error" && revert.data.errorName !== "Panic") {
    return customErrorWords(revert.data.errorName, revert.data.args ?? [], context);
  }
  // Decoded against the called contract's ABI only; an error from a contract it called (a token
  // under the timelock) is found among the other ABIs the app knows.
  const raw = (revert as { raw?: Hex }).raw;
  const decoded = raw === undefined ? undefined : decodeRevert(raw);
  if (decoded !== undefined && decoded.errorName !== "Error" && decoded.errorName !== "Panic") return customErrorWords(decoded.errorName, decoded.args, context);
  if (revert.reason !== undefined) return `The contract refused: "${revert.reason}".`;
  if (revert.signature !== undefined) return `The contract refused with an error the app does not know (${revert.signature}).`;
  return "The contract refused the transaction without saying why.";
}

function revertData(error: unknown): Hex | undefined {
  for (let current = error as { data?: unknown; cause?: unknown } | undefined, depth = 0; current != null && depth < 8; depth++) {
    const data = typeof current.data === "string" ? current.data : (current.data as { data?: unknown } | undefined)?.data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data as Hex;
    current = current.cause as typeof current;
  }
  return undefined;
}

export function decodeRevert(data: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: ALL_ABIS as Abi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

/** OpenZeppelin encodes expected states as a bytes32 bitmap, one bit per state. */
function states(bitmap: unknown, names: string[]): string {
  const bits = typeof bitmap === "bigint" ? bitmap : BigInt(bitmap as string);
  const set = names.filter((_, index) => (bits >> BigInt(index)) & 1n);
  return set.length === 0 ? "another state" : set.join(" or ");
}

/** Sentences for the custom errors a member meets; anything else is named with its arguments. */
export function customErrorWords(name: string, args: readonly unknown[], context: ErrorWordsContext = {}): string {
  const token = context.token ?? { symbol: "tokens", decimals: 18 };
  const amount = (value: unknown) => `${formatAmount(value as bigint, token.decimals)} ${token.symbol}`;
  switch (name) {
    case "GovernorInsufficientProposerVotes":
      return `You have ${amount(args[1])} of voting power, but creating a proposal needs ${amount(args[2])}. Delegate tokens to yourself on the Account page (votes count from the next second), or ask holders to delegate to you.`;
    case "GovernorUnexpectedProposalState":
      return `This proposal is ${STATE_NAMES[Number(args[1])] ?? "in another state"}; this needs it to be ${states(args[2], STATE_NAMES)}.`;
    case "GovernorAlreadyCastVote":
      return `${args[0]} has already voted on this proposal; a vote cannot be changed.`;
    case "GovernorNonexistentProposal":
      return "There is no such proposal (it may be on another chain or deployment).";
    case "GovernorUnableToCancel":
      return "Only the proposer, while the proposal is still pending, or the proposal guardian may cancel it.";
    case "GovernorInvalidSignature":
      return `The signed ballot is not ${args[0]}'s signature for this vote (or was already used).`;
    case "GovernorInvalidVoteType":
      return "That is not a vote the Governor counts: choose For, Against or Abstain.";
    case "GovernorInvalidProposalLength":
      return "The proposal's targets, values and calls do not line up (or there are none): add at least one action.";
    case "GovernorRestrictedProposer":
      return `The description reserves this proposal for another account (its #proposer= suffix), not ${args[0]}.`;
    case "GovernorOnlyExecutor":
      return "Only the DAO itself may do this, through a proposal that passes and is executed.";
    case "GovernorAlreadyQueuedProposal":
      return "This proposal is already queued.";
    case "GovernorInvalidVotingPeriod":
      return "The voting period cannot be zero.";
    case "GovernorInvalidQuorumFraction":
      return `A quorum of ${args[0]} out of ${args[1]} is not possible.`;
    case "InvalidAccountNonce":
      return `This signature was already used (the account's next signature number is ${args[1]}). Sign again.`;
    case "TimelockUnexpectedOperationState":
      return `The timelock cannot do this yet: the operation must be ${states(args[1], TIMELOCK_STATES)} (the delay may not have passed).`;
    case "TimelockInsufficientDelay":
      return `The delay ${args[0]} s is shorter than the timelock's minimum of ${args[1]} s.`;
    case "TimelockUnauthorizedCaller":
      return `Only the DAO's Governor may use the timelock (${args[0]} is not allowed).`;
    case "AccessControlUnauthorizedAccount":
      return `${args[0]} lacks the role ${args[1]} this needs.`;
    case "ERC20InsufficientBalance":
      return `${args[0]} holds only ${amount(args[1])}, but ${amount(args[2])} is needed (if that is the treasury, fund it first).`;
    case "ERC20InvalidReceiver":
      return `${args[0]} cannot receive tokens.`;
    case "ERC5805FutureLookup":
      return `Voting power at ${args[0]} is not known yet: that moment is after the chain's time (${args[1]}). Wait a second and try again.`;
    case "VotesExpiredSignature":
      return "The signed delegation expired. Sign again.";
    case "FailedCall":
      return "One of the proposal's calls failed (its target refused it, or the treasury lacks the ETH it sends).";
    default:
      return `The contract refused: ${name}(${args.map((arg) => (typeof arg === "bigint" ? arg.toString() : String(arg))).join(", ")}).`;
  }
}
