/**
 * What a devnet prints while Ignition deploys: one line when the run starts (how many futures are
 * left, in how many batches, and whether an earlier run's journal is resumed), then one line per
 * finished step that sent a transaction (a contract deployed, a function called, data sent).
 *
 * Ignition's own CLI redraws its whole batch table on every event: fine in a terminal, but in a log
 * (CI, a devnet's output piped to a file) each redraw is another copy of the batch, 2 to 12 per batch.
 * These lines are written once each, so a terminal and a log read the same.
 */
import { ExecutionEventResultType, type ExecutionEventListener, type ExecutionEventResult } from "@nomicfoundation/ignition-core";

export function progressListener(emit: (line: string) => void): ExecutionEventListener {
  let resumed = false;
  const reported: Partial<ExecutionEventListener> = {
    async deploymentStart(event) {
      resumed = event.isResumed;
    },
    async batchInitialize(event) {
      const futures = event.batches.reduce((sum, batch) => sum + batch.length, 0);
      const left = `${plural(futures, "future")} in ${plural(event.batches.length, "batch", "batches")}`;
      emit(resumed ? `resuming the journal: ${futures === 0 ? "nothing left to do" : `${left} left`}` : left);
    },
    async deploymentExecutionStateComplete(event) {
      emit(`${event.futureId} ${event.result.type === ExecutionEventResultType.SUCCESS ? `deployed at ${event.result.result}` : describeFailure(event.result)}`);
    },
    async callExecutionStateComplete(event) {
      emit(`${event.futureId} ${event.result.type === ExecutionEventResultType.SUCCESS ? "called" : describeFailure(event.result)}`);
    },
    async sendDataExecutionStateComplete(event) {
      emit(`${event.futureId} ${event.result.type === ExecutionEventResultType.SUCCESS ? "sent" : describeFailure(event.result)}`);
    },
  };
  // Every other event (transactions sent, static calls, batches begun...) prints nothing.
  return new Proxy(reported, { get: (target, name) => target[name as keyof ExecutionEventListener] ?? (async () => {}) }) as ExecutionEventListener;
}

function describeFailure(result: ExecutionEventResult): string {
  if (result.type === ExecutionEventResultType.ERROR) return `failed: ${result.error}`;
  if (result.type === ExecutionEventResultType.HELD) return `held: ${result.reason}`;
  return result.type.toLowerCase();
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
