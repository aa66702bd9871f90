/**
 * Sender recovery (secp256k1 public-key recovery) on a worker thread, so that admitting transactions
 * does not take the main thread from block building and RPC.
 *
 * Recovery is the largest single cost of an admission (~110-140 us with the native addon on this
 * machine, a tenth of a transfer's whole way through the node), and it is pure CPU on 97 bytes in and
 * 64 bytes out: the cheapest kind of work to move to the machine's other core. Requests made in the
 * same event-loop turn go in one message, and requests that arrive while a batch is on the worker
 * wait and go together in the next one, so under load one message carries many recoveries and the
 * messaging cost per transaction stays small. Batching by turn also keeps a burst together: its
 * transactions become pending at once, and the block producer, which gathers what arrives together
 * (singleValidatorEngine.ts), puts them in one block instead of a first one-transaction block.
 *
 * One set of worker threads serves the whole process (pools are replaced in dev mode and created by
 * the hundred in tests; threads each would be waste). They start on first use and do not keep the
 * process alive while idle. Should one fail, recovery continues on the calling thread, with the same
 * results.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);
const secp256k1: typeof import("secp256k1") = require("secp256k1");
const SECP256K1_PATH = require.resolve("secp256k1");

/** Bytes per request: message hash (32), r (32), s (32), recovery id (1). */
const REQUEST_BYTES = 97;
/** Bytes per answer: 1 = recovered, 0 = not, then the 64-byte public key (no 0x04 prefix). */
const ANSWER_BYTES = 65;

