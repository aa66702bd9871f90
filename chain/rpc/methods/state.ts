/** Account state at a block: balance, code, storage, nonce (EIP-1898 block selectors). */
import { stateReference } from "../blockResolution.ts";
import { bytesToHex, quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { address, blockSelector, optional, ParamError, storageSlot, type Validator } from "../validation.ts";
import type { Hex } from "../../types.ts";
import type { BlockSelector } from "../validation.ts";

const LATEST: BlockSelector = { tag: "latest" };

/** geth's cap on the storage keys of one eth_getProof. */
const MAX_PROOF_KEYS = 1024;

/**
 * eth_getProof's storage keys, read as leniently as geth reads them (0x optional, odd length padded,
 * at most 32 bytes). geth answers a key given as 32 bytes as 32 bytes (lowercase) and any shorter one
 * as a quantity ("0x01" -> "0x1"), for compatibility with older clients; `key` is that answer.
 */
const proofKeys: Validator<{ key: string; slot: Hex }[]> = (value) => {
  if (!Array.isArray(value)) throw new ParamError("expected an array of storage keys");
  if (value.length > MAX_PROOF_KEYS) throw new ParamError(`too many storage keys requested (max ${MAX_PROOF_KEYS}, got ${value.length})`);
  return value.map((given: unknown, i) => {
    if (typeof given !== "string") throw new ParamError(`storage key ${i}: expected a hex string`);
    let body = given.startsWith("0x") || given.startsWith("0X") ? given.slice(2) : given;
    if (body.length % 2 === 1) body = `0${body}`;
    if (body.length > 64) throw new ParamError(`storage key ${i} too long (want at most 32 bytes)`);
    if (!/^[0-9a-fA-F]*$/.test(body)) throw new ParamError(`storage key ${i}: invalid hex`);
    const slot = `0x${body.padStart(64, "0").toLowerCase()}` as Hex;
    return { key: body.length === 64 ? slot : `0x${BigInt(slot).toString(16)}`, slot };
  });
};

export const stateMethods: MethodTable = {
  eth_getBalance: defineMethod([address, optional(blockSelector)], async ({ backend }, [account, selector]) =>
    quantity(await backend.getBalance(account, await stateReference(backend, selector ?? LATEST))),
  ),
  eth_getCode: defineMethod([address, optional(blockSelector)], async ({ backend }, [account, selector]) =>
    bytesToHex(await backend.getCode(account, await stateReference(backend, selector ?? LATEST))),
  ),
  eth_getStorageAt: defineMethod(
    [address, storageSlot, optional(blockSelector)],
    async ({ backend }, [account, slot, selector]) =>
      backend.getStorageAt(account, slot, await stateReference(backend, selector ?? LATEST)),
  ),
  eth_getProof: defineMethod([address, proofKeys, optional(blockSelector)], async ({ backend }, [account, keys, selector]) => {
    const proof = await backend.getProof(
      account,
      keys.map((key) => key.slot),
      await stateReference(backend, selector ?? LATEST),
    );
    return {
      address: account,
      accountProof: proof.accountProof,
      balance: quantity(proof.balance),
      codeHash: proof.codeHash,
      nonce: quantity(proof.nonce),
      storageHash: proof.storageHash,
      storageProof: proof.storageProof.map((entry, i) => ({ key: keys[i]!.key, value: quantity(entry.value), proof: entry.proof })),
    };
  }),
  eth_getTransactionCount: defineMethod([address, optional(blockSelector)], async ({ backend }, [account, selector]) =>
    quantity(await backend.getTransactionCount(account, await stateReference(backend, selector ?? LATEST))),
  ),
};
