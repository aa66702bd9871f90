/**
 * The state a node reads "latest" at and builds its next block on, behind one port. A plain node's
 * is the head's committed state with the protocol's rules for the next header; dev mode decorates
 * it (chain/dev/devStatePort.ts) with its pending-state overlay, its clock and its next-block header
 * values. The chain view, the block pipeline and the RPC backend go through this port, so none of
 * them asks whether the node is in dev mode.
 */
import type { Block } from "@ethereumjs/block";
import type { ProposalOptions } from "../consensus/engine.ts";
import type { BuildBlockOptions, ExecutedBlock } from "../execution/blockExecutor.ts";
import type { StateNodeSource } from "../execution/stateNodeDb.ts";
import type { StoredBlock } from "../storage/chainStore.ts";

/** What a proposer asks for, plus the gas limit the node steers blocks towards. */
export type ProposalRequest = ProposalOptions & { targetGasLimit?: bigint };

export interface StatePort {
  /** Where the executor and state readers find trie nodes. */
  readonly stateNodes: StateNodeSource;
  /** The state root "latest" reads at, given the head. */
  latestStateRoot(head: Block): Uint8Array;
  /** Base fee of the child of `parent`. */
  nextBaseFee(parent: Block): bigint;
  /** Gas limit the pool admits against and a child of `parent` is filled to. */
  blockGasLimit(parent: Block): bigint;
  /** Unix seconds new blocks are stamped from (the engine's clock, and "pending" calls). */
  now(): bigint;
  /** How the child of the head is built. */
  buildOptions(proposal: ProposalRequest): BuildBlockOptions;
  /** What is written with `executed`: its trie nodes (and those it was built on), and the root it was built on. */
  commitContents(executed: ExecutedBlock): { stateNodes: ReadonlyMap<string, Uint8Array>; preStateRoot?: Uint8Array };
  /** After `block` is durable and the head. */
  blockCommitted(block: Block): Promise<void>;
  /** `stored` as a trace re-runs it, and the root it starts from (undefined: its parent's). */
  replayable(stored: StoredBlock, parent: Block): Promise<{ block: Block; preStateRoot?: Uint8Array }>;
}

/** The head's committed state, the protocol's next header, the wall clock. */
export function committedStatePort(stateNodes: StateNodeSource): StatePort {
  return {
    stateNodes,
    latestStateRoot: (head) => head.header.stateRoot,
    nextBaseFee: (parent) => parent.header.calcNextBaseFee(),
    blockGasLimit: (parent) => parent.header.gasLimit,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    buildOptions: (proposal) => proposal,
    commitContents: (executed) => ({ stateNodes: executed.stateNodes }),
    blockCommitted: async () => {},
    replayable: async (stored) => ({ block: stored.block }),
  };
}
