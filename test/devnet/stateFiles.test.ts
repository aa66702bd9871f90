/**
 * --dump-state and --load-state, as Anvil's users ship a prepared chain: `concord node` writes its
 * state when it stops, and another node on an empty data directory starts from it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DevnetOptionsError, parseDevnetOptions, parseNodeOptions } from "../../devnet/options.ts";
import { startDevnetProcess } from "./devnetProcess.ts";

const STRANGER = "0x00000000000000000000000000000000000000c2";

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(body.error.message);
  return body.result as T;
}

describe("--dump-state and --load-state", () => {
  it("are paths, and need a single validator on the devnet", () => {
    assert.equal(parseNodeOptions(["--dump-state", "out.json"]).dumpState, path.resolve("out.json"));
    assert.equal(parseDevnetOptions(["--validators", "1", "--load-state", "in.json"]).loadState, path.resolve("in.json"));
    assert.throws(
      () => parseDevnetOptions(["--load-state", "in.json"]),
      (error: unknown) => error instanceof DevnetOptionsError && error.message === "--load-state and --dump-state need a single-validator dev chain: add --validators 1",
    );
  });

  it("a node writes its state when it stops; another starts from it", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "concord-state-"));
    const file = path.join(dir, "state.json");
    try {
      const first = startDevnetProcess(["node", "--data-dir", path.join(dir, "a"), "--port", "0", "--dump-state", file]);
      const [, url] = await first.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await rpc(url!, "hardhat_setBalance", [STRANGER, "0x2a"]);
      assert.equal(await first.interrupt(), 0, first.output());
      assert.match(first.output(), /Writing the state to .*state\.json \(--dump-state\)/);
      const dump = JSON.parse(await readFile(file, "utf8")) as { format: string; stateRoot: string };
      assert.equal(dump.format, "concord-state-dump/1");

      const second = startDevnetProcess(["node", "--data-dir", path.join(dir, "b"), "--port", "0", "--load-state", file]);
      try {
        const [, secondUrl] = await second.waitFor(/JSON-RPC\s+(http:\/\/127\.0\.0\.1:\d+)/);
        assert.match(second.output(), /loaded state root 0x[0-9a-f]{64} \(\d+ trie nodes\)/);
        assert.equal(await rpc(secondUrl!, "eth_getBalance", [STRANGER, "latest"]), "0x2a");
      } finally {
        assert.equal(await second.interrupt(), 0, second.output());
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a file that is not a dump stops the start with what is wrong", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "concord-state-"));
    try {
      const file = path.join(dir, "broken.json");
      await writeFile(file, '{"accounts": 5}');
      const node = startDevnetProcess(["node", "--data-dir", path.join(dir, "a"), "--port", "0", "--load-state", file]);
      assert.notEqual(await node.exited, 0);
      assert.match(node.output(), /--load-state .*broken\.json: not a state dump: want Concord's dump/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
