/**
 * Sender recovery on the worker thread gives exactly what recovery on the main thread gives: the same
 * public key for every signature (also many at once, in batches), nothing for an unrecoverable one,
 * and, after the worker is gone, the same answers computed in-thread. Through the pool: the same
 * sender for every transaction type, with the key cached on the transaction object.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { RLP } from "@ethereumjs/rlp";
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import { SECP256K1_ORDER, bigIntToBytes, bigIntToUnpaddedBytes, bytesToHex, eoaCode7702SignAuthorization, hexToBytes, setLengthLeft } from "@ethereumjs/util";
import { keccak256 } from "../../../chain/execution/crypto.ts";
import { SenderRecoveryWorker, recoverInline, type RecoveryRequest } from "../../../chain/txpool/senderRecovery.ts";
import { GWEI, RECIPIENT, concordCommon, createPool, hardhatAccounts, legacyTransfer, nativeSecp256k1, transfer } from "./fixture.ts";

function signedRequest(): { request: RecoveryRequest; publicKey: Uint8Array } {
  const privateKey = randomBytes(32);
  const messageHash = randomBytes(32);
  const { signature, recid } = nativeSecp256k1.ecdsaSign(messageHash, privateKey);
  return {
    request: { messageHash, recoveryId: recid, r: signature.slice(0, 32), s: signature.slice(32) },
    publicKey: nativeSecp256k1.publicKeyCreate(privateKey, false).subarray(1),
  };
}

describe("sender recovery worker", () => {
  it("recovers the signer's public key, for 200 signatures requested at once", async () => {
    const worker = new SenderRecoveryWorker();
    try {
      const signed = Array.from({ length: 200 }, signedRequest);
      const recovered = await Promise.all(signed.map(({ request }) => worker.recover(request)));
      recovered.forEach((key, i) => assert.deepEqual(key, signed[i]!.publicKey));
    } finally {
      await worker.close();
    }
  });

  it("recovers the same keys with one thread as with several", async () => {
    const one = new SenderRecoveryWorker(1);
    const three = new SenderRecoveryWorker(3);
    try {
      const signed = Array.from({ length: 60 }, signedRequest);
      const [byOne, byThree] = await Promise.all([one, three].map((recovery) => Promise.all(signed.map(({ request }) => recovery.recover(request)))));
      byOne!.forEach((key, i) => assert.deepEqual(key, signed[i]!.publicKey));
      assert.deepEqual(byThree, byOne);
    } finally {
      await Promise.all([one.close(), three.close()]);
    }
    assert.throws(() => new SenderRecoveryWorker(0), { name: "RangeError", message: "threads must be a positive integer, got 0" });
  });

  it("answers one request after another (each sent alone)", async () => {
    const worker = new SenderRecoveryWorker();
    try {
      for (let i = 0; i < 5; i++) {
        const { request, publicKey } = signedRequest();
        assert.deepEqual(await worker.recover(request), publicKey);
      }
    } finally {
      await worker.close();
    }
  });

  it("answers undefined for a signature that recovers no key, and keeps serving the batch around it", async () => {
    const worker = new SenderRecoveryWorker();
    try {
      const before = signedRequest();
      const after = signedRequest();
      // r at or above the curve order is no point's x coordinate mod n.
      const unrecoverable = { ...signedRequest().request, r: setLengthLeft(bigIntToBytes(SECP256K1_ORDER + 1n), 32) };
      const [first, bad, last] = await Promise.all([worker.recover(before.request), worker.recover(unrecoverable), worker.recover(after.request)]);
      assert.deepEqual(first, before.publicKey);
      assert.equal(bad, undefined);
      assert.deepEqual(last, after.publicKey);
      assert.equal(recoverInline(unrecoverable), undefined);
    } finally {
      await worker.close();
    }
  });

  it("answers undefined for malformed requests without sending them", async () => {
    const worker = new SenderRecoveryWorker();
    try {
      const { request } = signedRequest();
      assert.equal(await worker.recover({ ...request, recoveryId: 2 }), undefined);
      assert.equal(await worker.recover({ ...request, r: request.r.subarray(1) }), undefined);
      assert.equal(await worker.recover({ ...request, messageHash: new Uint8Array(31) }), undefined);
    } finally {
      await worker.close();
    }
  });

  it("recovers in-thread, with the same results, once the worker is gone (also what was in flight)", async () => {
    const worker = new SenderRecoveryWorker();
    const signed = Array.from({ length: 20 }, signedRequest);
    const inFlight = signed.map(({ request }) => worker.recover(request));
    await worker.close();
    const afterClose = worker.recover(signed[0]!.request);
    (await Promise.all(inFlight)).forEach((key, i) => assert.deepEqual(key, signed[i]!.publicKey));
    assert.deepEqual(await afterClose, signed[0]!.publicKey);
  });
});

describe("txpool: senders recovered on the worker", () => {
  async function everyType(): Promise<TypedTransaction[]> {
    const common = await concordCommon();
    const [alice, bob] = hardhatAccounts();
    const unprotectedFields = [0n, 10n * GWEI, 21000n].map(bigIntToUnpaddedBytes);
    const message = RLP.encode([...unprotectedFields, hexToBytes(RECIPIENT), bigIntToUnpaddedBytes(1n), new Uint8Array()]);
    const { signature, recid } = nativeSecp256k1.ecdsaSign(keccak256(message), alice!.privateKey);
    return [
      transfer(common, alice!, { nonce: 0n }),
      legacyTransfer(common, alice!, { nonce: 0n }),
      createTx(
        { nonce: 0n, gasPrice: 10n * GWEI, gasLimit: 21000n, to: RECIPIENT, value: 1n, v: 27n + BigInt(recid), r: signature.slice(0, 32), s: signature.slice(32) },
        { common },
      ),
      createTx(
        { type: 1, nonce: 0n, gasPrice: 10n * GWEI, gasLimit: 30000n, to: RECIPIENT, accessList: [{ address: RECIPIENT, storageKeys: [] }] },
        { common },
      ).sign(alice!.privateKey),
      createTx(
        {
          type: 4, nonce: 0n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI, gasLimit: 100000n, to: RECIPIENT,
          authorizationList: [eoaCode7702SignAuthorization({ chainId: "0x7a69", address: RECIPIENT, nonce: "0x0" }, bob!.privateKey)],
        },
        { common },
      ).sign(alice!.privateKey),
    ];
  }

  it("gives every transaction type the sender that in-thread recovery gives, and caches the key on the tx", async () => {
    const [alice] = hardhatAccounts();
    for (const tx of await everyType()) {
      const onWorker = await createPool({ recoverSendersOnWorker: true });
      const inline = await createPool({ recoverSendersOnWorker: false });
      const hash = await onWorker.pool.addRaw(tx.serialize());
      assert.equal(await inline.pool.addRaw(tx.serialize()), hash);
      const pooled = onWorker.pool.get(hash)!;
      assert.equal(pooled.sender, alice!.address, `type ${tx.type}`);
      assert.equal(inline.pool.get(hash)!.sender, pooled.sender);
      assert.deepEqual(pooled.tx.cache.senderPubKey, tx.getSenderPublicKey());
      assert.equal(bytesToHex(pooled.tx.getSenderAddress().bytes), alice!.address);
    }
  });
});
