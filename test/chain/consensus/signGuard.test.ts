import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { hexToBytes } from "@ethereumjs/util";
import { addressOfKey } from "../../../chain/consensus/commitCertificate.ts";
import { LocalSigner } from "../../../chain/consensus/localSigner.ts";
import { recoverSigner, type Proposal, type Vote } from "../../../chain/consensus/messages.ts";
import { SignGuard } from "../../../chain/consensus/signGuard.ts";
import { SLOT_BYTES } from "../../../chain/consensus/signStateFile.ts";
import { countFdatasync } from "./helpers/countFdatasync.ts";
import { initCrypto } from "../../../chain/execution/crypto.ts";
import type { Hex } from "../../../chain/types.ts";

const CHAIN_ID = 31337n;
const KEY_HEX = `0x${"11".repeat(32)}` as Hex;
const KEY = hexToBytes(KEY_HEX);
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const prevote = (height: bigint, round: number, blockHash: Hex | null): Vote => ({ type: "prevote", height, round, blockHash });
const precommit = (height: bigint, round: number, blockHash: Hex | null): Vote => ({ type: "precommit", height, round, blockHash });
const proposal = (height: bigint, round: number, blockHash: Hex, polRound = -1): Proposal => ({ type: "proposal", height, round, polRound, blockHash, block: Uint8Array.of(0xc0) });

