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
/** Each prepared Common's own `updateParams` (shared by all its copies), to the Common it was prepared from. */
const baseOfPrepared = new WeakMap<object, Common>();

/**
 * `common` with `paramSets` merged (memoized per base Common and `name`, which must always come with
 * the same sets).
 *
 * A prepared Common, or any copy of one (a block's or transaction's `common`), is resolved to the
 * Common it was prepared from, so preparing "the head block's common" again at every height finds the
 * same prepared Common instead of building a new one on top of the last: that used to rebuild the
 * parameter cache per block and nest one more `updateParams` wrapper each time, a call depth that
 * grew with every block decoded from a previous decoded block's Common (a node catching up through
 * thousands of blocks would eventually overflow the stack). A Common on another hardfork or EIP set
 * than its base is prepared on its own.
 */
export function preparedCommon(common: Common, name: string, paramSets: readonly ParamSet[]): Common {
  const resolved = baseOfPrepared.get(common.updateParams);
  const base = resolved !== undefined && resolved.hardfork() === common.hardfork() && sameEips(resolved, common) ? resolved : undefined;
  const key = base ?? common;
  let byName = preparedByBase.get(key);
  if (byName === undefined) {
    byName = new Map();
    preparedByBase.set(key, byName);
  }
  const cached = byName.get(name);
  if (cached !== undefined) return cached;
  const copy = key.copy();
  // The library's own method, never a prepared Common's wrapper: wrappers must not nest.
  const updateParams = (resolved ?? key).updateParams;
  for (const set of paramSets) updateParams.call(copy, set);
  const updateNonEmptyParams = function (this: Common, params: ParamSet) {
    if (Object.keys(params).length > 0) updateParams.call(this, params);
  };
  Object.defineProperty(copy, "updateParams", {
    enumerable: true, // copied by Common.copy()'s Object.assign
    writable: true,
    value: updateNonEmptyParams,
  });
  baseOfPrepared.set(updateNonEmptyParams, key);
  byName.set(name, copy);
  return copy;
}

function sameEips(a: Common, b: Common): boolean {
  const left = a.eips();
  const right = b.eips();
  return left.length === right.length && left.every((eip, i) => eip === right[i]);
}
