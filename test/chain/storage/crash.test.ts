/**
 * Atomicity under SIGKILL, for real: a child process commits blocks of random transfers in a loop
 * (crashWriter.ts); it is killed at a random moment, the store is reopened and checked, and the next
 * round continues the same chain. Checks after every kill:
 * - nothing committed is lost: the head is at or past the last block the child reported committed;
 * - nothing half-written is visible: no block is indexed above the head, every block up to it is
 *   complete (header, body, receipts, certificate), every transaction is indexed where it is;
 * - the head's state is readable and every touched balance equals what the receipts imply.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bytesToHex, createAddressFromString } from "@ethereumjs/util";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { DEV_ACCOUNT_BALANCE, devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import { openStateReader } from "../../../chain/execution/executionState.ts";
import { ChainStore, blockNumberKey, type StoredReceipt } from "../../../chain/storage/chainStore.ts";
import { LevelKeyValueStore } from "../../../chain/storage/keyValueStore.ts";

const WRITER = fileURLToPath(new URL("./crashWriter.ts", import.meta.url));
const ROUNDS = 14;

/** fsync per batch (a validator's default) or page cache only (the devnet's default, `--fsync` off). */
type SyncMode = "fsync" | "nofsync";

interface RoundOutcome {
  lastReported: bigint;
}

/** Runs the writer until `killAfterMs` after its first commit (or after ready, on round 0), then SIGKILLs it. */
function runAndKill(dataDir: string, seed: number, killAfterMs: number, syncMode: SyncMode): Promise<RoundOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, dataDir, String(seed), syncMode], { stdio: ["ignore", "pipe", "pipe"] });
    let lastReported = -1n;
    let buffered = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, number] = line.split(" ");
        if (word === "committed") {
          lastReported = BigInt(number);
          arm();
        } else if (word === "ready" && seed % 4 === 0) {
          arm(); // sometimes kill before the first block of this run is committed
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`writer exited on its own (code ${code}): ${stderr}`));
      else resolve({ lastReported });
    });
  });
}

async function checkConsistency(dataDir: string, lastReported: bigint): Promise<bigint> {
  const common = await createConcordCommon();
  const kv = await LevelKeyValueStore.open(dataDir);
  const store = await ChainStore.open(kv, common);
  try {
    const head = store.head();
    assert.ok(head !== undefined, "a store with a genesis has a head");
    assert.ok(head.number >= lastReported, `head ${head.number} lost committed block ${lastReported}`);
    assert.equal(await kv.get(blockNumberKey(head.number + 1n)), undefined, "a block is indexed above the head");

    const balances = new Map<string, bigint>(devAccountKeys().map((k) => [k.address, DEV_ACCOUNT_BALANCE]));
    const credit = (address: string, amount: bigint): void => {
      balances.set(address, (balances.get(address) ?? 0n) + amount);
    };
    for (let number = 1n; number <= head.number; number++) {
      const stored = await store.getBlockByNumber(number);
      assert.ok(stored !== undefined, `block ${number} missing`);
      const { block, senders } = stored;
      const receipts = await store.getReceipts(block.hash());
      assert.equal(receipts?.length, block.transactions.length, `receipts of block ${number}`);
      assert.equal((await store.getCertificate(number))?.blockHash, bytesToHex(block.hash()));
      const baseFee = block.header.baseFeePerGas!;
      for (const [index, tx] of block.transactions.entries()) {
        const location = await store.getTransactionLocation(tx.hash());
        assert.deepEqual([location?.blockNumber, location?.index], [number, index], "transaction index");
        const receipt: StoredReceipt = receipts![index];
        assert.equal(receipt.status, 1);
        credit(senders[index], -(tx.value + receipt.gasUsed * receipt.effectiveGasPrice));
        credit(tx.to!.toString(), tx.value);
        credit(block.header.coinbase.toString(), receipt.gasUsed * (receipt.effectiveGasPrice - baseFee));
      }
    }
    const headBlock = (await store.getBlockByNumber(head.number))!.block;
    const state = openStateReader(common, store, headBlock.header.stateRoot);
    for (const [address, balance] of balances) {
      assert.equal((await state.getAccount(createAddressFromString(address)))?.balance ?? 0n, balance, `balance of ${address}`);
    }
    return head.number;
  } finally {
    await store.close();
  }
}

for (const syncMode of ["fsync", "nofsync"] as const) test(`a chain store (${syncMode}) killed with SIGKILL at random moments ${ROUNDS} times reopens consistent, losing nothing committed`, { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "concord-crash-"));
  try {
    let previousHead = -1n;
    for (let round = 0; round < ROUNDS; round++) {
      const { lastReported } = await runAndKill(dataDir, round + 1, 30 + Math.floor(Math.random() * 400), syncMode);
      const head = await checkConsistency(dataDir, lastReported);
      assert.ok(head >= previousHead, "the head never moves back");
      previousHead = head;
    }
    assert.ok(previousHead > BigInt(ROUNDS), `blocks were committed across the rounds (head ${previousHead})`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