describe("the sign guard", () => {
  let dir: string;
  let file: string;
  let counter = 0;
  before(async () => {
    await initCrypto();
    dir = await mkdtemp(path.join(tmpdir(), "concord-sign-guard-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const freshFile = () => (file = path.join(dir, `sign-state-${++counter}.json`));

  it("signs each step in order and records it before returning", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    assert.equal(guard.lastSigned(), undefined);
    const signed = await guard.sign(proposal(5n, 0, hash(1)));
    assert.equal(recoverSigner(CHAIN_ID, signed), addressOfKey(KEY));
    await guard.sign(prevote(5n, 0, hash(1)));
    const last = await guard.sign(precommit(5n, 0, hash(1)));
    // The latest record, as the next process will read it.
    assert.deepEqual((await SignGuard.open(file, KEY, CHAIN_ID)).lastSigned(), { height: 5n, round: 0, step: "precommit", blockHash: hash(1), polRound: -1, signature: last.signature });
    assert.equal((await readFile(file)).length, 2 * SLOT_BYTES, "two fixed-size slots: the file never changes size");
    await guard.sign(prevote(5n, 1, null)); // a later round, nil
    await guard.sign(prevote(6n, 0, hash(2))); // a later height
    assert.deepEqual(guard.lastSigned(), { height: 6n, round: 0, step: "prevote", blockHash: hash(2), polRound: -1, signature: guard.lastSigned()!.signature });
  });

  it("flushes each record to the disk; with sync off (a devnet without --fsync) it only writes it, which the next process reads", async () => {
    for (const [sync, flushes] of [[true, 2], [false, 0]] as const) {
      const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID, { sync });
      await guard.sign(proposal(5n, 0, hash(1))); // creates the file (an atomic replace, synced either way)
      const calls = await countFdatasync(async () => {
        await guard.sign(prevote(5n, 0, hash(1)));
        await guard.sign(precommit(5n, 0, hash(1)));
      });
      assert.equal(calls, flushes, `sync ${sync}`);
      const reopened = await SignGuard.open(file, KEY, CHAIN_ID, { sync });
      assert.equal(reopened.lastSigned()!.step, "precommit");
      await assert.rejects(reopened.sign(prevote(5n, 0, hash(2))), { code: "DOUBLE_SIGN_REFUSED" });
      await guard.close();
      await reopened.close();
    }
  });

  it("returns the recorded signature for the very same message (a resend), also with the hash in upper case", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    const first = await guard.sign(prevote(3n, 2, hash(0xab)));
    const again = await guard.sign(prevote(3n, 2, `0x${hash(0xab).slice(2).toUpperCase()}` as Hex));
    assert.equal(again.signature, first.signature);
  });

  it("refuses a different block, nil after a block, a changed valid round, and any step already passed", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    await guard.sign(proposal(9n, 1, hash(1), 0));
    await assert.rejects(guard.sign(proposal(9n, 1, hash(2), 0)), { code: "DOUBLE_SIGN_REFUSED", message: /already signed one for block/ });
    await assert.rejects(guard.sign(proposal(9n, 1, hash(1), -1)), { code: "DOUBLE_SIGN_REFUSED" });
    await guard.sign(prevote(9n, 1, hash(1)));
    await assert.rejects(guard.sign(prevote(9n, 1, null)), { code: "DOUBLE_SIGN_REFUSED", message: /for nil at height 9 round 1/ });
    await assert.rejects(guard.sign(proposal(9n, 1, hash(1), 0)), { code: "DOUBLE_SIGN_REFUSED", message: /already signed a prevote at height 9 round 1/ });
    await assert.rejects(guard.sign(precommit(9n, 0, hash(1))), { code: "DOUBLE_SIGN_REFUSED" });
    await assert.rejects(guard.sign(prevote(8n, 5, hash(1))), { code: "DOUBLE_SIGN_REFUSED" });
    assert.equal(guard.lastSigned()!.step, "prevote", "a refusal records nothing");
  });

  it("of two conflicting requests at once, signs exactly one", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    const results = await Promise.allSettled([guard.sign(prevote(1n, 0, hash(1))), guard.sign(prevote(1n, 0, hash(2)))]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });

  it("remembers across a restart: a new guard on the same file refuses what the old one would have", async () => {
    const first = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    const signed = await first.sign(precommit(12n, 3, hash(7)));
    const second = await SignGuard.open(file, KEY, CHAIN_ID);
    await assert.rejects(second.sign(precommit(12n, 3, hash(8))), { code: "DOUBLE_SIGN_REFUSED" });
    assert.equal((await second.sign(precommit(12n, 3, hash(7)))).signature, signed.signature);
  });

  it("after SIGKILL mid-stream, everything it printed as signed is on disk, and a conflict with it is refused", async () => {
    freshFile();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "helpers", "signLoop.ts"), file, KEY_HEX], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let errors = "";
    child.stderr.on("data", (chunk) => (errors += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        output += chunk;
        if (output.split("\n").length > 40) resolve();
      });
      child.on("exit", () => reject(new Error(`the signing child exited early: ${errors}`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("close", resolve));
    const printed = output.trim().split("\n").filter((line) => /^\d+ 0x/.test(line));
    const lastPrinted = BigInt(printed.at(-1)!.split(" ")[0]!);
    const guard = await SignGuard.open(file, KEY, CHAIN_ID);
    assert.ok(guard.lastSigned()!.height >= lastPrinted, `recorded ${guard.lastSigned()!.height}, printed ${lastPrinted}`);
    await assert.rejects(guard.sign(prevote(lastPrinted, 0, hash(0xdead))), { code: "DOUBLE_SIGN_REFUSED" });
  });

  /** Both slots cut after 100 bytes and padded back to size: one held the only record. */
  const tearSlots = (text: string) => [0, 1].map((i) => `${text.slice(i * SLOT_BYTES, i * SLOT_BYTES + 100)}`.padEnd(SLOT_BYTES - 1, " ") + "\n").join("");

  it("refuses to start from an unreadable record instead of forgetting it", async () => {
    const good = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    await good.sign(prevote(4n, 0, hash(4)));
    const text = await readFile(file, "utf8");
    const cases: [string, string, RegExp][] = [
      ["truncated", text.slice(0, text.length / 2), /truncated/],
      ["cut mid-line", text.slice(0, 150), /not valid JSON/],
      ["torn, its only record", tearSlots(text), /not valid JSON/],
      ["tampered", text.replace('"height":"4"', '"height":"3"'), /checksum does not match/],
      ["foreign", JSON.stringify({ hello: "world" }), /not in the concord\/sign-state\/v2 format/],
      ["empty slots", " ".repeat(2 * SLOT_BYTES), /holds no record/],
    ];
    for (const [name, content, reason] of cases) {
      await writeFile(file, content);
      await assert.rejects(SignGuard.open(file, KEY, CHAIN_ID), (error: Error & { code?: string }) => {
        assert.equal(error.code, "SIGN_STATE_UNREADABLE", name);
        assert.match(error.message, reason, name);
        assert.match(error.message, /restore it from a backup/, name);
        return true;
      });
    }
  });

  it("a write torn by a crash loses only the record being written, never the one before it", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    const kept = await guard.sign(prevote(7n, 0, hash(7)));
    const before = await readFile(file);
    await guard.sign(precommit(7n, 0, hash(7)));
    const after = await readFile(file);
    // Which slot the precommit went to: the one that changed. Tear it half way, as a power cut would.
    const written = before.subarray(0, SLOT_BYTES).equals(after.subarray(0, SLOT_BYTES)) ? 1 : 0;
    const torn = Buffer.from(after);
    torn.fill(0x20, written * SLOT_BYTES + 200, (written + 1) * SLOT_BYTES - 1);
    await writeFile(file, torn);
    const reopened = await SignGuard.open(file, KEY, CHAIN_ID);
    assert.deepEqual(reopened.lastSigned(), { height: 7n, round: 0, step: "prevote", blockHash: hash(7), polRound: -1, signature: kept.signature });
    await assert.rejects(reopened.sign(prevote(7n, 0, hash(8))), { code: "DOUBLE_SIGN_REFUSED" });
    // It goes on from there, over the torn slot.
    await reopened.sign(precommit(7n, 0, hash(7)));
    await reopened.sign(prevote(8n, 0, hash(8)));
    assert.equal((await SignGuard.open(file, KEY, CHAIN_ID)).lastSigned()!.height, 8n);
  });

  it("reads the first version's file, and moves it to the slotted layout on the next signature", async () => {
    freshFile();
    const record = { height: "21", round: 1, step: "prevote", blockHash: hash(21), polRound: -1, signature: `0x${"ab".repeat(65)}` };
    const checksum = createHash("sha256").update(JSON.stringify(record)).digest("hex");
    await writeFile(file, `${JSON.stringify({ format: "concord/sign-state/v1", record, checksum }, null, 2)}\n`);
    const guard = await SignGuard.open(file, KEY, CHAIN_ID);
    assert.equal(guard.lastSigned()!.height, 21n);
    await assert.rejects(guard.sign(prevote(21n, 1, hash(22))), { code: "DOUBLE_SIGN_REFUSED" });
    await guard.sign(precommit(21n, 1, hash(21)));
    assert.equal((await readFile(file)).length, 2 * SLOT_BYTES);
    assert.equal((await SignGuard.open(file, KEY, CHAIN_ID)).lastSigned()!.step, "precommit");
  });

  it("fits the largest record in a slot", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    const largest = proposal(2n ** 64n - 1n, 2 ** 31 - 1, hash(2 ** 48), 2 ** 31 - 2);
    await guard.sign(largest);
    assert.equal((await SignGuard.open(file, KEY, CHAIN_ID)).lastSigned()!.height, 2n ** 64n - 1n);
  });

  it("ignores a temporary file left by a crash during a write (the rename never happened)", async () => {
    const guard = await SignGuard.open(freshFile(), KEY, CHAIN_ID);
    await guard.sign(prevote(2n, 0, hash(2)));
    await writeFile(`${file}.tmp`, '{"format": "concord/sign-st');
    const reopened = await SignGuard.open(file, KEY, CHAIN_ID);
    assert.equal(reopened.lastSigned()!.height, 2n);
    await reopened.sign(prevote(3n, 0, hash(3)));
    assert.equal((await SignGuard.open(file, KEY, CHAIN_ID)).lastSigned()!.height, 3n);
  });

  it("LocalSigner signs proposals and votes only through a guard", async () => {
    await assert.rejects(new LocalSigner(KEY, CHAIN_ID).sign(prevote(1n, 0, hash(1))), { code: "UNGUARDED_SIGNER" });
    const signer = await LocalSigner.guarded(KEY, CHAIN_ID, freshFile());
    await signer.sign(prevote(1n, 0, hash(1)));
    await assert.rejects(signer.sign(prevote(1n, 0, hash(2))), { code: "DOUBLE_SIGN_REFUSED" });
  });
});
