/** One operation of a write batch, and the check every store makes before applying any of a batch. */
export type KeyValueOperation = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

/** Throws a TypeError for an operation no store can apply (callers check a whole batch first: all or none). */
export function checkOperation(op: KeyValueOperation): void {
  if (!(op.key instanceof Uint8Array)) throw new TypeError("a batch operation's key must be a Uint8Array");
  if (op.type === "put") {
    if (!(op.value instanceof Uint8Array)) throw new TypeError("a put's value must be a Uint8Array");
  } else if (op.type !== "del") {
    throw new TypeError(`unknown batch operation type ${String((op as { type: unknown }).type)}`);
  }
}
