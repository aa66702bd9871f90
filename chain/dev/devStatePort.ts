/**
 * Dev mode's decoration of the node's state port (chain/node/statePort.ts): "latest" reads and the
 * next block build on the pending-state overlay, blocks are stamped by the dev clock, the next
 * header takes the chosen base fee, gas limit, coinbase and prevRandao, a block commits the overlay's
 * trie nodes with its own, and a trace replays a block with its stored senders (impersonated
 * transactions have no signature to recover one from) on the state it was built on.
 */
import { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { StatePort } from "../node/statePort.ts";
import type { ChainStore } from "../storage/chainStore.ts";
import type { DevChain } from "./devChain.ts";
import { bindSender, unfrozenCopy } from "./impersonation.ts";

export function devStatePort(inner: StatePort, dev: DevChain, chain: { store: ChainStore; common: Common }): StatePort {
  return {
    stateNodes: dev.pendingState,
    latestStateRoot: (head) => dev.stateRoot(head),
    nextBaseFee: (parent) => dev.nextBaseFee() ?? inner.nextBaseFee(parent),
    blockGasLimit: (parent) => dev.blockGasLimit() ?? inner.blockGasLimit(parent),
    now: () => dev.nextBlockTime(),
    buildOptions: (proposal) => dev.buildOptions(proposal),
    commitContents: (executed) => ({ stateNodes: dev.stateNodesToCommit(executed), preStateRoot: dev.pendingState.version.root }),
    blockCommitted: (block) => dev.onBlockCommitted(block),
    replayable: async (stored, parent) => {
      const transactions = stored.block.transactions.map((tx, i) => bindSender(unfrozenCopy(tx), stored.senders[i]!));
      const block = new Block(stored.block.header, transactions, [], [], { common: chain.common });
      const preStateRoot = (await chain.store.getPreStateRoot(stored.block.header.number)) ?? parent.header.stateRoot;
      return { block, preStateRoot };
    },
  };
}
