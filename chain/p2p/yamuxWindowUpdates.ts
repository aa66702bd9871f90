/**
 * Yamux window updates as hashicorp/yamux (the protocol's reference) sends them: once half of a
 * stream's receive window has been consumed, not after every data frame.
 *
 * @chainsafe/libp2p-yamux 8 answers every data frame it receives with a window-update frame (its
 * `sendWindowUpdate` returns early only when nothing at all was consumed). On the validators' streams,
 * where most frames are a vote or a transaction of a few hundred bytes, that is one extra frame per
 * frame received: noise-encrypted, written with its own syscall, read, decrypted and dispatched by
 * the peer. Profiled on 4 validator processes under load, the updates alone took ~4% of a validator's
 * busy time, and their writes about as much again on the other side.
 *
 * Holding the update until half the window is consumed is what hashicorp/yamux's `sendWindowUpdate`
 * does (`delta < max/2 && flags == 0`): the sender always has at least half of the window left, so
 * flow control is unchanged in effect. Updates that carry a flag (SYN, ACK: opening a stream) still
 * go at once, through the library's own method; so does the window growth it decides on.
 * `installYamuxWindowUpdates` replaces the method on the library's stream class, once per process,
 * and reports whether the class still has the shape this was written against (checked by
 * test/chain/p2p/yamuxWindowUpdates.test.ts).
 */
import { StreamState, YamuxStream } from "@chainsafe/libp2p-yamux/stream";

interface StreamInternals {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

type SendWindowUpdate = (() => void) & { original?: () => void };

export function installYamuxWindowUpdates(): boolean {
  const prototype = YamuxStream.prototype as unknown as { sendWindowUpdate?: SendWindowUpdate };
  const original = prototype.sendWindowUpdate;
  if (typeof original !== "function") return false;
  if (original.original !== undefined) return true;
  const halfWindowUpdates: SendWindowUpdate = function (this: StreamInternals) {
    // Only an established stream sends flagless updates; every other state goes to the library.
    if (this.state === StreamState.Established && typeof this.recvWindow === "number" && typeof this.recvWindowCapacity === "number") {
      const consumed = this.recvWindow - this.recvWindowCapacity;
      if (consumed < this.recvWindow / 2) return;
    }
    halfWindowUpdates.original!.call(this); // looked up per call: a test can observe the library's method
  };
  halfWindowUpdates.original = original;
  prototype.sendWindowUpdate = halfWindowUpdates;
  return true;
}
