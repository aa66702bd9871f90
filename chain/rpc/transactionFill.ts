/**
 * Completing a transaction request the way geth's `setDefaults` does, for eth_sendTransaction,
 * eth_signTransaction and eth_fillTransaction: nonce = the sender's pending nonce, gas = estimate,
 * EIP-1559 fees from the next base fee and the suggested tip (legacy pricing when gasPrice is given).
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import type { DevSigner } from "./devSigner.ts";
import { InvalidParamsError } from "./errors.ts";
import { checkChainId, estimateGas } from "./methods/execution.ts";
import type { RpcContext } from "./method.ts";
import type { TransactionRequest } from "./validation.ts";
import type { Hex } from "../types.ts";

export interface FilledTransaction {
  from: Hex;
  tx: TypedTransaction;
}

function chooseType(request: TransactionRequest): number {
  if (request.type !== undefined) return request.type;
  if (request.gasPrice !== undefined) return request.accessList === undefined ? 0 : 1;
  return 2;
}

export async function fillTransaction(
  { backend }: Pick<RpcContext, "backend">,
  signer: DevSigner,
  request: TransactionRequest,
): Promise<FilledTransaction> {
  const call = checkChainId(backend, request);
  const from = request.from;
  if (from === undefined) throw new InvalidParamsError(0, 'missing "from": the account to send from');
  const type = chooseType(request);
  if (type > 2) {
    throw new InvalidParamsError(0, `transaction type ${type} cannot be filled by the node: sign it yourself and use eth_sendRawTransaction`);
  }
  if (type < 2 && (request.maxFeePerGas !== undefined || request.maxPriorityFeePerGas !== undefined)) {
    throw new InvalidParamsError(0, `maxFeePerGas and maxPriorityFeePerGas are not valid for a type ${type} transaction`);
  }
  if (type === 2 && request.gasPrice !== undefined) {
    throw new InvalidParamsError(0, "gasPrice is not valid for a type 2 transaction: use maxFeePerGas");
  }
  const isCreation = request.to === undefined || request.to === null;
  if (isCreation && (request.data === undefined || request.data.length === 0)) {
    throw new InvalidParamsError(0, "contract creation without any data provided");
  }
  const nonce = request.nonce ?? (await backend.getTransactionCount(from, "pending"));
  const gasLimit = request.gas ?? (await estimateGas(backend, { ...call, from, nonce }, "pending"));

  const common = { nonce, gasLimit, to: isCreation ? undefined : request.to!, value: request.value ?? 0n, data: request.data ?? new Uint8Array() };
  const accessList = (request.accessList ?? []).map((entry) => ({ address: entry.address, storageKeys: entry.storageKeys }));
  if (type === 0) {
    const gasPrice = request.gasPrice ?? backend.nextBaseFee() + backend.suggestedPriorityFee();
    return { from, tx: signer.createTransaction({ type: 0, ...common, gasPrice }) };
  }
  if (type === 1) {
    const gasPrice = request.gasPrice ?? backend.nextBaseFee() + backend.suggestedPriorityFee();
    return { from, tx: signer.createTransaction({ type: 1, ...common, gasPrice, accessList, chainId: backend.chainId }) };
  }
  let maxPriorityFeePerGas = request.maxPriorityFeePerGas ?? backend.suggestedPriorityFee();
  // Twice the next base fee leaves room for six full blocks of base fee growth, as geth and viem do.
  const maxFeePerGas = request.maxFeePerGas ?? 2n * backend.nextBaseFee() + maxPriorityFeePerGas;
  if (maxPriorityFeePerGas > maxFeePerGas) maxPriorityFeePerGas = maxFeePerGas;
  return {
    from,
    tx: signer.createTransaction({ type: 2, ...common, maxFeePerGas, maxPriorityFeePerGas, accessList, chainId: backend.chainId }),
  };
}
