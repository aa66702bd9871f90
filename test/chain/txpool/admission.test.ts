import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RLP } from "@ethereumjs/rlp";
import { createTx, type TypedTransaction, type TypedTxData } from "@ethereumjs/tx";
import {
  SECP256K1_ORDER,
  bigIntToUnpaddedBytes,
  concatBytes,
  eoaCode7702SignAuthorization,
  hexToBytes,
} from "@ethereumjs/util";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { keccak256 } from "../../../chain/execution/crypto.ts";
import { installRlpCodec } from "../../../chain/execution/patches/rlpCodec.ts";
import { TxPoolError, TxPoolErrorCode } from "../../../chain/txpool/index.ts";
import {
  ETHER,
  GWEI,
  RECIPIENT,
  concordCommon,
  createPool,
  hardhatAccounts,
  hashOf,
  legacyTransfer,
  nativeSecp256k1,
  transfer,
} from "./fixture.ts";
import { toRpcError } from "../../../chain/rpc/errors.ts";

async function rejects(
  attempt: Promise<unknown>,
  code: TxPoolErrorCode,
  message: string,
  rpcCode = -32000,
): Promise<void> {
  await assert.rejects(attempt, (error: unknown) => {
    assert.ok(error instanceof TxPoolError, `expected a TxPoolError, got ${String(error)}`);
    assert.equal(error.name, "TxPoolError");
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    assert.equal(toRpcError(error).code, rpcCode);
    return true;
  });
}

/** Re-encodes a signed typed transaction with some fields replaced (the signature then no longer fits). */
function tamperTyped(tx: TypedTransaction, changes: Record<number, Uint8Array>): Uint8Array {
  const fields = tx.raw() as Uint8Array[];
  for (const [index, value] of Object.entries(changes)) fields[Number(index)] = value;
  return concatBytes(new Uint8Array([tx.type]), RLP.encode(fields));
}

const [alice, bob] = hardhatAccounts();

describe("txpool admission: accepted transactions", () => {
  it("admits a signed EIP-1559 transfer, keeps its raw bytes and the sender recovered on entry", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n });
    const raw = tx.serialize();
    const hash = await pool.addRaw(raw);
    assert.equal(hash, hashOf(tx));
    const pooled = pool.get(hash)!;
    assert.equal(pooled.sender, alice!.address);
    assert.deepEqual(pooled.raw, raw);
    assert.equal(pooled.tx.nonce, 0n);
    // The recovered key stays on the object, so execution does not recover again.
    assert.ok(pooled.tx.cache.senderPubKey !== undefined);
    assert.equal(pool.size, 1);
  });

  it("admits legacy (EIP-155), access-list and set-code (EIP-7702) transactions", async () => {
    const { pool, common } = await createPool();
    const legacy = legacyTransfer(common, alice!, { nonce: 0n });
    const accessList = createTx(
      { type: 1, nonce: 1n, gasPrice: 10n * GWEI, gasLimit: 30000n, to: RECIPIENT, accessList: [{ address: RECIPIENT, storageKeys: [] }] },
      { common },
    ).sign(alice!.privateKey);
    const authorization = eoaCode7702SignAuthorization(
      { chainId: "0x7a69", address: RECIPIENT, nonce: "0x0" },
      bob!.privateKey,
    );
    const setCode = createTx(
      { type: 4, nonce: 2n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100000n, to: RECIPIENT, authorizationList: [authorization] },
      { common },
    ).sign(alice!.privateKey);
    for (const tx of [legacy, accessList, setCode]) assert.equal(await pool.addRaw(tx.serialize()), hashOf(tx));
    assert.equal(pool.status().pending, 3);
  });

  it("admits an unprotected legacy transaction (v = 27/28) by default, as Hardhat does", async () => {
    const { pool, common } = await createPool();
    const unprotected = await unprotectedLegacy(common);
    assert.equal(unprotected.v! === 27n || unprotected.v! === 28n, true);
    assert.equal(await pool.addRaw(unprotected.serialize()), hashOf(unprotected));
  });

  it("admits a transaction object through add()", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n });
    assert.equal(await pool.add(tx), hashOf(tx));
    assert.equal(pool.get(hashOf(tx))!.sender, alice!.address);
  });
});

