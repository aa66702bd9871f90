/**
 * A chain built by Concord's own executor (BlockExecutor.buildBlock on a real chain store, every
 * patch installed, warm state carried from block to block), recorded as a ChainRecord for the stock
 * replay, with what Concord computed for each block.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTxData } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import type { BuiltBlock, PendingTransaction } from "../../../../chain/execution/blockExecutor.ts";
import type { Hex } from "../../../../chain/types.ts";
import type { DerivedKey } from "../../../../chain/execution/devAccounts.ts";
import { executionFixture, type ExecutionFixture } from "../fixture.ts";
import type { BlockResult, ChainRecord, RecordedAccount } from "./chainRecord.ts";

export class RecordingChain {
  private readonly blocks: Block[] = [];
  readonly results: BlockResult[] = [];
  private readonly nonces = new Map<Hex, bigint>();
  private parent: Block;

  private constructor(
    readonly name: string,
    readonly fixture: ExecutionFixture,
  ) {
    this.parent = fixture.genesis;
  }

  static async create(name: string): Promise<RecordingChain> {
    return new RecordingChain(name, await executionFixture());
  }

  get accounts(): DerivedKey[] {
    return this.fixture.accounts;
  }

  get head(): Block {
    return this.parent;
  }

  /** A signed transaction from `from` with its next nonce (defaults: EIP-1559, 100 gwei max fee). */
  tx(from: DerivedKey, data: Partial<TypedTxData>): PendingTransaction {
    const nonce = this.nonces.get(from.address) ?? 0n;
    this.nonces.set(from.address, nonce + 1n);
    const fees = data.type === 0 || data.type === 1 ? { gasPrice: 100n * 10n ** 9n } : { maxFeePerGas: 100n * 10n ** 9n };
    return this.fixture.sign(from, { gasLimit: 100_000n, ...fees, ...data, nonce } as Partial<TypedTxData> & { nonce: bigint });
  }

  /** Builds, commits and records the next block, `advance` seconds after its parent. */
  async block(candidates: PendingTransaction[], advance = 12n): Promise<BuiltBlock> {
    const built = await this.fixture.executor.buildBlock(this.parent, candidates, {
      coinbase: this.fixture.validators[0]!.address,
      timestamp: this.parent.header.timestamp + advance,
    });
    await this.fixture.commit(built);
    this.parent = built.block;
    this.blocks.push(built.block);
    // A skipped transaction leaves a gap: the sender's next nonce is its first one not included.
    const included = new Set(built.block.transactions.map((tx) => bytesToHex(tx.hash())));
    for (const sender of new Set(candidates.map((c) => c.sender))) {
      const mine = candidates.filter((c) => c.sender === sender);
      const first = mine.find((c) => !included.has(bytesToHex(c.tx.hash())));
      if (first !== undefined) this.nonces.set(sender, first.tx.nonce);
    }
    const { header } = built.block;
    this.results.push({
      number: header.number.toString(),
      stateRoot: bytesToHex(header.stateRoot),
      receiptsRoot: bytesToHex(header.receiptTrie),
      logsBloom: bytesToHex(header.logsBloom),
      gasUsed: header.gasUsed.toString(),
      requestsHash: header.requestsHash === undefined ? "" : bytesToHex(header.requestsHash),
      receipts: built.receipts.map((receipt) => ({
        status: receipt.status,
        cumulativeGasUsed: receipt.cumulativeGasUsed.toString(),
        gasUsed: receipt.gasUsed.toString(),
        logs: receipt.logs.map(([address, topics, data]) => [bytesToHex(address), topics.map((topic) => bytesToHex(topic)), bytesToHex(data)] as [string, string[], string]),
      })),
    });
    return built;
  }

  record(): ChainRecord {
    const alloc: Record<string, RecordedAccount> = {};
    for (const [address, account] of Object.entries(this.fixture.config.alloc)) {
      alloc[address] = {
        balance: (account.balance ?? 0n).toString(),
        nonce: (account.nonce ?? 0n).toString(),
        code: bytesToHex(account.code ?? new Uint8Array()),
        storage: { ...(account.storage ?? {}) },
      };
    }
    return {
      name: this.name,
      chainId: this.fixture.config.chainId.toString(),
      alloc,
      genesis: bytesToHex(this.fixture.genesis.serialize()),
      blocks: this.blocks.map((block) => bytesToHex(block.serialize())),
    };
  }
}
