/**
 * Tiny hand-assembled contracts for execution tests (runtime code placed in the genesis alloc), so
 * the tests need no compiler. Each is listed with its assembly.
 */
import { hexToBytes } from "@ethereumjs/util";
import type { Hex } from "../../../chain/types.ts";

export const RETURNS_42 = "0x0000000000000000000000000000000000005000" as Hex;
export const REVERTS_NOPE = "0x0000000000000000000000000000000000005001" as Hex;
export const CALLER = "0x0000000000000000000000000000000000005002" as Hex;
export const PARENT_HASH = "0x0000000000000000000000000000000000005003" as Hex;

/** Solidity's Error("nope") revert data. */
export const NOPE_REVERT_DATA = `0x08c379a0${"20".padStart(64, "0")}${"4".padStart(64, "0")}${Buffer.from("nope").toString("hex").padEnd(64, "0")}` as Hex;

const word42 = "602a60005260206000f3"; // PUSH1 42 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
// PUSH1 100 PUSH1 12 PUSH1 0 CODECOPY PUSH1 100 PUSH1 0 REVERT, then the 100-byte payload
const revertNope = `6064600c600039606460`.concat("00fd", NOPE_REVERT_DATA.slice(2));
const call = (opcode: "f1" | "fa" | "f4", target: Hex, retSize = "20") =>
  opcode === "f1"
    ? `60${retSize}6000600060006000` + `73${target.slice(2)}5a${opcode}50` // CALL(gas, target, 0, 0, 0, 0, retSize); POP
    : `60${retSize}600060006000` + `73${target.slice(2)}5a${opcode}50`; // STATICCALL / DELEGATECALL(gas, target, 0, 0, 0, retSize); POP
const callsAll = call("f1", RETURNS_42) + call("fa", RETURNS_42) + call("f4", RETURNS_42) + call("f1", REVERTS_NOPE, "00") + "60206000f3";
// PUSH1 0 NUMBER SUB ... simpler: BLOCKHASH(NUMBER - 1) -> memory -> RETURN 32
const parentHash = "600143034060005260206000f3"; // PUSH1 1 NUMBER SUB BLOCKHASH PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN

export const TEST_CONTRACTS = {
  [RETURNS_42]: { code: hexToBytes(`0x${word42}`) },
  [REVERTS_NOPE]: { code: hexToBytes(`0x${revertNope}`) },
  [CALLER]: { code: hexToBytes(`0x${callsAll}`) },
  [PARENT_HASH]: { code: hexToBytes(`0x${parentHash}`) },
};