async function unprotectedLegacy(common: Awaited<ReturnType<typeof concordCommon>>): Promise<TypedTransaction> {
  // Pre-EIP-155 signing: the hash of the six fields, no chain id; v = 27 + recovery id.
  const fields = [0n, 10n * GWEI, 21000n].map(bigIntToUnpaddedBytes);
  const message = RLP.encode([...fields, hexToBytes(RECIPIENT), bigIntToUnpaddedBytes(1n), new Uint8Array()]);
  const { signature, recid } = nativeSecp256k1.ecdsaSign(keccak256(message), alice!.privateKey);
  return createTx(
    { nonce: 0n, gasPrice: 10n * GWEI, gasLimit: 21000n, to: RECIPIENT, value: 1n, v: 27n + BigInt(recid), r: signature.slice(0, 32), s: signature.slice(32) },
    { common },
  );
}

describe("txpool admission: malformed input (-32602)", () => {
  it("refuses empty bytes", async () => {
    const { pool } = await createPool();
    await rejects(pool.addRaw(new Uint8Array()), TxPoolErrorCode.MalformedRlp, "rlp: empty input", -32602);
  });

  it("refuses a truncated RLP list", async () => {
    const { pool } = await createPool();
    await rejects(
      pool.addRaw(hexToBytes("0xc5")),
      TxPoolErrorCode.MalformedRlp,
      "rlp: invalid RLP (safeSlice): end slice of Uint8Array out-of-bounds",
      -32602,
    );
  });

  it("refuses lists nested 30,000 deep (too deep to decode) as malformed, with either RLP decoder", async () => {
    const { pool } = await createPool();
    // Built inside out by hand: encoders recurse as deep as decoders do.
    let raw = Uint8Array.of(0xc0);
    for (let depth = 0; depth < 30_000; depth++) {
      const length = raw.length;
      const prefix =
        length < 56 ? [0xc0 + length]
        : length < 256 ? [0xf8, length]
        : length < 65_536 ? [0xf9, length >> 8, length & 255]
        : [0xfa, length >> 16, (length >> 8) & 255, length & 255];
      raw = concatBytes(Uint8Array.from(prefix), raw);
    }
    assert.ok(raw.length < 128 * 1024, "within the size limit, so the decoder sees it");
    for (const codec of [false, true]) {
      installRlpCodec(codec);
      try {
        await assert.rejects(pool.addRaw(raw), (error: unknown) => {
          assert.ok(error instanceof TxPoolError);
          assert.equal(error.code, TxPoolErrorCode.MalformedRlp);
          assert.equal(toRpcError(error).code, -32602);
          return true;
        });
      } finally {
        installRlpCodec(false);
      }
    }
  });

  it("refuses trailing bytes after a typed transaction", async () => {
    const { pool, common } = await createPool();
    const raw = concatBytes(transfer(common, alice!, { nonce: 0n }).serialize(), new Uint8Array([0x00]));
    await rejects(pool.addRaw(raw), TxPoolErrorCode.MalformedRlp, "rlp: invalid RLP: remainder must be zero", -32602);
  });

  it("refuses a byte string where a legacy transaction list belongs", async () => {
    const { pool } = await createPool();
    await rejects(
      pool.addRaw(hexToBytes("0x83010203")),
      TxPoolErrorCode.MalformedRlp,
      "rlp: expected input list for a legacy transaction, got a byte string",
      -32602,
    );
  });

  it("refuses a list with the wrong number of fields", async () => {
    const { pool } = await createPool();
    const raw = RLP.encode(Array.from({ length: 8 }, () => new Uint8Array()));
    await rejects(
      pool.addRaw(raw),
      TxPoolErrorCode.InvalidTransaction,
      "invalid transaction: legacy transaction needs 9 fields, got 8",
      -32602,
    );
  });

  it("refuses a nested list in a scalar field", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), { 1: [] as unknown as Uint8Array });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidTransaction, "invalid transaction: field 1 must be a byte string", -32602);
  });

  it("refuses a chain id with leading zeroes (it would give the same transaction a second hash)", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), { 0: hexToBytes("0x007a69") });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidTransaction, "invalid transaction: chainId cannot have leading zeroes", -32602);
  });

  it("refuses a field with leading zeroes (non-canonical integer)", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 1n }), { 1: new Uint8Array([0, 1]) });
    await assert.rejects(pool.addRaw(raw), (error: unknown) => {
      assert.ok(error instanceof TxPoolError);
      assert.equal(error.code, TxPoolErrorCode.InvalidTransaction);
      assert.equal(toRpcError(error).code, -32602);
      assert.match(error.message, /^invalid transaction: nonce cannot have leading zeroes/);
      return true;
    });
  });
});

