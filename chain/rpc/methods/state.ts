/** Account state at a block: balance, code, storage, nonce (EIP-1898 block selectors). */
import { stateReference } from "../blockResolution.ts";
import { bytesToHex, quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { address, blockSelector, optional, storageSlot } from "../validation.ts";
import type { BlockSelector } from "../validation.ts";

const LATEST: BlockSelector = { tag: "latest" };

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
  eth_getTransactionCount: defineMethod([address, optional(blockSelector)], async ({ backend }, [account, selector]) =>
    quantity(await backend.getTransactionCount(account, await stateReference(backend, selector ?? LATEST))),
  ),
};
