/**
 * The seam between a consensus engine and the rest of the node.
 *
 * An engine decides WHICH block is committed at each height and proves it with a commit
 * certificate; it never touches the VM, the database or the pool directly. Everything it needs comes
 * through `ConsensusHost` as data: the validator set (read from the staking contract in the parent's
 * state), `buildBlock` / `verifyBlock` results, and a commit callback. The single-validator engine
 * (singleValidatorEngine.ts) is the degenerate case; a Tendermint engine plugs in the same way, adding
 * a p2p transport for proposals and votes (`ConsensusNetwork`, supplied by the node when it has one).
 */
import type { Block } from "@ethereumjs/block";
import type { BuiltBlock, ExecutedBlock } from "../execution/blockExecutor.ts";
import type { CommitCertificate, CommitSignature, Hex, Round } from "../types.ts";
import type { ConsensusMessage, SignedMessage } from "./messages.ts";
import { ConcordError } from "../concordError.ts";

export interface Validator {
  /** Signer address (lowercase). */
  address: Hex;
  /** Voting power: the stake snapshotted for the epoch (wei). */
  votingPower: bigint;
}

/** The validators that must finalize a height, in the contract's order (stake desc, signer asc). */
export interface ValidatorSet {
  validators: Validator[];
  totalVotingPower: bigint;
}

export interface ProposalOptions {
  /** Seconds; above the parent's. */
  timestamp: bigint;
  /** Receives the priority fees of the block. */
  coinbase: Hex;
  extraData?: Uint8Array;
}

/** What the node provides to an engine. */
export interface ConsensusHost {
  readonly chainId: bigint;
  /** The last committed block. */
  head(): Block;
  /** The set that must sign the child of `parent` (staking contract state at `parent`). */
  validatorSet(parent: Block): Promise<ValidatorSet>;
  /** Proposer side: the child of `parent` built from the pool's best transactions. */
  buildBlock(parent: Block, options: ProposalOptions): Promise<BuiltBlock>;
  /** Everyone else: re-execute and check; throws a BlockVerificationError for an invalid block. */
  verifyBlock(parent: Block, block: Block): Promise<ExecutedBlock>;
  /** Makes `executed` final with its certificate (storage, pool, subscribers); resolves once durable. */
  commitBlock(executed: ExecutedBlock, certificate: CommitCertificate): Promise<void>;
  /** Transactions are waiting to be included. */
  hasPendingTransactions(): boolean;
  /** Calls `listener` whenever a transaction becomes includable; returns the unsubscribe function. */
  onPendingTransactions(listener: () => void): () => void;
  /** Clients' bursts (JSON-RPC batches of transactions) still arriving; engines may gather them. */
  burstsInProgress?(): number;
  /** A committed block and its certificate (for validators catching up), if this node has it. */
  committedBlock?(height: bigint): Promise<{ block: Block; certificate: CommitCertificate } | undefined>;
}

/** The validator key of this node. */
export interface ConsensusSigner {
  readonly address: Hex;
  /** A commit signature, signed directly (the single-validator engine commits alone). */
  signCommit(height: bigint, round: Round, blockHash: Hex): CommitSignature;
  /**
   * A proposal, prevote or precommit (messages.ts), signed only if it cannot conflict with anything
   * this key signed before, and recorded durably first (signGuard.ts). A BFT engine signs only this way.
   */
  sign<M extends ConsensusMessage>(message: M): Promise<SignedMessage<M>>;
  /** Lets go of what signing keeps open (the engine stopped; a later signature opens it again). */
  close?(): Promise<void>;
}