describe("txpool admission: refused transactions (-32000)", () => {
  it("refuses an unknown transaction type", async () => {
    const { pool } = await createPool();
    await rejects(pool.addRaw(hexToBytes("0x05c0")), TxPoolErrorCode.TxTypeNotSupported, "transaction type not supported: type 5");
  });

  it("refuses blob transactions (type 3) clearly", async () => {
    const { pool, common } = await createPool();
    // A blob tx's canonical form: the EIP-1559 fields, then maxFeePerBlobGas and the versioned hashes.
    const fields = transfer(common, alice!, { nonce: 0n }).raw() as Uint8Array[];
    const blobFields = [...fields.slice(0, 9), bigIntToUnpaddedBytes(GWEI), [hexToBytes(`0x01${"00".repeat(31)}`)], ...fields.slice(9)];
    const raw = concatBytes(new Uint8Array([3]), RLP.encode(blobFields));
    await rejects(
      pool.addRaw(raw),
      TxPoolErrorCode.BlobTxNotSupported,
      "transaction type not supported: blob transactions (type 3) are not accepted on Concord",
    );
  });

  it("refuses a typed transaction signed for another chain, naming both chain ids", async () => {
    const { pool } = await createPool();
    const mainnetLike = await createConcordCommon({ chainId: 1n });
    const tx = transfer(mainnetLike, alice!, { nonce: 0n });
    const message = "invalid chain id for signer: have 1 want 31337";
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.InvalidChainId, message);
    await rejects(pool.add(tx), TxPoolErrorCode.InvalidChainId, message);
  });

  it("refuses an EIP-155 legacy transaction signed for another chain", async () => {
    const { pool } = await createPool();
    const other = await createConcordCommon({ chainId: 1337n });
    const tx = legacyTransfer(other, alice!, { nonce: 0n });
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.InvalidChainId, "invalid chain id for signer: have 1337 want 31337");
  });

  it("refuses unprotected legacy transactions when configured to", async () => {
    const { pool, common } = await createPool({ allowUnprotected: false });
    await rejects(
      pool.addRaw((await unprotectedLegacy(common)).serialize()),
      TxPoolErrorCode.UnprotectedTx,
      "only replay-protected (EIP-155) transactions allowed over RPC",
    );
  });

  it("refuses an unsigned transaction, raw or as an object", async () => {
    const { pool, common } = await createPool();
    const unsigned = createTx(
      { type: 2, nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 21000n, to: RECIPIENT } as TypedTxData,
      { common },
    );
    await rejects(pool.addRaw(unsigned.serialize()), TxPoolErrorCode.InvalidSender, "invalid sender: transaction is not signed");
    await rejects(pool.add(unsigned), TxPoolErrorCode.InvalidSender, "invalid sender: transaction is not signed");
  });

  it("refuses a high-s signature (EIP-2)", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n });
    const raw = tamperTyped(tx, {
      9: bigIntToUnpaddedBytes(1n - tx.v!),
      11: bigIntToUnpaddedBytes(SECP256K1_ORDER - tx.s!),
    });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidSender, "invalid sender: invalid signature: s-value greater than secp256k1n/2");
  });

  it("refuses a zero r", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), { 10: new Uint8Array() });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidSender, "invalid sender: invalid signature: r and s must be non-zero");
  });

  it("refuses a y-parity other than 0 or 1", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), { 9: new Uint8Array([2]) });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidSender, "invalid sender: invalid signature y-parity 2");
  });

  it("refuses a legacy v that is neither 27/28 nor EIP-155", async () => {
    const { pool, common } = await createPool();
    const fields = legacyTransfer(common, alice!, { nonce: 0n }).raw() as Uint8Array[];
    fields[6] = new Uint8Array([30]);
    await rejects(pool.addRaw(RLP.encode(fields)), TxPoolErrorCode.InvalidSender, "invalid sender: invalid signature v value 30");
  });

  it("refuses a signature from which no key can be recovered", async () => {
    const { pool, common } = await createPool();
    // r at or above the curve order is no point's x coordinate mod n: recovery fails.
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), { 10: bigIntToUnpaddedBytes(SECP256K1_ORDER + 1n) });
    await rejects(pool.addRaw(raw), TxPoolErrorCode.InvalidSender, "invalid sender: invalid signature");
  });

  it("refuses a transaction larger than maxTxBytes, before decoding it", async () => {
    const { pool, common } = await createPool({ maxTxBytes: 1000 });
    const tx = transfer(common, alice!, { nonce: 0n, data: new Uint8Array(2000), gasLimit: 100000n });
    const size = tx.serialize().length;
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.OversizedData, `oversized data: transaction size ${size}, limit 1000`);
    await rejects(pool.add(tx), TxPoolErrorCode.OversizedData, `oversized data: transaction size ${size}, limit 1000`);
  });

  it("refuses contract creation code above the EIP-3860 limit", async () => {
    const { pool, common } = await createPool();
    const unsigned = createTx(
      { type: 2, nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 2_000_000n, data: new Uint8Array(49153) },
      { common, allowUnlimitedInitCodeSize: true },
    );
    const raw = unsigned.sign(alice!.privateKey).serialize();
    await rejects(pool.addRaw(raw), TxPoolErrorCode.MaxInitCodeSizeExceeded, "max initcode size exceeded: code size 49153, limit 49152");
  });

  it("refuses a gas limit above the block gas limit", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n, gasLimit: 30_000_001n });
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.GasLimitExceeded, "exceeds block gas limit: gas 30000001, block gas limit 30000000");
  });

  it("refuses a gas limit below the intrinsic gas", async () => {
    const { pool, common } = await createPool();
    const tx = transfer(common, alice!, { nonce: 0n, gasLimit: 20999n });
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.IntrinsicGasTooLow, "intrinsic gas too low: gas 20999, minimum needed 21000");
  });

  it("refuses calldata-heavy transactions below the EIP-7623 floor", async () => {
    const { pool, common } = await createPool();
    // 1000 non-zero bytes: intrinsic 21000 + 16 * 1000 = 37000, floor 21000 + 40 * 1000 = 61000.
    const tx = transfer(common, alice!, { nonce: 0n, gasLimit: 40000n, data: new Uint8Array(1000).fill(1) });
    await rejects(
      pool.addRaw(tx.serialize()),
      TxPoolErrorCode.FloorDataGasTooLow,
      "insufficient gas for floor data gas cost: gas 40000, minimum needed 61000",
    );
  });

  it("refuses a priority fee above the max fee", async () => {
    const { pool, common } = await createPool();
    const raw = tamperTyped(transfer(common, alice!, { nonce: 0n }), {
      2: bigIntToUnpaddedBytes(3n * GWEI),
      3: bigIntToUnpaddedBytes(2n * GWEI),
    });
    await rejects(
      pool.addRaw(raw),
      TxPoolErrorCode.TipAboveFeeCap,
      "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: 3000000000, maxFeePerGas: 2000000000",
    );
  });

  it("refuses a tip below minPriorityFee", async () => {
    const { pool, common } = await createPool({ minPriorityFee: GWEI });
    const tx = transfer(common, alice!, { nonce: 0n, maxPriorityFeePerGas: GWEI / 2n });
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.Underpriced, "transaction underpriced: gas tip cap 500000000, minimum needed 1000000000");
  });

  it("refuses a max fee below the next block's base fee", async () => {
    const { pool, common } = await createPool({}, 2n * GWEI);
    const tx = transfer(common, alice!, { nonce: 0n, maxFeePerGas: GWEI, maxPriorityFeePerGas: GWEI });
    await rejects(
      pool.addRaw(tx.serialize()),
      TxPoolErrorCode.FeeCapTooLow,
      "max fee per gas less than block base fee: maxFeePerGas: 1000000000, baseFee: 2000000000",
    );
    const legacy = legacyTransfer(common, alice!, { nonce: 0n, gasPrice: GWEI });
    await rejects(
      pool.addRaw(legacy.serialize()),
      TxPoolErrorCode.FeeCapTooLow,
      "max fee per gas less than block base fee: maxFeePerGas: 1000000000, baseFee: 2000000000",
    );
  });

  it("refuses a transaction it already holds, also when both copies arrive at once", async () => {
    const { pool, common } = await createPool();
    const raw = transfer(common, alice!, { nonce: 0n }).serialize();
    const [first, second] = await Promise.allSettled([pool.addRaw(raw), pool.addRaw(raw)]);
    assert.equal(first.status, "fulfilled");
    await rejects(Promise.reject((second as PromiseRejectedResult).reason), TxPoolErrorCode.AlreadyKnown, "already known");
    await rejects(pool.addRaw(raw), TxPoolErrorCode.AlreadyKnown, "already known");
    assert.equal(pool.size, 1);
  });

  it("answers already known before re-validating, even when the base fee has since passed its fee cap", async () => {
    const { pool, common, baseFee } = await createPool();
    const raw = transfer(common, alice!, { nonce: 0n, maxFeePerGas: 2n * GWEI }).serialize();
    await pool.addRaw(raw);
    baseFee.value = 3n * GWEI;
    await rejects(pool.addRaw(raw), TxPoolErrorCode.AlreadyKnown, "already known");
  });

  it("refuses a nonce the account has already used", async () => {
    const { pool, state, common } = await createPool();
    state.set(alice!.address, { nonce: 5n });
    const tx = transfer(common, alice!, { nonce: 3n });
    await rejects(pool.addRaw(tx.serialize()), TxPoolErrorCode.NonceTooLow, "nonce too low: next nonce 5, tx nonce 3");
  });

  it("refuses a nonce too far beyond the sender's next nonce, and queues one within the gap", async () => {
    const { pool, common } = await createPool({ maxNonceGap: 4 });
    await rejects(
      pool.addRaw(transfer(common, alice!, { nonce: 5n }).serialize()),
      TxPoolErrorCode.NonceTooHigh,
      "nonce too high: next nonce 0, tx nonce 5, max gap 4",
    );
    await pool.addRaw(transfer(common, alice!, { nonce: 4n }).serialize());
    assert.deepEqual(pool.status(), { pending: 0, queued: 1 });
  });

  it("refuses a transaction whose gas * fee cap + value exceeds the balance", async () => {
    const { pool, state, common } = await createPool();
    state.set(alice!.address, { balance: ETHER / 10000n });
    const tx = transfer(common, alice!, { nonce: 0n, value: ETHER / 10000n });
    const cost = 21000n * 10n * GWEI + ETHER / 10000n;
    const balance = ETHER / 10000n;
    await rejects(
      pool.addRaw(tx.serialize()),
      TxPoolErrorCode.InsufficientFunds,
      `insufficient funds for gas * price + value: balance ${balance}, tx cost ${cost}, overshot ${cost - balance}`,
    );
  });

  it("carries the numbers of a refusal as data for programs", async () => {
    const { pool, state, common } = await createPool();
    state.set(alice!.address, { nonce: 2n });
    await assert.rejects(pool.addRaw(transfer(common, alice!, { nonce: 1n }).serialize()), (error: unknown) => {
      assert.ok(error instanceof TxPoolError);
      assert.deepEqual(error.data, { next: 2n, nonce: 1n });
      // No JSON-RPC data, as geth: the numbers stay on the server.
      assert.equal(toRpcError(error).data, undefined);
      return true;
    });
  });

  it("leaves the pool unchanged by a refused transaction", async () => {
    const { pool, common } = await createPool();
    await pool.addRaw(transfer(common, alice!, { nonce: 0n }).serialize());
    await rejects(pool.addRaw(transfer(common, alice!, { nonce: 1n, gasLimit: 1n }).serialize()), TxPoolErrorCode.IntrinsicGasTooLow, "intrinsic gas too low: gas 1, minimum needed 21000");
    assert.equal(pool.size, 1);
    assert.equal(await pool.pendingNonce(alice!.address), 1n);
  });
});
