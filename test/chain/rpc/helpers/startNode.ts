/**
 * Starts the real in-memory Concord node (chain/node.ts) for the RPC tests.
 *
 * chain/node.ts is being written concurrently; until it exists the node-backed RPC tests are parked
 * as `*.awaiting-node.ts` (outside the test glob) and this says why if called.
 */
import type { RpcBackend } from "../../../../chain/rpc/backend.ts";

export interface StartedNode {
  backend: RpcBackend;
  stop(): Promise<void>;
}

export async function startNodeForRpcTests(): Promise<StartedNode> {
  throw new Error("chain/node.ts (ConcordNode) has not landed yet: the node-backed RPC tests cannot start a node");
}
