/**
 * The node as the RPC layer sees it: `RpcBackend` (backend.ts) over the chain view, the store, the
 * executors, the transaction port and the consensus engine, plus what dev methods read
 * (`DevModeBackend`: the dev controls, the chain's metadata). It answers; it decides nothing: state
 * reads resolve their tag in the chain view, submissions go through the transaction port, records
 * are formatted by format/records.ts.
 */
import { getMerkleStateProof } from "@ethereumjs/statemanager";
import type { ConsensusNetwork } from "../consensus/engine.ts";
import type { EventEmitter } from "node:events";
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, createAddressFromString, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import type { ConsensusEngine } from "../consensus/engine.ts";
import type { DevChain } from "../dev/devChain.ts";
import type { ChainMetadata, DevModeBackend } from "../dev/devModeBackend.ts";
import type { BlockExecutor } from "../execution/blockExecutor.ts";
import type { AccessListResult, CallExecutor } from "../execution/calls.ts";
import type { OffThreadExecution } from "../execution/offThread/executionPool.ts";
import { CallError, CallErrorCode } from "../execution/errors.ts";
import { feeHistory } from "../execution/feeHistory.ts";
import { effectiveGasPrice } from "../execution/receipts.ts";
import type { StakingState } from "../execution/stakingState.ts";
import type { ChainView } from "../node/chainView.ts";
import type { PoolSlot } from "../node/poolSlot.ts";
import type { StatePort } from "../node/statePort.ts";
import type { TransactionPort } from "../node/transactionPort.ts";
import type { ChainStore } from "../storage/chainStore.ts";
import { findLogs, findLogsInBlock } from "../storage/logQuery.ts";
import type {
  AccountProof,
  BackendEvents,
  BlockTag,
  BlockTraceEntry,
  CallRequest,
  CallResult,
  ConsensusStatus,
  FeeHistory,
  LocatedTransaction,
  LogFilter,
  LogRecord,
  ReceiptRecord,
  RpcBackend,
  TraceConfig,
  ValidatorInfo,
} from "./backend.ts";
import { ExecutionRevertedError, RpcError, RpcErrorCode } from "./errors.ts";
import { logRecord, receiptRecord } from "./format/records.ts";
import type { CommitCertificate, Hex } from "../types.ts";

const ONE_GWEI = 1_000_000_000n;
const ZERO_HASH = `0x${"0".repeat(64)}` as Hex;

export interface NodeBackendParts {
  chainId: bigint;
  clientVersion: string;
  devAccounts: ReadonlyMap<Hex, Uint8Array>;
  coinbase: Hex | undefined;
  events: EventEmitter<BackendEvents>;
  common: Common;
  store: ChainStore;
  view: ChainView;
  executor: BlockExecutor;
  /** Calls, estimates and traces, on worker threads. */
  calls: OffThreadExecution;
  /** Estimates of plain value transfers, here: no code runs, so they are bounded and cheap (as geth's shortcut). */
  plainTransfers: CallExecutor;
  staking: StakingState;
  state: StatePort;
  transactions: TransactionPort;
  pools: PoolSlot;
  /** Undefined on a node that follows without deciding blocks. */
  engine: ConsensusEngine | undefined;
  /** 32 random bytes made with the chain (chain/storage). */
  instanceId: Uint8Array;
  /** Dev mode's controls; undefined on a node without dev mode. */
  dev: DevChain | undefined;
  /** The validators' transport, when the node has one (concord_peers). */
  network?: ConsensusNetwork;
}

export class NodeBackend implements RpcBackend, DevModeBackend {
  readonly chainId: bigint;
  readonly clientVersion: string;
  readonly devAccounts: ReadonlyMap<Hex, Uint8Array>;
  readonly events: EventEmitter<BackendEvents>;
  readonly coinbase?: Hex;
  readonly dev: DevChain | undefined;

  constructor(private readonly parts: NodeBackendParts) {
    this.chainId = parts.chainId;
    this.clientVersion = parts.clientVersion;
    this.devAccounts = parts.devAccounts;
    this.events = parts.events;
    if (parts.coinbase !== undefined) this.coinbase = parts.coinbase;
    this.dev = parts.dev;
  }

  // ------------------------------------------------------------------ chain data

  latestBlockNumber(): bigint {
    return this.parts.view.head().header.number;
  }