/** Consensus message transport between validators (added with the BFT engine). */
export interface ConsensusNetwork {
  /** Sends `payload` to every validator peer (best effort: engines re-send what matters). */
  broadcast(topic: string, payload: Uint8Array): Promise<void>;
  /** Sends `payload` to one peer (an answer to its request); without it, answers are broadcast. */
  sendTo?(peer: string, topic: string, payload: Uint8Array): void;
  onMessage(listener: (topic: string, payload: Uint8Array, from: string) => void): () => void;
  peers(): { id: string; address: string }[];
  /** `from` sent something invalid (bad signature, not a validator, garbage): score it down. */
  reportInvalid?(from: string, reason: string): void;
}

export interface EngineStatus {
  engine: string;
  /** Height being decided (head + 1). */
  height: bigint;
  round: number;
  step: string;
  proposer: Hex | null;
  validators: number;
}

/** The time an engine stamps blocks with. */
export interface ConsensusClock {
  /** Unix time in seconds (a dev chain's clock may run ahead of the wall clock). */
  now(): bigint;
}

/**
 * An engine's write-ahead log: a record is durable once `append` resolves, and `replay` yields every
 * record in append order after a restart. The node supplies one to engines that vote (BFT); the
 * single-validator engine keeps no log.
 */
export interface ConsensusWal {
  /**
   * Appends a record. `durable` (the default) resolves only once it would survive power loss: what a
   * validator signed must be. Others' messages may be appended without (CometBFT's Write vs
   * WriteSync): if a crash loses them, peers send them again.
   */
  append(record: Uint8Array, options?: { durable?: boolean }): Promise<void>;
  replay(): AsyncIterable<Uint8Array>;
  /**
   * A height was committed: its records are no longer needed. The WAL may drop them now or later
   * (the file WAL cuts itself back once it is large); replay skips records of committed heights.
   */
  clear?(): Promise<void>;
  /** Writes what waits and lets go of the file (the engine stopped; a later append opens it again). */
  close?(): Promise<void>;
}

/** The timestamp of the `index`-th block of a `mine()` call; undefined: the engine's rule. */
export type MinedTimestamp = (index: number, parent: Block) => bigint | undefined;

/**
 * Blocks on request instead of by agreement: only an engine whose validator decides alone can offer
 * it (the single-validator engine). Dev mode drives it (Hardhat's automine, evm_mine, and state
 * changes serialised with block production).
 */
export interface OnDemandProduction {
  readonly automine: boolean;
  setAutomine(enabled: boolean): void;
  /** Interval mining: a block after this long without one (undefined: only on demand / automine). */
  readonly intervalMining: { minMs: number; maxMs: number } | undefined;
  setIntervalMining(interval: { minMs: number; maxMs: number } | undefined): void;
  /** Runs `task` while no block is being built or committed, holding production until it settles. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Produces `count` blocks now (empty ones too); resolves once all are committed. */
  mine(count: number, timestamp?: MinedTimestamp): Promise<void>;
  /** Resolves when no block is being produced. */
  idle(): Promise<void>;
  /**
   * Resolves true once the block being produced is committed (or production stops without one);
   * false at once when nothing is being produced.
   */
  nextBlock(): Promise<boolean>;
}

/** An engine is built with its host (engineFactory.ts), then started and stopped by the node. */
export interface ConsensusEngine {
  readonly name: string;
  start(): Promise<void>;
  /** Finishes the block in progress, if any, then stops. */
  stop(): Promise<void>;
  status(): EngineStatus;
  /** Present when the engine can produce blocks on request (what dev mode needs). */
  readonly onDemand?: OnDemandProduction;
  /**
   * Starts the next height now, even with no transaction waiting (evm_mine on a network of
   * validators). The block still needs the validators' agreement; watch the head for it.
   */
  requestBlock?(): void;
}

export type ConsensusErrorCode = "NOT_A_VALIDATOR" | "INSUFFICIENT_VOTING_POWER" | "NOT_STARTED" | "ALREADY_STARTED" | "UNGUARDED_SIGNER" | "EQUIVOCATION" | "MISSING_DEPENDENCY";

export class ConsensusError extends ConcordError<ConsensusErrorCode> {
  override readonly name = "ConsensusError";
}
