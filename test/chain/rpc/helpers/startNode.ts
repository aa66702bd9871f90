/**
 * Starts the real in-memory Concord node (chain/node.ts) for the RPC tests: Hardhat's 20 dev
 * accounts, one validator staked in the genesis registry, blocks produced when transactions wait.
 * The RPC tests start their own server in front of it (`startRpcServer`), so the node runs without one.
 */
import { validatorKeys } from "../../../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../../../chain/execution/genesis.ts";
import { ConcordNode } from "../../../../chain/node.ts";
import type { NodeOptions } from "../../../../chain/node/options.ts";
import type { RpcBackend } from "../../../../chain/rpc/backend.ts";

export interface StartedNode {
  backend: RpcBackend;
  stop(): Promise<void>;
}

export async function startNodeForRpcTests(options: Pick<NodeOptions, "calls"> = {}): Promise<StartedNode> {
  const [validator] = validatorKeys(1);
  const genesis = defaultGenesisConfig({
    validators: [{ operator: validator!.address, signer: validator!.address, stake: 1_000n * 10n ** 18n }],
  });
  const node = new ConcordNode({ genesis, validatorKey: validator!.privateKey, rpc: false, syncWrites: false, ...options });
  await node.start();
  return { backend: node.backend, stop: () => node.stop() };
}
