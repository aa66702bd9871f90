/**
 * Commons with ethereumjs' parameter sets merged once, for the objects a node creates by the
 * thousand: transactions, block headers, VMs and EVMs.
 *
 * Each of those constructors copies the Common it is given and calls `updateParams(<its own default
 * parameter set>)` on the copy, which deep-copies the set through JSON and then rebuilds the copy's
 * whole parameter cache (every fork's and EIP's parameters merged again into a new object): ~0.1-0.5
 * ms per object, measured as the largest part of decoding a transaction and of creating a block's VM.
 *
 * A prepared Common has the sets merged already, and carries an own `updateParams` that skips empty
 * sets; constructors given `params: {}` then merge nothing. `Common.copy()` is an `Object.assign`
 * of own properties, so every copy keeps that method and shares the cache built here. Nothing
 * mutates a built cache (a rebuild always starts from a new object), so sharing it is safe, and a
 * non-empty update on a copy still applies, to that copy only.
 */
import type { Common } from "@ethereumjs/common";

type ParamSet = Parameters<Common["updateParams"]>[0];

/** What to pass as `params` to a constructor given a prepared Common: nothing more to merge. */
export const NO_MORE_PARAMS: ParamSet = Object.freeze({}) as ParamSet;

const preparedByBase = new WeakMap<Common, Map<string, Common>>();

/**
 * `common` with `paramSets` merged (memoized per base Common and `name`, which must always come with
 * the same sets).
 */
export function preparedCommon(common: Common, name: string, paramSets: readonly ParamSet[]): Common {
  let byName = preparedByBase.get(common);
  if (byName === undefined) {
    byName = new Map();
    preparedByBase.set(common, byName);
  }
  const cached = byName.get(name);
  if (cached !== undefined) return cached;
  const copy = common.copy();
  for (const set of paramSets) copy.updateParams(set);
  const updateParams = copy.updateParams;
  Object.defineProperty(copy, "updateParams", {
    enumerable: true, // copied by Common.copy()'s Object.assign
    writable: true,
    value: function updateNonEmptyParams(this: Common, params: ParamSet) {
      if (Object.keys(params).length > 0) updateParams.call(this, params);
    },
  });
  byName.set(name, copy);
  return copy;
}
