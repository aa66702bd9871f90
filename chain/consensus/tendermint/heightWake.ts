/**
 * "Start this height now": what a validator sends the others when a client asks it for a block with
 * nothing to put in it (evm_mine on a multi-validator devnet). An idle network waits for a
 * transaction, or the empty-block interval, before it starts a height; a validator that starts one
 * alone would wait for a proposer that is still idle until its propose timeout ran out. The wake
 * starts the height everywhere, so the round's proposer builds at once.
 *
 * Wire: the height as 8 bytes, big-endian. It carries no signature: the worst a peer can do with it
 * is start a height that was going to start anyway within the empty-block interval, at most once
 * per height, since a height only starts once.
 */
export const WAKE_TOPIC = "concord/wake/1";

export function encodeWake(height: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, height);
  return bytes;
}

/** The height a wake names; undefined for anything that is not a wake. */
export function decodeWake(bytes: Uint8Array): bigint | undefined {
  if (bytes.length !== 8) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}
