/**
 * The node's view of its chain: the head, the state at a block, and block tags ("latest",
 * "earliest", "pending", a number) resolved to headers, state readers and call contexts. Reads of
 * "latest" go through the state port (statePort.ts), so dev mode's pending changes are seen without
 * this file knowing about them; the head's state reader is kept until the head or its state changes.
 */
import type { Block, BlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createAddressFromString, createZeroAddress } from "@ethereumjs/util";
import type { BlockExecutor } from "../execution/blockExecutor.ts";
import type { CallContext } from "../execution/calls.ts";
import { CallError, CallErrorCode } from "../execution/errors.ts";
import { openStateReader } from "../execution/executionState.ts";
import { childHeaderFields, contextHeader } from "../execution/header.ts";
import type { BlockTag } from "../rpc/backend.ts";
import type { ChainStore } from "../storage/chainStore.ts";
import type { StatePort } from "./statePort.ts";
import type { Hex } from "../types.ts";

export type StateReader = ReturnType<typeof openStateReader>;

export interface ChainViewParts {
  common: Common;
  store: ChainStore;
  executor: BlockExecutor;
  state: StatePort;
  /** The address "pending" calls run with as coinbase (the validator's; zero on a follower). */
  coinbase: Hex | undefined;
}

export class ChainView {
  #head: Block;
  #headReader: StateReader | undefined;

  constructor(
    private readonly parts: ChainViewParts,
    head: Block,
  ) {
    this.#head = head;
  }

  /** The last committed block. */
  head(): Block {
    return this.#head;
  }

  /** A block was committed on top of the head. */
  advance(block: Block): void {
    this.#head = block;
    this.#headReader = undefined;
  }

  /** The store's head moved back (dev mode's revert): read it again. */
  async reloadHead(): Promise<void> {
    const { store } = this.parts;
    this.#head = (await store.getBlock(store.head()!.hash))!.block;
    this.#headReader = undefined;
  }

  /** The state "latest" reads changed between blocks (dev mode's state overrides). */
  stateChanged(): void {
    this.#headReader = undefined;
  }

  /** The state root "latest" reads at. */
  latestStateRoot(): Uint8Array {
    return this.parts.state.latestStateRoot(this.#head);
  }

  /** A state reader for "latest", kept until the state changes. */
  headState(): StateReader {
    this.#headReader ??= openStateReader(this.parts.common, this.parts.state.stateNodes, this.latestStateRoot());
    return this.#headReader;
  }

  /** An account's nonce and balance at "latest" (what pool admission checks). */
  async headAccount(address: Hex): Promise<{ nonce: bigint; balance: bigint }> {
    const at = createAddressFromString(address);
    // The executor's state after the last block has most senders cached; else the head's trie.
    const cached = this.parts.executor.cachedAccount(this.latestStateRoot(), at);
    const account = cached !== undefined ? cached.account : await this.headState().getAccount(at);
    return { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n };
  }

  /** The block number a tag names; an unknown number is a CallError(UnknownBlock). */
  tagNumber(tag: BlockTag): bigint {
    const latest = this.#head.header.number;
    if (typeof tag === "bigint") {
      if (tag > latest || tag < 0n) throw new CallError(CallErrorCode.UnknownBlock, `block ${tag} not found (head is ${latest})`);
      return tag;
    }
    return tag === "earliest" ? 0n : latest;
  }

  async headerAt(tag: BlockTag): Promise<BlockHeader> {
    const number = this.tagNumber(tag);
    if (number === this.#head.header.number) return this.#head.header;
    return (await this.parts.store.getHeaderByNumber(number))!;
  }

  async stateAt(tag: BlockTag): Promise<StateReader> {
    const number = this.tagNumber(tag);
    if (number === this.#head.header.number) return this.headState();
    return openStateReader(this.parts.common, this.parts.state.stateNodes, (await this.headerAt(number)).stateRoot);
  }

  /** "pending" runs in the context of the next block on the head's state; anything else in its own block. */
  async callContext(tag: BlockTag): Promise<CallContext> {
    const { common, state } = this.parts;
    if (tag !== "pending") {
      const header = await this.headerAt(tag);
      const latest = header.number === this.#head.header.number;
      return { header, stateRoot: latest ? this.latestStateRoot() : header.stateRoot };
    }
    const head = this.#head;
    const now = state.now();
    const next = { coinbase: this.parts.coinbase ?? (createZeroAddress().toString() as Hex), timestamp: now > head.header.timestamp ? now : head.header.timestamp + 1n };
    const fields = childHeaderFields(head.header, state.buildOptions(next), common);
    return { header: contextHeader(fields, common), stateRoot: this.latestStateRoot() };
  }
}