  async getBlockByNumber(number: bigint): Promise<Block | undefined> {
    return (await this.parts.store.getBlockByNumber(number))?.block;
  }

  async getBlockByHash(hash: Hex): Promise<Block | undefined> {
    return (await this.parts.store.getBlock(hexToBytes(hash)))?.block;
  }

  async getBlockReceipts(blockHash: Hex): Promise<ReceiptRecord[] | undefined> {
    const { store } = this.parts;
    const stored = await store.getBlock(hexToBytes(blockHash));
    const receipts = await store.getReceipts(hexToBytes(blockHash));
    if (stored === undefined || receipts === undefined) return undefined;
    return receipts.map((_, index) => receiptRecord(stored.block, stored.senders, receipts, index));
  }

  async getTransaction(hash: Hex): Promise<LocatedTransaction | undefined> {
    const { store, transactions } = this.parts;
    const location = await store.getTransactionLocation(hexToBytes(hash));
    if (location !== undefined) {
      const stored = (await store.getBlock(location.blockHash))!;
      return {
        tx: stored.block.transactions[location.index],
        sender: stored.senders[location.index],
        blockHash: bytesToHex(location.blockHash) as Hex,
        blockNumber: location.blockNumber,
        transactionIndex: location.index,
      };
    }
    const waiting = transactions.waiting(hash);
    if (waiting === undefined) return undefined;
    return { tx: waiting.tx, sender: waiting.sender, blockHash: null, blockNumber: null, transactionIndex: null };
  }

  async getReceipt(hash: Hex): Promise<ReceiptRecord | undefined> {
    const { store } = this.parts;
    const location = await store.getTransactionLocation(hexToBytes(hash));
    if (location === undefined) return undefined;
    const stored = (await store.getBlock(location.blockHash))!;
    const receipts = (await store.getReceipts(location.blockHash))!;
    return receiptRecord(stored.block, stored.senders, receipts, location.index);
  }

  async getLogs(filter: LogFilter): Promise<LogRecord[]> {
    const { store } = this.parts;
    const found =
      filter.blockHash !== undefined
        ? ((await findLogsInBlock(store, hexToBytes(filter.blockHash), filter)) ?? [])
        : await findLogs(store, filter);
    return found.map(logRecord);
  }

  // ------------------------------------------------------------------ state

  async getBalance(address: Hex, block: BlockTag): Promise<bigint> {
    return (await (await this.parts.view.stateAt(block)).getAccount(createAddressFromString(address)))?.balance ?? 0n;
  }

  async getTransactionCount(address: Hex, block: BlockTag): Promise<bigint> {
    if (block === "pending") return this.parts.transactions.pendingNonce(address.toLowerCase() as Hex);
    return (await (await this.parts.view.stateAt(block)).getAccount(createAddressFromString(address)))?.nonce ?? 0n;
  }

  async getCode(address: Hex, block: BlockTag): Promise<Uint8Array> {
    return (await this.parts.view.stateAt(block)).getCode(createAddressFromString(address));
  }

  async getStorageAt(address: Hex, slot: Hex, block: BlockTag): Promise<Hex> {
    const value = await (await this.parts.view.stateAt(block)).getStorage(createAddressFromString(address), setLengthLeft(hexToBytes(slot), 32));
    return bytesToHex(setLengthLeft(value, 32)) as Hex;
  }

  async getProof(address: Hex, slots: Hex[], block: BlockTag): Promise<AccountProof> {
    const state = await this.parts.view.stateAt(block);
    const at = createAddressFromString(address);
    const proof = await getMerkleStateProof(state, at, slots.map((slot) => hexToBytes(slot)));
    const accountProof = proof.accountProof as Hex[];
    if ((await state.getAccount(at)) === undefined) {
      // As geth answers an absent account (its gethclient tests pin it): zero code and storage hashes
      // (ethereumjs gives the empty ones), and every key asked answered 0 with an empty proof
      // (ethereumjs answers none, and EIP-1186 wants one entry per key).
      return { balance: 0n, nonce: 0n, codeHash: ZERO_HASH, storageHash: ZERO_HASH, accountProof, storageProof: slots.map((slot) => ({ slot, value: 0n, proof: [] })) };
    }
    return {
      balance: BigInt(proof.balance),
      nonce: BigInt(proof.nonce),
      codeHash: proof.codeHash as Hex,
      storageHash: proof.storageHash as Hex,
      accountProof,
      storageProof: proof.storageProof.map((entry, i) => ({ slot: slots[i]!, value: BigInt(entry.value), proof: entry.proof as Hex[] })),
    };
  }

