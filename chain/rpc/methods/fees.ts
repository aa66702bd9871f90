/** Fee suggestions and history (EIP-1559). */
import { InvalidParamsError } from "../errors.ts";
import { quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { blockCount, blockTag, optional, rewardPercentiles } from "../validation.ts";
import { blockNumberOf } from "../blockResolution.ts";

export const feeMethods: MethodTable = {
  // Legacy-priced wallets pay the next base fee plus the suggested tip, as geth suggests.
  eth_gasPrice: defineMethod([], ({ backend }) => quantity(backend.nextBaseFee() + backend.suggestedPriorityFee())),
  eth_maxPriorityFeePerGas: defineMethod([], ({ backend }) => quantity(backend.suggestedPriorityFee())),
  eth_blobBaseFee: defineMethod([], ({ backend }) => quantity(backend.nextBlobBaseFee())),
  eth_feeHistory: defineMethod(
    [blockCount, blockTag, optional(rewardPercentiles)],
    async ({ backend, limits }, [count, newest, percentiles]) => {
      if (count === 0) return { oldestBlock: "0x0", baseFeePerGas: [], gasUsedRatio: [] };
      const latest = backend.latestBlockNumber();
      if (blockNumberOf(backend, newest) > latest) {
        throw new InvalidParamsError(1, `block ${newest} is beyond the head ${latest}`);
      }
      const history = await backend.feeHistory(Math.min(count, limits.maxFeeHistoryBlocks), newest, percentiles ?? []);
      const result: Record<string, unknown> = {
        oldestBlock: quantity(history.oldestBlock),
        baseFeePerGas: history.baseFeePerGas.map(quantity),
        gasUsedRatio: history.gasUsedRatio,
      };
      if (percentiles !== undefined) result.reward = (history.reward ?? []).map((rewards) => rewards.map(quantity));
      if (history.baseFeePerBlobGas !== undefined) result.baseFeePerBlobGas = history.baseFeePerBlobGas.map(quantity);
      if (history.blobGasUsedRatio !== undefined) result.blobGasUsedRatio = history.blobGasUsedRatio;
      return result;
    },
  ),
};
