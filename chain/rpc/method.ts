/**
 * How a JSON-RPC method is declared: its parameter validators, in order, and its handler.
 *
 * The dispatcher checks the count ("too many arguments", "missing value for required argument N"),
 * runs each validator and hands the handler typed values; a handler never sees raw JSON.
 */
import type { RpcBackend } from "./backend.ts";
import type { FilterRegistry } from "./filters.ts";
import type { SubscriptionHub } from "./subscriptions.ts";
import type { Validator } from "./validation.ts";
import type { DevSigner } from "./devSigner.ts";

export interface RpcLimits {
  /** Most logs one eth_getLogs / eth_getFilterLogs answers with. */
  maxLogResults: number;
  /** Widest block range one eth_getLogs may span (0: no limit). */
  maxLogBlockRange: number;
  /** Most blocks one eth_feeHistory covers (geth: 1024). */
  maxFeeHistoryBlocks: number;
}

/** Per request: what the method may use. `connectionId` is set on WebSocket connections only. */
export interface RpcContext {
  readonly backend: RpcBackend;
  readonly filters: FilterRegistry;
  readonly subscriptions: SubscriptionHub;
  readonly signer: DevSigner;
  readonly limits: RpcLimits;
  readonly connectionId?: number;
  /**
   * Set for a request that others wait behind (a batch entry, a WebSocket message): a method that
   * submits a transaction calls it once the pool took it, and the next request starts then instead
   * of after the commit, so requests keep their order into the pool while their blocks are shared.
   */
  readonly admitted?: () => void;
}

type ParamValues<V extends readonly Validator<unknown>[]> = { -readonly [K in keyof V]: V[K] extends Validator<infer T> ? T : never };

export interface RpcMethod {
  readonly params: readonly Validator<unknown>[];
  readonly handler: (context: RpcContext, params: unknown[]) => unknown;
}

export function defineMethod<const V extends readonly Validator<unknown>[]>(
  params: V,
  handler: (context: RpcContext, params: ParamValues<V>) => unknown,
): RpcMethod {
  return { params, handler: handler as RpcMethod["handler"] };
}

export type MethodTable = Record<string, RpcMethod>;
