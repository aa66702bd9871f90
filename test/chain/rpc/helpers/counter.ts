/** Deploys the test Counter on a test chain and sends calls to it with a dev key. */
import { Interface } from "ethers";
import { compileCounter } from "./counterContract.ts";
import { DEV_KEYS, sendSigned, waitForReceipt, type Receipt } from "./testChain.ts";

export const counterInterface = () => new Interface(compileCounter().abi as string[]);

export interface DeployedCounter {
  address: `0x${string}`;
  deployReceipt: Receipt;
  iface: Interface;
  /** Sends increment(by) from dev account `keyIndex` and waits for the receipt. */
  increment(by: bigint, keyIndex?: number): Promise<Receipt>;
}

export async function deployCounter(url: string, limit = 100n): Promise<DeployedCounter> {
  const { bytecode } = compileCounter();
  const iface = counterInterface();
  const data = bytecode + iface.encodeDeploy([limit]).slice(2);
  const hash = await sendSigned(url, DEV_KEYS[0], { data, gasLimit: 1_000_000n });
  const deployReceipt = await waitForReceipt(url, hash);
  if (deployReceipt.status !== "0x1" || deployReceipt.contractAddress === null) throw new Error("Counter deployment failed");
  const address = deployReceipt.contractAddress as `0x${string}`;
  return {
    address,
    deployReceipt,
    iface,
    async increment(by, keyIndex = 0) {
      const txHash = await sendSigned(url, DEV_KEYS[keyIndex]!, {
        to: address,
        data: iface.encodeFunctionData("increment", [by]),
        gasLimit: 200_000n,
      });
      return waitForReceipt(url, txHash);
    },
  };
}
