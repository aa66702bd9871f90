/**
 * Random EVM programs for the end-to-end differential: sequences of small, mostly-valid snippets
 * (arithmetic, storage, transient storage, memory, hashing, logs, environment reads, calls to
 * contracts, accounts and precompiles, CREATE / CREATE2, forward jumps) whose results are written to
 * storage or logs, so that any difference in how an EVM executes them shows in the state root or the
 * receipts. Gas limits make some run out of gas; some end in REVERT, INVALID or SELFDESTRUCT.
 */
import type { Random } from "../seededRandom.ts";

const op = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, SDIV: 0x05, MOD: 0x06, SMOD: 0x07, ADDMOD: 0x08, MULMOD: 0x09, EXP: 0x0a, SIGNEXTEND: 0x0b,
  LT: 0x10, GT: 0x11, SLT: 0x12, SGT: 0x13, EQ: 0x14, ISZERO: 0x15, AND: 0x16, OR: 0x17, XOR: 0x18, NOT: 0x19, BYTE: 0x1a, SHL: 0x1b, SHR: 0x1c, SAR: 0x1d,
  KECCAK256: 0x20, ADDRESS: 0x30, BALANCE: 0x31, ORIGIN: 0x32, CALLER: 0x33, CALLVALUE: 0x34, CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CODESIZE: 0x38, CODECOPY: 0x39,
  GASPRICE: 0x3a, EXTCODESIZE: 0x3b, RETURNDATASIZE: 0x3d, RETURNDATACOPY: 0x3e, EXTCODEHASH: 0x3f, BLOCKHASH: 0x40, COINBASE: 0x41, TIMESTAMP: 0x42, NUMBER: 0x43,
  PREVRANDAO: 0x44, GASLIMIT: 0x45, CHAINID: 0x46, SELFBALANCE: 0x47, BASEFEE: 0x48, BLOBHASH: 0x49, BLOBBASEFEE: 0x4a, POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53,
  SLOAD: 0x54, SSTORE: 0x55, JUMPI: 0x57, PC: 0x58, MSIZE: 0x59, GAS: 0x5a, JUMPDEST: 0x5b, TLOAD: 0x5c, TSTORE: 0x5d, MCOPY: 0x5e, PUSH0: 0x5f,
  LOG0: 0xa0, CREATE: 0xf0, CALL: 0xf1, CALLCODE: 0xf2, RETURN: 0xf3, DELEGATECALL: 0xf4, CREATE2: 0xf5, STATICCALL: 0xfa, REVERT: 0xfd, INVALID: 0xfe, SELFDESTRUCT: 0xff,
} as const;

const BINARY = [op.ADD, op.MUL, op.SUB, op.DIV, op.SDIV, op.MOD, op.SMOD, op.EXP, op.SIGNEXTEND, op.LT, op.GT, op.SLT, op.SGT, op.EQ, op.AND, op.OR, op.XOR, op.BYTE, op.SHL, op.SHR, op.SAR];
const ENV = [op.ADDRESS, op.ORIGIN, op.CALLER, op.CALLVALUE, op.CALLDATASIZE, op.CODESIZE, op.GASPRICE, op.COINBASE, op.TIMESTAMP, op.NUMBER, op.PREVRANDAO, op.GASLIMIT, op.CHAINID, op.SELFBALANCE, op.BASEFEE, op.BLOBBASEFEE, op.MSIZE, op.PC, op.GAS, op.RETURNDATASIZE];
/** Precompiles 1-9 and Prague's BLS12-381 ones (not 0x0a: point evaluation needs a KZG setup). */
const PRECOMPILES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11].map((n) => `0x${n.toString(16).padStart(40, "0")}`);

export class ProgramWriter {
  readonly bytes: number[] = [];
  constructor(private readonly random: Random) {}

  push(value: bigint): this {
    if (value === 0n) {
      this.bytes.push(op.PUSH0);
      return this;
    }
    const hex = value.toString(16);
    const length = Math.ceil(hex.length / 2);
    this.bytes.push(0x5f + length, ...Buffer.from(hex.padStart(length * 2, "0"), "hex"));
    return this;
  }

