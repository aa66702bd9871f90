/**
 * Runs state-test cases on stock ethereumjs: `createVM` + `MerkleStateManager`, default crypto, no
 * Concord patch. Must run in a process where no patch was ever installed (patches are process-wide):
 * `runStockCases` checks that first. The steps are those of ethereumjs' own GeneralStateTestsRunner:
 * pre-state, the coinbase touched, the transaction run if valid, touched empty accounts cleaned up,
 * the state root.
 */
import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { createTxFromRLP } from "@ethereumjs/tx";
import { Account, bytesToHex } from "@ethereumjs/util";
import { createVM, runTx } from "@ethereumjs/vm";
import { activePatches } from "../../../../chain/execution/patches/installPatches.ts";
import { headerFields, logsHash, NO_BLOBS_KZG, testBlockHash, writePreState, type CaseOutcome, type StateTestCase } from "./stateTestCases.ts";

const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: { kzg: NO_BLOBS_KZG } });

/** BLOCKHASH's view of the chain (see testBlockHash). */
const blockchain = {
  async getBlock(number: number | bigint) {
    const hash = testBlockHash(BigInt(number));
    return { hash: () => hash };
  },
  async putBlock() {},
  shallowCopy() {
    return blockchain;
  },
};

export async function runStockCase(kase: StateTestCase): Promise<CaseOutcome> {
  const started = performance.now();
  const caseCommon = common.copy();
  const stateManager = new MerkleStateManager({ common: caseCommon });
  const vm = await createVM({ common: caseCommon, stateManager, blockchain: blockchain as never });
  await writePreState(stateManager, kase.pre);
  await stateManager.getStateRoot();

  const block = createBlock({ header: headerFields(kase.env) }, { common: caseCommon });
  const coinbase = block.header.coinbase;
  await vm.evm.journal.putAccount(coinbase, (await stateManager.getAccount(coinbase)) ?? new Account());

  let refused = false;
  let error: string | undefined;
  let logs: unknown[] | undefined;
  try {
    const tx = createTxFromRLP(kase.txBytes, { common: caseCommon });
    if (!tx.isValid()) throw new Error(`invalid transaction: ${tx.getValidationErrors().join(", ")}`);
    const result = await runTx(vm, { tx, block });
    logs = result.execResult.logs;
  } catch (e) {
    refused = true;
    error = e instanceof Error ? e.message : String(e);
  }
  await vm.evm.journal.cleanup();
  const root = bytesToHex(await stateManager.getStateRoot());
  return { id: kase.id, root, logs: logsHash(logs), refused, error, ms: performance.now() - started };
}

/** Runs `cases` in order; throws if this process has any Concord patch installed. */
export async function runStockCases(cases: readonly StateTestCase[], onOutcome: (outcome: CaseOutcome) => void): Promise<void> {
  const active = await activePatches();
  if (active.length > 0) throw new Error(`the stock runner must run without Concord's patches, found: ${active.join(", ")}`);
  for (const kase of cases) onOutcome(await runStockCase(kase));
  const after = await activePatches();
  if (after.length > 0) throw new Error(`a Concord patch got installed during the stock run: ${after.join(", ")}`);
}
