/** eth_getLogs, polling filters and WebSocket subscriptions. */
import type { LogFilter, LogRecord, RpcBackend } from "../backend.ts";
import { blockNumberOf } from "../blockResolution.ts";
import { InvalidParamsError, RpcError, RpcErrorCode } from "../errors.ts";
import { formatLog } from "../format/log.ts";
import type { LogCriteriaInput } from "../logMatch.ts";
import { defineMethod, type MethodTable, type RpcLimits } from "../method.ts";
import { anyValue, bool, filterCriteria, optional, ParamError, shortString, type FilterCriteria } from "../validation.ts";
import type { Hex } from "../../types.ts";

/** The concrete block range and criteria of a log query, or undefined when it can match nothing yet. */
async function resolveLogQuery(backend: RpcBackend, criteria: FilterCriteria, limits: RpcLimits): Promise<LogFilter | undefined> {
  const base = { addresses: criteria.addresses, topics: criteria.topics };
  if (criteria.blockHash !== undefined) {
    const block = await backend.getBlockByHash(criteria.blockHash);
    if (block === undefined) throw new RpcError(RpcErrorCode.ResourceNotFound, `unknown block ${criteria.blockHash}`);
    return { ...base, fromBlock: block.header.number, toBlock: block.header.number, blockHash: criteria.blockHash };
  }
  const latest = backend.latestBlockNumber();
  const fromBlock = blockNumberOf(backend, criteria.fromBlock ?? "latest");
  let toBlock = blockNumberOf(backend, criteria.toBlock ?? "latest");
  if (fromBlock > latest) return undefined;
  if (toBlock > latest) toBlock = latest;
  if (fromBlock > toBlock) throw new InvalidParamsError(0, `invalid block range: fromBlock ${fromBlock} is after toBlock ${toBlock}`);
  if (limits.maxLogBlockRange > 0 && toBlock - fromBlock + 1n > BigInt(limits.maxLogBlockRange)) {
    throw new RpcError(RpcErrorCode.LimitExceeded, `block range too wide: ${toBlock - fromBlock + 1n} blocks, at most ${limits.maxLogBlockRange}`);
  }
  return { ...base, fromBlock, toBlock };
}

async function queryLogs(backend: RpcBackend, criteria: FilterCriteria, limits: RpcLimits) {
  const filter = await resolveLogQuery(backend, criteria, limits);
  if (filter === undefined) return [];
  const logs = await backend.getLogs(filter);
  if (logs.length > limits.maxLogResults) {
    throw new RpcError(RpcErrorCode.LimitExceeded, `query returned more than ${limits.maxLogResults} results; narrow the block range or the criteria`);
  }
  return logs.map(formatLog);
}

/** A filter follows the head from "latest"; numeric bounds are kept, "earliest" is block 0. */
function boundOf(tag: FilterCriteria["fromBlock"]): bigint | undefined {
  if (typeof tag === "bigint") return tag;
  return tag === "earliest" ? 0n : undefined;
}

function toLogCriteria(criteria: FilterCriteria): LogCriteriaInput {
  const result: LogCriteriaInput = { addresses: criteria.addresses, topics: criteria.topics };
  const fromBlock = boundOf(criteria.fromBlock);
  const toBlock = boundOf(criteria.toBlock);
  if (fromBlock !== undefined) result.fromBlock = fromBlock;
  if (toBlock !== undefined) result.toBlock = toBlock;
  if (criteria.blockHash !== undefined) result.blockHash = criteria.blockHash;
  return result;
}

function fromLogCriteria(criteria: LogCriteriaInput): FilterCriteria {
  const result: FilterCriteria = { addresses: criteria.addresses, topics: criteria.topics };
  if (criteria.blockHash !== undefined) result.blockHash = criteria.blockHash;
  else {
    if (criteria.fromBlock !== undefined) result.fromBlock = criteria.fromBlock;
    if (criteria.toBlock !== undefined) result.toBlock = criteria.toBlock;
  }
  return result;
}

const filterId = shortString(130);

export const logMethods: MethodTable = {
  eth_getLogs: defineMethod([filterCriteria], ({ backend, limits }, [criteria]) => queryLogs(backend, criteria, limits)),

  eth_newFilter: defineMethod([filterCriteria], async ({ backend, filters }, [criteria]) => {
    if (criteria.blockHash !== undefined && (await backend.getBlockByHash(criteria.blockHash)) === undefined) {
      throw new RpcError(RpcErrorCode.ResourceNotFound, `unknown block ${criteria.blockHash}`);
    }
    return filters.install("logs", toLogCriteria(criteria));
  }),
  eth_newBlockFilter: defineMethod([], ({ filters }) => filters.install("blocks")),
  eth_newPendingTransactionFilter: defineMethod([optional(bool)], ({ filters }) => filters.install("pendingTransactions")),
  eth_getFilterChanges: defineMethod([filterId], ({ filters }, [id]) => {
    const changes = filters.changes(id);
    return changes.map((entry) => (typeof entry === "string" ? entry : formatLog(entry as LogRecord)));
  }),
  eth_getFilterLogs: defineMethod([filterId], ({ backend, filters, limits }, [id]) =>
    queryLogs(backend, fromLogCriteria(filters.criteria(id)), limits),
  ),
  eth_uninstallFilter: defineMethod([filterId], ({ filters }, [id]) => filters.uninstall(id)),

  eth_subscribe: defineMethod([shortString(64), optional(anyValue)], ({ subscriptions, connectionId }, [kind, options]) => {
    switch (kind) {
      case "newHeads":
        return subscriptions.subscribe(connectionId, "newHeads");
      case "logs": {
        let criteria: FilterCriteria;
        try {
          criteria = filterCriteria(options ?? {});
        } catch (error) {
          if (error instanceof ParamError) throw new InvalidParamsError(1, error.reason);
          throw error;
        }
        return subscriptions.subscribe(connectionId, "logs", { criteria: { addresses: criteria.addresses, topics: criteria.topics } });
      }
      case "newPendingTransactions": {
        if (options !== undefined && typeof options !== "boolean") {
          throw new InvalidParamsError(1, "newPendingTransactions takes an optional boolean (full transactions)");
        }
        return subscriptions.subscribe(connectionId, "newPendingTransactions", { fullTransactions: options === true });
      }
      default:
        throw new InvalidParamsError(0, `unsupported subscription type "${kind}" (newHeads, logs, newPendingTransactions)`);
    }
  }),
  eth_unsubscribe: defineMethod([shortString(130)], ({ subscriptions, connectionId }, [id]) =>
    subscriptions.unsubscribe(connectionId, id as Hex),
  ),
};
