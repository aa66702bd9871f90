/**
 * A ConsensusNetwork for engine tests that run several validators in one process: each endpoint's
 * broadcast reaches every other connected endpoint on a later turn of the event loop, in order.
 * Endpoints can be cut off and reconnected. The real transport is chain/p2p/ over libp2p; this one
 * stands in for the wire only, every validator around it is a real node.
 */
import type { ConsensusNetwork } from "../../../../chain/consensus/engine.ts";

type Listener = (topic: string, payload: Uint8Array, from: string) => void;

export class MemoryNetwork {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly cut = new Set<string>();
  readonly invalidReports: { reporter: string; from: string; reason: string }[] = [];
  delivered = 0;

  endpoint(id: string): ConsensusNetwork & { inject(payload: Uint8Array, from: string, topic?: string): void } {
    this.listeners.set(id, this.listeners.get(id) ?? new Set());
    return {
      broadcast: async (topic, payload) => {
        if (this.cut.has(id)) return;
        for (const [peer, listeners] of this.listeners) {
          if (peer === id || this.cut.has(peer)) continue;
          const copy = payload.slice();
          setImmediate(() => {
            if (this.cut.has(peer) || this.cut.has(id)) return;
            this.delivered++;
            for (const listener of listeners) listener(topic, copy, id);
          });
        }
      },
      sendTo: (peer, topic, payload) => {
        const listeners = this.listeners.get(peer);
        if (listeners === undefined || this.cut.has(id) || this.cut.has(peer)) return;
        const copy = payload.slice();
        setImmediate(() => {
          if (this.cut.has(peer) || this.cut.has(id)) return;
          this.delivered++;
          for (const listener of listeners) listener(topic, copy, id);
        });
      },
      onMessage: (listener) => {
        this.listeners.get(id)!.add(listener);
        return () => this.listeners.get(id)!.delete(listener);
      },
      peers: () => [...this.listeners.keys()].filter((peer) => peer !== id && !this.cut.has(peer)).map((peer) => ({ id: peer, address: `memory/${peer}` })),
      reportInvalid: (from, reason) => {
        this.invalidReports.push({ reporter: id, from, reason });
      },
      inject: (payload, from, topic = "concord/consensus/1") => {
        for (const listener of this.listeners.get(id)!) listener(topic, payload, from);
      },
    };
  }

  disconnect(id: string): void {
    this.cut.add(id);
  }

  reconnect(id: string): void {
    this.cut.delete(id);
  }
}