  // ------------------------------------------------------------------ execution without commit

  async call(request: CallRequest, block: BlockTag): Promise<CallResult> {
    return this.parts.calls.call(await this.parts.view.callContext(block), request);
  }

  async estimateGas(request: CallRequest, block: BlockTag): Promise<bigint> {
    try {
      const context = await this.parts.view.callContext(block);
      // A transfer to an address without code runs no EVM code: estimating it here spares a wallet's
      // send a wait behind whatever heavy calls occupy the workers.
      const runner = (await this.#isPlainTransfer(request, block)) ? this.parts.plainTransfers : this.parts.calls;
      return await runner.estimateGas(context, request);
    } catch (error) {
      if (error instanceof CallError && error.code === CallErrorCode.Reverted) {
        throw new ExecutionRevertedError(bytesToHex(error.returnData ?? new Uint8Array()) as Hex);
      }
      throw error;
    }
  }

  async #isPlainTransfer(request: CallRequest, block: BlockTag): Promise<boolean> {
    if (request.to === undefined || request.to === null || (request.data?.length ?? 0) > 0 || (request.accessList?.length ?? 0) > 0) return false;
    if (request.stateOverride !== undefined) return false;
    const code = await (await this.parts.view.stateAt(block)).getCode(createAddressFromString(request.to));
    return code.length === 0;
  }

  async traceTransaction(hash: Hex, config: TraceConfig): Promise<unknown> {
    const location = await this.parts.store.getTransactionLocation(hexToBytes(hash));
    if (location === undefined) throw new CallError(CallErrorCode.UnknownTransaction, `transaction ${hash} not found`);
    const [entry] = (await this.#traceStoredBlock(location.blockHash, config, location.index))!;
    return entry!.result;
  }

  async traceBlock(blockHash: Hex, config: TraceConfig): Promise<BlockTraceEntry[] | undefined> {
    return this.#traceStoredBlock(hexToBytes(blockHash), config);
  }

  async #traceStoredBlock(blockHash: Uint8Array, config: TraceConfig, index?: number): Promise<BlockTraceEntry[] | undefined> {
    const { store, state } = this.parts;
    const stored = await store.getBlock(blockHash);
    if (stored === undefined) return undefined;
    if (stored.block.header.number === 0n) return [];
    const parent = (await store.getBlock(stored.block.header.parentHash))!.block;
    // A dev chain's block may start from the parent's state plus pending changes (hardhat_setBalance...).
    const { block, preStateRoot } = await state.replayable(stored, parent);
    return this.parts.calls.traceBlock(parent, block, stored.senders, config, preStateRoot ?? parent.header.stateRoot, index);
  }

  async createAccessList(request: CallRequest, block: BlockTag): Promise<AccessListResult> {
    return this.parts.calls.createAccessList(await this.parts.view.callContext(block), request);
  }

  async traceCall(request: CallRequest, block: BlockTag, config: TraceConfig): Promise<unknown> {
    return this.parts.calls.traceCall(await this.parts.view.callContext(block), request, config);
  }

  // ------------------------------------------------------------------ fees

  nextBaseFee(): bigint {
    return this.parts.state.nextBaseFee(this.parts.view.head());
  }

  /** The blob base fee of the next block (EIP-4844: from the head's excess blob gas); 1 wei on a blob-free chain. */
  nextBlobBaseFee(): bigint {
    const head = this.parts.view.head();
    return head.header.excessBlobGas === undefined ? 1n : head.header.calcNextBlobGasPrice(head.common);
  }

  /** Hardhat's answer to eth_maxPriorityFeePerGas (1 gwei): enough to be included on a quiet devnet. */
  suggestedPriorityFee(): bigint {
    return ONE_GWEI;
  }

