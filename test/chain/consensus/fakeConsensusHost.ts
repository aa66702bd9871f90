/**
 * A small in-memory `ConsensusHost` for engine tests: no VM, no storage, no pool. Blocks are real
 * @ethereumjs blocks (so hashes, numbers and timestamps are what an engine sees on a node) holding
 * the transactions that were waiting, and every call the engine makes is recorded. A test can hold
 * a build open (`holdBuilds`) to act while the engine is mid-block, and change the validator set.
 */
import { createBlock, type Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { ConsensusHost, ProposalOptions, ValidatorSet } from "../../../chain/consensus/engine.ts";
import type { BuiltBlock, ExecutedBlock } from "../../../chain/execution/blockExecutor.ts";
import { devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import type { CommitCertificate, Hex } from "../../../chain/types.ts";

const [SENDER] = devAccountKeys(1);

export interface RecordedCommit {
  block: Block;
  certificate: CommitCertificate;
}

export class FakeConsensusHost implements ConsensusHost {
  readonly chainId: bigint;
  readonly commits: RecordedCommit[] = [];
  /** Timestamps builds were asked for, in order (empty blocks the engine dropped included). */
  readonly builds: ProposalOptions[] = [];
  validators: ValidatorSet;
  #chain: Block[];
  #waiting: { tx: TypedTransaction; sender: Hex }[] = [];
  #listeners = new Set<() => void>();
  #held: { started: () => void; release: Promise<void> } | undefined;
  #nonce = 0n;

  constructor(
    private readonly common: Common,
    options: { validators: ValidatorSet; genesisTimestamp?: bigint },
  ) {
    this.chainId = common.chainId();
    this.validators = options.validators;
    this.#chain = [createBlock({ header: { number: 0n, timestamp: options.genesisTimestamp ?? 0n, gasLimit: 30_000_000n } }, { common })];
  }

  head(): Block {
    return this.#chain[this.#chain.length - 1]!;
  }

  async validatorSet(): Promise<ValidatorSet> {
    return this.validators;
  }

  async buildBlock(parent: Block, options: ProposalOptions): Promise<BuiltBlock> {
    this.builds.push(options);
    // What waits now goes into this block, as a pool's selection is taken when a build starts.
    const taken = this.#waiting.splice(0);
    const held = this.#held;
    if (held !== undefined) {
      held.started();
      await held.release;
    }
    const block = createBlock(
      {
        header: { number: parent.header.number + 1n, parentHash: parent.hash(), timestamp: options.timestamp, coinbase: hexToBytes(options.coinbase), gasLimit: 30_000_000n },
        transactions: taken.map(({ tx }) => tx),
      },
      { common: this.common },
    );
    return { block, senders: taken.map(({ sender }) => sender), receipts: [], stateNodes: new Map(), systemLogs: [], skipped: [] };
  }

  async verifyBlock(_parent: Block, block: Block): Promise<ExecutedBlock> {
    return { block, senders: [], receipts: [], stateNodes: new Map(), systemLogs: [] };
  }

  async commitBlock(executed: ExecutedBlock, certificate: CommitCertificate): Promise<void> {
    if (!equal(executed.block.header.parentHash, this.head().hash())) throw new Error(`block ${executed.block.header.number} does not extend the head`);
    this.#chain.push(executed.block);
    this.commits.push({ block: executed.block, certificate });
  }

  hasPendingTransactions(): boolean {
    return this.#waiting.length > 0;
  }

  /** Transactions submitted and not yet taken into a build. */
  get waiting(): number {
    return this.#waiting.length;
  }

  onPendingTransactions(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new transfer becomes executable (the engine is told, as the pool tells it); returns its hash. */
  submit(): Hex {
    const unsigned = createTx({ type: 2, nonce: this.#nonce++, gasLimit: 21_000n, maxFeePerGas: 1n, to: `0x${"11".repeat(20)}` }, { common: this.common });
    const tx = unsigned.sign(SENDER!.privateKey);
    this.#waiting.push({ tx, sender: SENDER!.address });
    for (const listener of this.#listeners) listener();
    return bytesToHex(tx.hash()) as Hex;
  }

  /** How many listeners the engine keeps subscribed (0 once it stopped). */
  get subscribers(): number {
    return this.#listeners.size;
  }

  /**
   * Makes the next builds wait until `release()`; `started` resolves when a build is waiting.
   * Only one hold at a time.
   */
  holdBuilds(): { started: Promise<void>; release(): void } {
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const releasePromise = new Promise<void>((resolve) => (release = resolve));
    this.#held = { started, release: releasePromise };
    return {
      started: startedPromise,
      release: () => {
        this.#held = undefined;
        release();
      },
    };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