  pushAddress(address: string): this {
    this.bytes.push(0x73, ...Buffer.from(address.slice(2), "hex"));
    return this;
  }

  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }

  /** A word: mostly small, sometimes edge values or random 256-bit ones. */
  word(): bigint {
    const r = this.random;
    switch (r.int(6)) {
      case 0:
        return BigInt(r.int(4));
      case 1:
        return r.pick([2n ** 255n, 2n ** 256n - 1n, 2n ** 255n - 1n, 2n ** 128n, 31n, 32n, 255n, 256n]);
      case 2:
        return BigInt(`0x${Buffer.from(r.bytes(32)).toString("hex")}`);
      default:
        return BigInt(r.int(1000));
    }
  }

  offset(): bigint {
    return BigInt(this.random.int(this.random.int(8) === 0 ? 4096 : 256));
  }

  slot(): bigint {
    return BigInt(this.random.int(24));
  }

  /** Stores the word on top of the stack in a random slot. */
  store(): this {
    return this.push(this.slot()).op(op.SSTORE);
  }

  bytecode(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface ProgramContext {
  /** Contracts and accounts a program may call or inspect. */
  addresses: readonly string[];
}

/** One snippet: leaves the stack as it found it. */
function snippet(w: ProgramWriter, r: Random, context: ProgramContext): void {
  const target = () => (r.int(3) === 0 ? r.pick(PRECOMPILES) : r.pick(context.addresses));
  switch (r.int(16)) {
    case 0:
      w.push(w.word()).push(w.word()).op(r.pick(BINARY)).store();
      return;
    case 1:
      w.push(w.word()).push(w.word()).push(w.word()).op(r.pick([op.ADDMOD, op.MULMOD])).store();
      return;
    case 2:
      w.push(w.word()).op(r.pick([op.ISZERO, op.NOT])).store();
      return;
    case 3:
      w.push(w.word()).push(w.offset()).op(r.pick([op.MSTORE, op.MSTORE8]));
      return;
    case 4:
      w.push(w.offset()).op(op.MLOAD).store();
      return;
    case 5:
      w.push(BigInt(r.int(200))).push(w.offset()).op(op.KECCAK256).store();
      return;
    case 6:
      w.push(w.slot()).op(op.SLOAD).push(w.word()).op(op.ADD).store();
      return;
    case 7:
      w.push(w.word()).push(w.slot()).op(op.TSTORE).push(w.slot()).op(op.TLOAD).store();
      return;
    case 8: {
      const topics = r.int(5);
      for (let i = 0; i < topics; i++) w.push(w.word());
      w.push(BigInt(r.int(100))).push(w.offset()).op(op.LOG0 + topics);
      return;
    }
    case 9:
      w.op(r.pick(ENV)).store();
      return;
    case 10:
      w.pushAddress(target()).op(r.pick([op.BALANCE, op.EXTCODESIZE, op.EXTCODEHASH])).store();
      return;
    case 11:
      w.push(BigInt(r.int(300))).op(op.NUMBER, op.SUB).op(op.BLOCKHASH).store();
      return;
    case 12: {
      // CALL / CALLCODE (with value) or STATICCALL / DELEGATECALL (without), then the return data.
      const kind = r.pick([op.CALL, op.CALLCODE, op.STATICCALL, op.DELEGATECALL]);
      w.push(BigInt(r.int(64))).push(w.offset()).push(BigInt(r.int(300))).push(w.offset());
      if (kind === op.CALL || kind === op.CALLCODE) w.push(BigInt(r.int(3) === 0 ? r.int(1000) : 0));
      w.pushAddress(target());
      if (r.int(2) === 0) w.op(op.GAS);
      else w.push(BigInt(r.int(200_000)));
      w.op(kind).store().op(op.RETURNDATASIZE).store();
      if (r.int(2) === 0) w.push(0n).push(0n).push(w.offset()).op(op.RETURNDATACOPY);
      return;
    }
    case 13: {
      // CREATE / CREATE2 of a child whose init code returns a few bytes of code: PUSH5 code PUSH1 0
      // MSTORE PUSH1 5 PUSH1 27 RETURN (14 bytes), written into memory first.
      const child = Buffer.from(r.bytes(5)).toString("hex");
      const init = BigInt(`0x64${child}6000526005601bf3`.padEnd(64, "0"));
      w.push(init).push(0n).op(op.MSTORE);
      if (r.int(2) === 0) w.push(BigInt(r.int(2) === 0 ? 15 : 32)).push(0n).push(BigInt(r.int(5))).op(op.CREATE);
      else w.push(w.word()).push(15n).push(0n).push(BigInt(r.int(5))).op(op.CREATE2);
      w.store();
      return;
    }
    case 14: {
      // A forward conditional jump over a snippet.
      w.push(BigInt(r.int(2)));
      const at = w.bytes.length;
      w.op(0x61, 0, 0, op.JUMPI); // PUSH2 dest JUMPI
      w.push(w.word()).store();
      const dest = w.bytes.length;
      w.bytes[at + 1] = dest >> 8;
      w.bytes[at + 2] = dest & 0xff;
      w.op(op.JUMPDEST);
      return;
    }
    default:
      w.push(BigInt(r.int(64))).push(w.offset()).push(w.offset()).op(op.MCOPY);
      w.push(0n).op(op.CALLDATALOAD).store();
  }
}

/** A program of `length` snippets and a random ending. */
export function randomProgram(random: Random, context: ProgramContext, length: number): Uint8Array {
  const w = new ProgramWriter(random);
  for (let i = 0; i < length; i++) snippet(w, random, context);
  switch (random.int(12)) {
    case 0:
      w.push(BigInt(random.int(64))).push(w.offset()).op(op.REVERT);
      break;
    case 1:
      w.op(op.INVALID);
      break;
    case 2:
      w.pushAddress(random.pick(context.addresses)).op(op.SELFDESTRUCT);
      break;
    case 3:
      w.op(0x01); // stack underflow
      break;
    default:
      w.push(BigInt(random.int(64))).push(w.offset()).op(op.RETURN);
  }
  return w.bytecode();
}

/** Init code that deploys `runtime` as the contract's code. */
export function deployCode(runtime: Uint8Array): Uint8Array {
  // PUSH2 len DUP1 PUSH1 12 PUSH1 0 CODECOPY PUSH1 0 RETURN, then the runtime code.
  const length = runtime.length;
  return Uint8Array.from([0x61, length >> 8, length & 0xff, 0x80, 0x60, 12, 0x60, 0, 0x39, 0x60, 0, 0xf3, ...runtime]);
}
