/**
 * Hardhat's automine promise on a network of validators: `eth_sendRawTransaction` /
 * `eth_sendTransaction` answer once the transaction is in a committed (final) block, so a client that
 * sends and then asks for its receipt never finds it missing, and ethers' and viem's waits never miss
 * a block. A devnet's validators turn it on; a public network answers at admission, as geth does.
 *
 * If no block includes the transaction within `timeoutMs` (the network halted: fewer than 2/3 of the
 * validators online), the answer is the hash anyway: the transaction stays in the pool and is committed
 * when the network resumes, and the client is not left hanging.
 *
 * A transaction that was committed but failed is answered with its cause, as on the single-validator
 * devnet and Hardhat's node (code 3 with the revert data, or the EVM's error): every validator executes
 * every block, so the one answering knows why (`failureOf`, BlockPipeline.failureOf).
 */
import type { EventEmitter } from "node:events";
import type { Block } from "@ethereumjs/block";
import { bytesToHex } from "@ethereumjs/util";
import type { BackendEvents } from "../rpc/backend.ts";
import { transactionFailedError } from "../rpc/errors.ts";
import type { CommittedFailure } from "./blockPipeline.ts";
import type { Hex } from "../types.ts";
import type { TransactionPort } from "./transactionPort.ts";

export interface CommittedAnswerOptions {
  /** How long a send waits for its block before it answers with the hash (ms; default 30 s). */
  timeoutMs?: number;
  /** Why a committed transaction failed, if it did. */
  failureOf?: (hash: Hex) => CommittedFailure | undefined;
}

export function answerWhenCommitted(port: TransactionPort, events: EventEmitter<BackendEvents>, options: CommittedAnswerOptions = {}): TransactionPort {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // One head listener for all waiting sends, not one each: with a JSON-RPC batch of 100 waiting,
  // a listener each meant every block's transaction hashes were hexed and compared 100 times over.
  const waiting = new Map<Hex, Set<() => void>>();
  const onHead = (block: Block) => {
    for (const tx of block.transactions) {
      const done = waiting.get(bytesToHex(tx.hash()) as Hex);
      if (done !== undefined) for (const resolve of done) resolve();
    }
  };
  return {
    ...port,
    async submit(raw, onAdmitted) {
      const hash = await port.submit(raw, onAdmitted);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          const forHash = waiting.get(hash);
          forHash?.delete(done);
          if (forHash?.size === 0) waiting.delete(hash);
          if (waiting.size === 0) events.off("newHead", onHead);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        if (waiting.size === 0) events.on("newHead", onHead);
        const forHash = waiting.get(hash) ?? new Set();
        forHash.add(done);
        waiting.set(hash, forHash);
        // Admitted and already committed in the meantime (another path): nothing to wait for.
        if (port.waiting(hash) === undefined) done();
      });
      const failed = options.failureOf?.(hash);
      if (failed !== undefined) throw transactionFailedError(hash, failed.blockNumber, failed.failure);
      return hash;
    },
  };
}
