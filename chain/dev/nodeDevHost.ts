/**
 * `DevHost` (devChain.ts) over a node's parts: what dev mode reads and changes of the node when it
 * takes snapshots, reverts, overrides state or admits impersonated transactions. The node's wiring
 * builds it once, in dev mode only.
 */
import { hexToBytes } from "@ethereumjs/util";
import type { BlockExecutor } from "../execution/blockExecutor.ts";
import type { TransactionFailure } from "../execution/receipts.ts";
import type { BlockPipeline } from "../node/blockPipeline.ts";
import type { ChainView } from "../node/chainView.ts";
import type { PoolSlot } from "../node/poolSlot.ts";
import type { StatePort } from "../node/statePort.ts";
import type { CallFrame } from "../rpc/backend.ts";
import { RpcError, RpcErrorCode, transactionFailedError } from "../rpc/errors.ts";
import type { ChainStore } from "../storage/chainStore.ts";
import type { StatelessRules } from "../txpool/validateTransaction.ts";
import type { DevHost } from "./devChain.ts";
import type { Hex } from "../types.ts";

export interface NodeDevHostParts {
  chainId: bigint;
  store: ChainStore;
  executor: BlockExecutor;
  view: ChainView;
  pipeline: BlockPipeline;
  pools: PoolSlot;
  state: StatePort;
  /** The call-tracer frame of a mined transaction (what a failure is explained with). */
  trace(hash: Hex): Promise<CallFrame>;
}

export function nodeDevHost(parts: NodeDevHostParts): DevHost {
  const { store, executor, view, pipeline, pools, state } = parts;
  return {
    head: () => view.head(),
    openState: (root) => executor.openState(root),
    account: (address) => view.headAccount(address),
    admissionRules: (): StatelessRules => {
      const pool = pools.current;
      return {
        chainId: parts.chainId,
        blockGasLimit: state.blockGasLimit(view.head()),
        baseFee: state.nextBaseFee(view.head()),
        minPriorityFee: pool.options.minPriorityFee,
        maxTxBytes: pool.options.maxTxBytes,
        allowUnprotected: pool.options.allowUnprotected,
      };
    },
    poolTransactions: () => {
      const { pending, queued } = pools.current.content();
      return [...pending.values(), ...queued.values()].flat();
    },
    hasPooled: (hash) => pools.current.get(hash) !== undefined,
    replacePool: async (transactions) => {
      const pool = pools.replace();
      pipeline.poolReplaced();
      // Lowest nonces first, so each sender's sequence is rebuilt without artificial gaps.
      for (const tx of [...transactions].sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0))) {
        await pool.add(tx).catch(() => undefined);
      }
    },
    stateChanged: async () => {
      view.stateChanged();
      await pools.current.onBlockCommitted([], state.nextBaseFee(view.head()));
    },
    truncate: async (height) => {
      await store.truncate(height);
      await view.reloadHead();
      pipeline.truncated(height);
    },
    isMined: async (hash) => (await store.getTransactionLocation(hexToBytes(hash))) !== undefined,
    announcePending: (hash) => pools.announce(hash),
    minedFailure: async (hash) => {
      // Asked after every automined submission: the status alone, not a formatted receipt.
      const location = await store.getTransactionLocation(hexToBytes(hash));
      if (location === undefined) {
        // Not in a block: dropped at build (it could not run), or still waiting (automine off, a gap).
        const dropped = pipeline.droppedReason(hash);
        return dropped === undefined ? undefined : new RpcError(RpcErrorCode.TransactionRejected, `transaction ${hash} was dropped: a block could not include it (${dropped})`);
      }
      const receipt = (await store.getReceipts(location.blockHash))![location.index];
      if (receipt.status === 1) return undefined;
      // Known from the block's execution here; traced again only when that was forgotten (a restart).
      const failure = pipeline.failureOf(hash)?.failure ?? failureOfFrame(await parts.trace(hash));
      return transactionFailedError(hash, location.blockNumber, failure);
    },
  };
}

/** A failure as the call tracer's top frame tells it. */
function failureOfFrame(frame: CallFrame): TransactionFailure {
  if (frame.error === "execution reverted") return { kind: "revert", output: hexToBytes(frame.output ?? "0x") };
  return { kind: "error", error: frame.error ?? "unknown failure" };
}