  async feeHistory(blockCount: number, newest: BlockTag, rewardPercentiles: number[]): Promise<FeeHistory> {
    const { store, view } = this.parts;
    const newestNumber = view.tagNumber(newest);
    const count = BigInt(Math.max(1, Math.min(blockCount, Number(newestNumber + 1n))));
    const blocks = [];
    for (let number = newestNumber - count + 1n; number <= newestNumber; number++) {
      const stored = (await store.getBlockByNumber(number))!;
      const header = stored.block.header;
      let transactions: { tip: bigint; gasUsed: bigint }[] | undefined;
      if (rewardPercentiles.length > 0) {
        const receipts = (await store.getReceipts(stored.block.hash())) ?? [];
        transactions = stored.block.transactions.map((tx, i) => ({
          tip: effectiveGasPrice(tx, header.baseFeePerGas ?? 0n) - (header.baseFeePerGas ?? 0n),
          gasUsed: receipts[i]?.gasUsed ?? 0n,
        }));
      }
      blocks.push({ header, transactions });
    }
    const newestHeader = blocks[blocks.length - 1].header;
    return feeHistory(blocks, newestHeader.calcNextBaseFee(), rewardPercentiles);
  }

  // ------------------------------------------------------------------ transactions

  beginBurst(): () => void {
    return this.parts.pools.beginBurst();
  }

  sendRawTransaction(raw: Uint8Array, onAdmitted?: () => void): Promise<Hex> {
    return this.parts.transactions.submit(raw, onAdmitted);
  }

  txpoolContent(): { pending: Map<Hex, TypedTransaction[]>; queued: Map<Hex, TypedTransaction[]> } {
    return this.parts.pools.current.content();
  }

  // ------------------------------------------------------------------ concord_

  get requestBlocks(): ((count: number) => Promise<void>) | undefined {
    const { engine, events, view } = this.parts;
    const requestBlock = engine?.requestBlock?.bind(engine);
    if (requestBlock === undefined) return undefined;
    return async (count) => {
      for (let i = 0; i < count; i++) {
        const target = view.head().header.number + 1n;
        const committed = headReaches(events, () => view.head().header.number, target, REQUESTED_BLOCK_TIMEOUT_MS);
        requestBlock();
        await committed;
      }
    };
  }

  consensusStatus(): ConsensusStatus {
    const { engine, view } = this.parts;
    if (engine === undefined) {
      return { engine: "none", height: view.head().header.number + 1n, round: 0, step: "following", proposer: null, validators: 0, peers: 0 };
    }
    return { ...engine.status(), peers: 0 };
  }

  async validators(block: BlockTag): Promise<ValidatorInfo[]> {
    const { staking, view } = this.parts;
    const header = await view.headerAt(block);
    if (!(await staking.isDeployed(header))) return [];
    const active = await staking.activeValidators(header);
    return Promise.all(
      active.signers.map(async (address, i) => {
        const record = await staking.validator(header, address);
        return { address, votingPower: active.stakes[i], stake: record.stake, jailed: record.jailed };
      }),
    );
  }

  async commitCertificate(number: bigint): Promise<CommitCertificate | undefined> {
    return this.parts.store.getCertificate(number);
  }

  peers(): { id: string; address: string }[] {
    return this.parts.network?.peers() ?? [];
  }

  // ------------------------------------------------------------------ dev methods

  /** hardhat_metadata / anvil_metadata: what identifies this chain and its head. */
  metadata(): ChainMetadata {
    const head = this.parts.view.head();
    return {
      clientVersion: this.clientVersion,
      chainId: this.chainId,
      instanceId: bytesToHex(this.parts.instanceId) as Hex,
      latestBlockNumber: head.header.number,
      latestBlockHash: bytesToHex(head.hash()) as Hex,
    };
  }
}

/** How long evm_mine waits for the validators to commit a block it asked for. */
const REQUESTED_BLOCK_TIMEOUT_MS = 30_000;

/** Resolves once the head is at `target` or past it; rejects after `timeoutMs`. */
function headReaches(events: EventEmitter<BackendEvents>, head: () => bigint, target: bigint, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      events.off("newHead", onHead);
    };
    const onHead = () => {
      if (head() < target) return;
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new RpcError(
          RpcErrorCode.ServerError,
          `no block was committed within ${timeoutMs / 1000} s: the validators holding more than 2/3 of the voting power must be running and connected (concord_status shows the round, concord_peers the peers)`,
        ),
      );
    }, timeoutMs);
    events.on("newHead", onHead);
    onHead();
  });
}

