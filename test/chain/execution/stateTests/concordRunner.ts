/**
 * Runs state-test cases through Concord's own execution path: every patch installed
 * (installPatches), Concord's crypto, the pre-state written and flushed as a genesis is
 * (openExecutionState: ConcordStateManager, ConcordCaches, trie node cache, batched trie flush into
 * a StateNodeDb overlay), then a fresh execution state opened at that root over the committed nodes,
 * and the transaction run as a block runs one (BlockRun: one journal checkpoint around the block,
 * runTx, commit, the state root from the batched flush).
 *
 * The steps around the transaction are those of the stock runner (stockRunner.ts): the coinbase
 * touched before, touched empty accounts cleaned up after. Blob transactions run here although the
 * node's pool and block builder refuse them (no blob sidecars on Concord): the EVM must still agree.
 */
import { Block } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { Account, KECCAK256_RLP, bytesToHex } from "@ethereumjs/util";
import { BlockExecutor, BlockRun } from "../../../../chain/execution/blockExecutor.ts";
import { concordCrypto, initCrypto } from "../../../../chain/execution/crypto.ts";
import { openExecutionState } from "../../../../chain/execution/executionState.ts";
import { contextHeader } from "../../../../chain/execution/header.ts";
import { installPatches } from "../../../../chain/execution/patches/installPatches.ts";
import { rememberEncoding } from "../../../../chain/execution/patches/transactionEncoding.ts";
import { emptyStateSource, type StateNodeSource } from "../../../../chain/execution/stateNodeDb.ts";
import { headerFields, logsHash, NO_BLOBS_KZG, testBlockHash, writePreState, type CaseOutcome, type StateTestCase } from "./stateTestCases.ts";

await installPatches();
await initCrypto();
const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: { ...concordCrypto, kzg: NO_BLOBS_KZG } });
const blockHashes = { blockHash: async (number: bigint) => testBlockHash(number) };

class CommittedNodes implements StateNodeSource {
  constructor(private readonly nodes: ReadonlyMap<string, Uint8Array>) {}
  async getStateNode(key: string): Promise<Uint8Array | undefined> {
    return this.nodes.get(key);
  }
}

export async function runConcordCase(kase: StateTestCase): Promise<CaseOutcome> {
  const started = performance.now();
  // The pre-state, written and flushed as createGenesis writes a genesis state.
  const genesis = await openExecutionState(common, emptyStateSource, blockHashes, KECCAK256_RLP);
  await writePreState(genesis.stateManager, kase.pre);
  const preRoot = await genesis.stateManager.getStateRoot();

  // A fresh state over the committed nodes, as a block on a cold node.
  const executor = new BlockExecutor({ common, stateNodes: new CommittedNodes(genesis.db.writes()), blockHashes });
  const block = new Block(contextHeader(headerFields(kase.env), common), [], [], [], { common });
  const run = await BlockRun.start(executor, await executor.openState(preRoot), block);
  const { vm } = run;
  const coinbase = block.header.coinbase;
  await vm.evm.journal.putAccount(coinbase, (await vm.stateManager.getAccount(coinbase)) ?? new Account());

  let refused = false;
  let error: string | undefined;
  let included: TypedTransaction[] = [];
  try {
    const tx = createTxFromRLP(kase.txBytes, { common });
    rememberEncoding(tx, kase.txBytes);
    if (!tx.isValid()) throw new Error(`invalid transaction: ${tx.getValidationErrors().join(", ")}`);
    await run.runTransaction(tx);
    included = [tx];
  } catch (e) {
    refused = true;
    error = e instanceof Error ? e.message : String(e);
  }
  await vm.evm.journal.cleanup();
  const outcome = await run.finish(included);
  const logs = run.results[0]?.execResult.logs;
  return { id: kase.id, root: bytesToHex(outcome.stateRoot), logs: logsHash(logs), refused, error, ms: performance.now() - started };
}
