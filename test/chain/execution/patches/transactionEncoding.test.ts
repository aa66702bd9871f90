/**
 * A decoded transaction's remembered encoding is exactly what ethereumjs' serialize() gives, and its
 * seeded hash is ethereumjs' hash, for every transaction type the pool accepts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, eoaCode7702SignAuthorization, publicToAddress, type Address } from "@ethereumjs/util";
import { installPatches } from "../../../../chain/execution/patches/installPatches.ts";
import { keccak256 } from "../../../../chain/execution/crypto.ts";
import { encodeTransaction, rememberEncoding } from "../../../../chain/execution/patches/transactionEncoding.ts";
import { decodeRawTransaction, transactionCommon } from "../../../../chain/txpool/index.ts";
import { GWEI, RECIPIENT, concordCommon, hardhatAccounts } from "../../txpool/fixture.ts";

async function everyType(): Promise<TypedTransaction[]> {
  const common = await concordCommon();
  const [alice, bob] = hardhatAccounts();
  return [
    createTx({ nonce: 3n, gasPrice: 10n * GWEI, gasLimit: 21000n, to: RECIPIENT, value: 1n }, { common }).sign(alice!.privateKey),
    createTx(
      { type: 1, nonce: 0n, gasPrice: 10n * GWEI, gasLimit: 30000n, to: RECIPIENT, accessList: [{ address: RECIPIENT, storageKeys: [`0x${"01".repeat(32)}`] }] },
      { common },
    ).sign(alice!.privateKey),
    createTx({ type: 2, nonce: 7n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 60000n, data: new Uint8Array([0, 0, 1]) }, { common }).sign(
      alice!.privateKey,
    ),
    createTx(
      {
        type: 4, nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100000n, to: RECIPIENT,
        authorizationList: [eoaCode7702SignAuthorization({ chainId: "0x7a69", address: RECIPIENT, nonce: "0x0" }, bob!.privateKey)],
      },
      { common },
    ).sign(alice!.privateKey),
  ];
}

test("a decoded transaction's remembered bytes and hash are ethereumjs' serialize() and hash()", async () => {
  const common = transactionCommon(await concordCommon());
  for (const original of await everyType()) {
    const raw = original.serialize();
    const decoded = decodeRawTransaction(raw, { common, maxTxBytes: 131072, allowUnprotected: true });
    assert.equal(encodeTransaction(decoded), raw, `type ${decoded.type}: the very bytes it came from`);
    assert.equal(bytesToHex(decoded.serialize()), bytesToHex(raw), `type ${decoded.type}: ethereumjs re-encodes the same bytes`);
    assert.equal(bytesToHex(decoded.hash()), bytesToHex(original.hash()), `type ${decoded.type}: seeded hash`);
    assert.equal(bytesToHex(decoded.hash()), bytesToHex(keccak256(raw)));
  }
});

test("a transaction that was not decoded is encoded by ethereumjs once, and an unfrozen one is never remembered", async () => {
  const [tx] = await everyType();
  const first = encodeTransaction(tx!);
  assert.equal(bytesToHex(first), bytesToHex(tx!.serialize()));
  assert.equal(encodeTransaction(tx!), first, "remembered after the first encoding");

  const common = await concordCommon();
  const unfrozen = createTx({ nonce: 0n, gasPrice: GWEI, gasLimit: 21000n, to: RECIPIENT }, { common, freeze: false }).sign(hardhatAccounts()[0]!.privateKey);
  rememberEncoding(unfrozen, new Uint8Array([1, 2, 3]));
  assert.equal(bytesToHex(encodeTransaction(unfrozen)), bytesToHex(unfrozen.serialize()));
  assert.notEqual(encodeTransaction(unfrozen), encodeTransaction(unfrozen), "encoded afresh each time");
});

test("every transaction type answers getSenderAddress from the memo with ethereumjs' address, and the memo cannot be changed through an answer", async () => {
  await installPatches();
  const [alice] = hardhatAccounts();
  for (const tx of await everyType()) {
    const method = tx.getSenderAddress as { original?: (this: TypedTransaction) => Address };
    assert.ok(method.original !== undefined, `type ${tx.type}: the remembered getSenderAddress is installed`);
    const stock = method.original.call(tx);
    assert.equal(stock.toString(), alice!.address.toLowerCase());
    const answer = tx.getSenderAddress();
    assert.ok(answer.equals(stock), `type ${tx.type}`);
    answer.bytes.fill(0); // a caller scribbling on its Address
    assert.ok(tx.getSenderAddress().equals(stock), `type ${tx.type}: the next answer is still right`);
    assert.equal(bytesToHex(publicToAddress(tx.getSenderPublicKey())), stock.toString());
  }
  const common = await concordCommon();
  const unsigned = createTx({ nonce: 0n, gasPrice: GWEI, gasLimit: 21000n, to: RECIPIENT }, { common });
  assert.throws(() => unsigned.getSenderAddress(), /not signed|signature/i, "an unsigned transaction has no sender, as with ethereumjs");
});