// CommonJS, evaluated: no loader is involved, whatever runs the main thread (tsx, plain node).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const secp256k1 = require(workerData.secp256k1Path);
parentPort.on("message", (buffer) => {
  const requests = new Uint8Array(buffer);
  const count = requests.length / ${REQUEST_BYTES};
  const answers = new Uint8Array(count * ${ANSWER_BYTES});
  for (let i = 0; i < count; i++) {
    const at = i * ${REQUEST_BYTES};
    try {
      const key = secp256k1.ecdsaRecover(requests.subarray(at + 32, at + 96), requests[at + 96], requests.subarray(at, at + 32), false);
      answers[i * ${ANSWER_BYTES}] = 1;
      answers.set(key.subarray(1), i * ${ANSWER_BYTES} + 1);
    } catch {
      answers[i * ${ANSWER_BYTES}] = 0;
    }
  }
  parentPort.postMessage(answers.buffer, [answers.buffer]);
});
`;

/** What recovery needs from a signed transaction. */
export interface RecoveryRequest {
  /** The hash the signature signs (the transaction's signing hash). */
  messageHash: Uint8Array;
  /** 0 or 1. */
  recoveryId: number;
  /** 32 bytes each, big-endian. */
  r: Uint8Array;
  s: Uint8Array;
}

interface Waiting {
  request: RecoveryRequest;
  resolve: (publicKey: Uint8Array | undefined) => void;
}

/** Recovers on the calling thread: 64-byte public key, or undefined for an unrecoverable signature. */
export function recoverInline(request: RecoveryRequest): Uint8Array | undefined {
  try {
    const signature = new Uint8Array(64);
    signature.set(request.r, 0);
    signature.set(request.s, 32);
    return secp256k1.ecdsaRecover(signature, request.recoveryId, request.messageHash, false).subarray(1);
  } catch {
    return undefined;
  }
}

/** One worker thread and the batch it is working on. */
interface Slot {
  worker: Worker;
  batch: Waiting[] | undefined;
}

export class SenderRecoveryWorker {
  readonly #threads: number;
  #slots: Slot[] = [];
  #failed = false;
  #queued: Waiting[] = [];
  #sendScheduled = false;

  /**
   * `threads`: how many worker threads share a batch (default 2: on this 2-core machine two threads
   * recover a burst ~1.9x faster than one, while the main thread waits for it anyway).
   */
  constructor(threads = 2) {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
    this.#threads = threads;
  }

  /** The 64-byte public key, or undefined when the signature recovers no key. */
  recover(request: RecoveryRequest): Promise<Uint8Array | undefined> {
    if (request.messageHash.length !== 32 || request.r.length !== 32 || request.s.length !== 32 || (request.recoveryId !== 0 && request.recoveryId !== 1)) {
      return Promise.resolve(undefined);
    }
    if (this.#failed) return Promise.resolve(recoverInline(request));
    return new Promise((resolve) => {
      this.#queued.push({ request, resolve });
      if (!this.#sendScheduled) {
        this.#sendScheduled = true;
        setImmediate(() => {
          this.#sendScheduled = false;
          this.#dispatch();
        });
      }
    });
  }

  /** Stops the threads (tests; the process does not wait for them anyway). */
  async close(): Promise<void> {
    const workers = this.#slots.map((slot) => slot.worker);
    this.#failInline();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** Splits what waits between the idle threads (starting them as needed). */
  #dispatch(): void {
    if (this.#queued.length === 0 || this.#failed) return;
    // A lone request with every thread idle (one client waiting on each transaction): two thread
    // hops cost its answer more than the ~0.13 ms recovery itself, so it is recovered here.
    if (this.#queued.length === 1 && this.#slots.every((slot) => slot.batch === undefined)) {
      const [waiting] = this.#queued.splice(0, 1);
      waiting!.resolve(recoverInline(waiting!.request));
      return;
    }
    while (this.#slots.length < this.#threads && this.#slots.every((slot) => slot.batch !== undefined)) {
      if (this.#start() === undefined) return;
    }
    const idle = this.#slots.filter((slot) => slot.batch === undefined);
    if (idle.length === 0) return; // the next answer dispatches what waits
    const share = Math.ceil(this.#queued.length / idle.length);
    for (const slot of idle) {
      if (this.#queued.length === 0) break;
      this.#send(slot, this.#queued.splice(0, share));
    }
  }

  #send(slot: Slot, batch: Waiting[]): void {
    const requests = new Uint8Array(batch.length * REQUEST_BYTES);
    batch.forEach(({ request }, i) => {
      const at = i * REQUEST_BYTES;
      requests.set(request.messageHash, at);
      requests.set(request.r, at + 32);
      requests.set(request.s, at + 64);
      requests[at + 96] = request.recoveryId;
    });
    slot.batch = batch;
    slot.worker.ref(); // an answer is owed: the process must wait for it
    slot.worker.postMessage(requests.buffer, [requests.buffer]);
  }

  #onAnswers(slot: Slot, buffer: ArrayBuffer): void {
    const batch = slot.batch ?? [];
    slot.batch = undefined;
    slot.worker.unref();
    const answers = new Uint8Array(buffer);
    batch.forEach((waiting, i) => {
      const at = i * ANSWER_BYTES;
      waiting.resolve(answers[at] === 1 ? answers.slice(at + 1, at + ANSWER_BYTES) : undefined);
    });
    this.#dispatch();
  }

  #start(): Slot | undefined {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { secp256k1Path: SECP256K1_PATH } });
      const slot: Slot = { worker, batch: undefined };
      worker.on("message", (buffer: ArrayBuffer) => this.#onAnswers(slot, buffer));
      worker.on("error", () => this.#failInline());
      worker.on("exit", () => {
        if (this.#slots.includes(slot)) this.#failInline();
      });
      worker.unref();
      this.#slots.push(slot);
      return slot;
    } catch {
      this.#failInline();
      return undefined;
    }
  }

  /** A thread is gone: what the threads held and everything after is recovered here. */
  #failInline(): void {
    this.#failed = true;
    const owed = [...this.#slots.flatMap((slot) => slot.batch ?? []), ...this.#queued];
    for (const slot of this.#slots) slot.worker.terminate().catch(() => undefined);
    this.#slots = [];
    this.#queued = [];
    for (const waiting of owed) waiting.resolve(recoverInline(waiting.request));
  }
}

let shared: SenderRecoveryWorker | undefined;

/** The process's recovery worker (started on first use). */
export function sharedSenderRecovery(): SenderRecoveryWorker {
  shared ??= new SenderRecoveryWorker();
  return shared;
}
