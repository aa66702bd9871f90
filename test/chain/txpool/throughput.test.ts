/**
 * The pool at benchmark scale: 5000 EIP-1559 transfers from the 20 Hardhat accounts through
 * addRaw (decode, validate, recover the sender, insert), one block selection over all of them and
 * the commit that clears them. Asserts only correctness; the rates are printed for people to
 * compare (a shared 2-core machine makes any threshold flaky).
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { createTx, type TypedTxData } from "@ethereumjs/tx";
import { GWEI, RECIPIENT, createPool, hardhatAccounts, signNative } from "./fixture.ts";

const SENDERS = 20;
const PER_SENDER = 250;

it("admits 5000 transfers from 20 senders and selects them all in per-sender nonce order", async (t) => {
  const { pool, state, common } = await createPool();
  const senders = hardhatAccounts().slice(0, SENDERS);
  const raws: Uint8Array[] = [];
  for (let nonce = 0n; nonce < BigInt(PER_SENDER); nonce++) {
    for (const [i, sender] of senders.entries()) {
      const unsigned = createTx(
        {
          type: 2,
          nonce,
          maxFeePerGas: 100n * GWEI,
          maxPriorityFeePerGas: BigInt(1 + i) * GWEI,
          gasLimit: 21000n,
          to: RECIPIENT,
          value: 1n,
        } as TypedTxData,
        { common },
      );
      raws.push(signNative(unsigned, sender.privateKey).serialize());
    }
  }

  let pendingEvents = 0;
  pool.on("pending", () => pendingEvents++);
  const addStart = performance.now();
  const addCpuStart = process.cpuUsage();
  for (const raw of raws) await pool.addRaw(raw);
  const addSeconds = (performance.now() - addStart) / 1000;
  // CPU time too: on a shared machine wall time mostly measures the neighbours.
  const addCpu = process.cpuUsage(addCpuStart);
  const addCpuSeconds = (addCpu.user + addCpu.system) / 1e6;
  assert.equal(pool.size, SENDERS * PER_SENDER);
  assert.equal(pendingEvents, SENDERS * PER_SENDER);

  const selectStart = performance.now();
  const selected = pool.selectForBlock(GWEI, BigInt(SENDERS * PER_SENDER) * 21000n);
  const selectMs = performance.now() - selectStart;
  assert.equal(selected.length, SENDERS * PER_SENDER);
  const lastNonce = new Map<string, bigint>();
  for (const pooled of selected) {
    const previous = lastNonce.get(pooled.sender) ?? -1n;
    assert.equal(pooled.tx.nonce, previous + 1n);
    lastNonce.set(pooled.sender, pooled.tx.nonce);
  }
  // The best-paying sender (tip 20 gwei) goes first.
  assert.equal(selected[0]!.sender, senders[SENDERS - 1]!.address);

  for (const sender of senders) state.set(sender.address, { nonce: BigInt(PER_SENDER) });
  const commitStart = performance.now();
  await pool.onBlockCommitted(
    selected.map((pooled) => pooled.hash),
    GWEI,
  );
  const commitMs = performance.now() - commitStart;
  assert.equal(pool.size, 0);

  const report = [
    `addRaw: ${SENDERS * PER_SENDER} transfers from ${SENDERS} senders in ${addSeconds.toFixed(2)} s = ${Math.round((SENDERS * PER_SENDER) / addSeconds)} adds/s wall, ${Math.round((SENDERS * PER_SENDER) / addCpuSeconds)} adds per CPU-second`,
    `selectForBlock over ${selected.length}: ${selectMs.toFixed(1)} ms`,
    `onBlockCommitted clearing ${selected.length}: ${commitMs.toFixed(1)} ms`,
  ];
  for (const line of report) t.diagnostic(line);
});
