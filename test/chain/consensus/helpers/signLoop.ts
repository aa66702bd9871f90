/**
 * Child process of signGuard.test.ts: signs prevotes for heights 1, 2, 3, ... through a sign guard
 * and prints each height once its signature is returned (so durable), until it is killed.
 */
import { hexToBytes } from "@ethereumjs/util";
import { initCrypto } from "../../../../chain/execution/crypto.ts";
import { SignGuard } from "../../../../chain/consensus/signGuard.ts";
import type { Hex } from "../../../../chain/types.ts";

const [file, key] = process.argv.slice(2) as [string, Hex];
await initCrypto();
const guard = await SignGuard.open(file, hexToBytes(key), 31337n);
for (let height = 1n; ; height++) {
  const blockHash = `0x${height.toString(16).padStart(64, "0")}` as Hex;
  const signed = await guard.sign({ type: "prevote", height, round: 0, blockHash });
  process.stdout.write(`${height} ${signed.signature}\n`);
}
