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

/** eth_getProof's storage keys: each up to 32 bytes of hex; geth answers each with the key as it was given. */
const proofKeys: Validator<{ given: string; slot: Hex }[]> = (value) => {
  if (!Array.isArray(value)) throw new ParamError("expected an array of storage keys");
  if (value.length > MAX_PROOF_KEYS) throw new ParamError(`${value.length} storage keys, at most ${MAX_PROOF_KEYS} per call`);
  return value.map((key, i) => {
    try {
      return { given: key as string, slot: storageSlot(key) };
    } catch (error) {
      if (error instanceof ParamError) throw new ParamError(`storage key ${i}: ${error.reason}`);
      throw error;
    }
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
      storageProof: proof.storageProof.map((entry, i) => ({ key: keys[i]!.given, value: quantity(entry.value), proof: entry.proof })),
    };
  }),
  eth_getTransactionCount: defineMethod([address, optional(blockSelector)], async ({ backend }, [account, selector]) =>
    quantity(await backend.getTransactionCount(account, await stateReference(backend, selector ?? LATEST))),
  ),
};
