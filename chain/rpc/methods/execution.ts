/** eth_call, eth_estimateGas, eth_sendRawTransaction. */
import type { CallRequest, CallResult, RpcBackend, BlockTag } from "../backend.ts";
import { stateReference } from "../blockResolution.ts";
import { ExecutionRevertedError, InvalidParamsError, RpcError, RpcErrorCode, hasRpcCode } from "../errors.ts";
import { bytesToHex, quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { blockOverride, blockSelector, data, optional, stateOverride, transactionRequest, type TransactionRequest } from "../validation.ts";

/** The error eth_call answers for a failed execution: code 3 with revert data, or geth's -32000 words. */
export function executionError(result: CallResult): RpcError | undefined {
  if (result.error === undefined) return undefined;
  switch (result.error.kind) {
    case "revert":
      return new ExecutionRevertedError(bytesToHex(result.returnData));
    case "outOfGas":
      return new RpcError(RpcErrorCode.ServerError, "out of gas");
    case "invalidOpcode":
      return new RpcError(RpcErrorCode.ServerError, `invalid opcode: ${result.error.message}`);
    default:
      return new RpcError(RpcErrorCode.ServerError, result.error.message);
  }
}

export function checkChainId(backend: RpcBackend, request: TransactionRequest): CallRequest {
  const { chainId, ...call } = request;
  if (chainId !== undefined && chainId !== backend.chainId) {
    throw new InvalidParamsError(0, `chainId ${chainId} does not match the node's ${backend.chainId}`);
  }
  return call;
}

/**
 * Gas a request needs. A backend that throws an untyped error is asked once more with eth_call, so a
 * revert still reaches the client as code 3 with its data (ethers and viem decode custom errors from it).
 */
export async function estimateGas(backend: RpcBackend, call: CallRequest, block: BlockTag): Promise<bigint> {
  try {
    return await backend.estimateGas(call, block);
  } catch (error) {
    if (hasRpcCode(error)) throw error;
    const probe = await backend.call(call, block);
    throw executionError(probe) ?? error;
  }
}

export const executionMethods: MethodTable = {
  eth_call: defineMethod(
    [transactionRequest, optional(blockSelector), optional(stateOverride), optional(blockOverride)],
    async ({ backend }, [request, selector, overrides, blockOverrides]) => {
    const call = { ...checkChainId(backend, request), stateOverride: overrides, blockOverride: blockOverrides };
    const result = await backend.call(call, await stateReference(backend, selector ?? { tag: "latest" }));
    const error = executionError(result);
    if (error !== undefined) throw error;
    return bytesToHex(result.returnData);
  }),
  eth_estimateGas: defineMethod(
    [transactionRequest, optional(blockSelector), optional(stateOverride), optional(blockOverride)],
    async ({ backend }, [request, selector, overrides, blockOverrides]) => {
      const block = await stateReference(backend, selector ?? { tag: "latest" });
      return quantity(await estimateGas(backend, { ...checkChainId(backend, request), stateOverride: overrides, blockOverride: blockOverrides }, block));
    },
  ),
  // geth's shape: the list, the gas the call uses with it declared, and the call's error if it failed.
  eth_createAccessList: defineMethod(
    [transactionRequest, optional(blockSelector), optional(stateOverride)],
    async ({ backend }, [request, selector, overrides]) => {
      const block = await stateReference(backend, selector ?? { tag: "latest" });
      const result = await backend.createAccessList({ ...checkChainId(backend, request), stateOverride: overrides }, block);
      const answer: Record<string, unknown> = { accessList: result.accessList, gasUsed: quantity(result.gasUsed) };
      if (result.error !== undefined) answer.error = result.error;
      return answer;
    },
  ),
  eth_sendRawTransaction: defineMethod([data], async ({ backend, admitted }, [raw]) => {
    if (raw.length === 0) throw new InvalidParamsError(0, "empty transaction");
    return backend.sendRawTransaction(raw, admitted);
  }),
};
