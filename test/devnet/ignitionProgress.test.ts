import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExecutionEventResultType, type ExecutionEventListener } from "@nomicfoundation/ignition-core";
import { progressListener } from "../../devnet/ignitionProgress.ts";

/** Feeds events to the listener as Ignition does (by method name) and returns the lines it printed. */
async function linesFor(events: [keyof ExecutionEventListener, object][]): Promise<string[]> {
  const lines: string[] = [];
  const listener = progressListener((line) => lines.push(line));
  for (const [name, event] of events) await (listener[name] as (event: object) => Promise<void>)(event);
  return lines;
}

const start = (isResumed: boolean): [keyof ExecutionEventListener, object] => ["deploymentStart", { moduleName: "Concord", deploymentDir: "/d", isResumed, maxFeeBumps: 4, disableFeeBumping: false }];

/** What Ignition reports around one deployed contract: each of these redrew the CLI's whole batch. */
function deployedContract(futureId: string, address: string): [keyof ExecutionEventListener, object][] {
  return [
    ["deploymentExecutionStateInitialize", { futureId }],
    ["networkInteractionRequest", { futureId }],
    ["transactionPrepareSend", { futureId }],
    ["transactionSend", { futureId, hash: "0x01" }],
    ["transactionConfirm", { futureId, hash: "0x01" }],
    ["deploymentExecutionStateComplete", { futureId, result: { type: ExecutionEventResultType.SUCCESS, result: address } }],
  ];
}

describe("Ignition's progress as the devnet prints it", () => {
  it("says what the run will do, then one line per finished step, whatever else Ignition reports", async () => {
    const lines = await linesFor([
      ["setModuleId", { moduleName: "Concord" }],
      start(false),
      ["batchInitialize", { batches: [["Content#ContentRegistry", "Governance#ConcordToken"], ["Governance#grantRole"]] }],
      ["runStart", {}],
      ["beginNextBatch", {}],
      ...deployedContract("Content#ContentRegistry", "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
      ...deployedContract("Governance#ConcordToken", "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"),
      ["beginNextBatch", {}],
      ["staticCallExecutionStateInitialize", { futureId: "Governance#adminRole" }],
      ["staticCallExecutionStateComplete", { futureId: "Governance#adminRole", result: { type: ExecutionEventResultType.SUCCESS } }],
      ["callExecutionStateInitialize", { futureId: "Governance#grantRole" }],
      ["transactionSend", { futureId: "Governance#grantRole", hash: "0x02" }],
      ["callExecutionStateComplete", { futureId: "Governance#grantRole", result: { type: ExecutionEventResultType.SUCCESS } }],
      ["deploymentComplete", { result: {} }],
    ]);
    assert.deepEqual(lines, [
      "3 futures in 2 batches",
      "Content#ContentRegistry deployed at 0x5FbDB2315678afecb367f032d93F642f64180aa3",
      "Governance#ConcordToken deployed at 0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      "Governance#grantRole called",
    ]);
  });

  it("says when it resumes a journal, and how much is left", async () => {
    assert.deepEqual(await linesFor([start(true), ["batchInitialize", { batches: [["Governance#renounceDeployerAdmin"]] }]]), [
      "resuming the journal: 1 future in 1 batch left",
    ]);
    assert.deepEqual(await linesFor([start(true), ["batchInitialize", { batches: [] }]]), ["resuming the journal: nothing left to do"]);
  });

  it("names a failed or held step with Ignition's reason", async () => {
    const lines = await linesFor([
      ["deploymentExecutionStateComplete", { futureId: "Content#ContentRegistry", result: { type: ExecutionEventResultType.ERROR, error: "Transaction reverted" } }],
      ["callExecutionStateComplete", { futureId: "Governance#grantRole", result: { type: ExecutionEventResultType.HELD, heldId: 1, reason: "waiting for a signature" } }],
      ["sendDataExecutionStateComplete", { futureId: "Content#fund", result: { type: ExecutionEventResultType.SUCCESS } }],
    ]);
    assert.deepEqual(lines, ["Content#ContentRegistry failed: Transaction reverted", "Governance#grantRole held: waiting for a signature", "Content#fund sent"]);
  });
});
