/** Every method the server answers, by name. */
import type { MethodTable } from "../method.ts";
import { accountMethods } from "./accounts.ts";
import { chainDataMethods } from "./chainData.ts";
import { concordMethods } from "./concord.ts";
import { debugMethods } from "./debug.ts";
import { devMethods } from "./dev.ts";
import { executionMethods } from "./execution.ts";
import { feeMethods } from "./fees.ts";
import { logMethods } from "./logs.ts";
import { stateMethods } from "./state.ts";
import { txpoolMethods } from "./txpool.ts";
import { web3NetMethods } from "./web3Net.ts";

export const rpcMethods: MethodTable = {
  ...web3NetMethods,
  ...chainDataMethods,
  ...stateMethods,
  ...executionMethods,
  ...feeMethods,
  ...logMethods,
  ...accountMethods,
  ...txpoolMethods,
  ...debugMethods,
  ...concordMethods,
  // Last: its eth_sendTransaction wraps the dev-account one to add impersonated senders (dev mode).
  ...devMethods,
};
