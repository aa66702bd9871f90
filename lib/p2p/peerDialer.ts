import { KEEP_ALIVE, type Libp2p, type PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type { Multiaddr } from "@multiformats/multiaddr";

const P2P_CODE = 421;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Dials a configured peer until it answers (devnet nodes start in any order), then tags it
 * keep-alive so libp2p's reconnect queue redials it after a disconnect. Runs in the background
 * until `signal` aborts; failures are retried, never thrown.
 */
export function keepDialing(libp2p: Libp2p, address: Multiaddr, signal: AbortSignal): void {
  void (async () => {
    let delay = FIRST_RETRY_MS;
    while (!signal.aborted) {
      try {
        const connection = await libp2p.dial(address, { signal });
        await tagKeepAlive(libp2p, peerIdOf(address) ?? connection.remotePeer, address);
        return;
      } catch {
        if (signal.aborted) return;
        await sleep(delay, signal);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  })();
}

async function tagKeepAlive(libp2p: Libp2p, peer: PeerId, address: Multiaddr): Promise<void> {
  await libp2p.peerStore.merge(peer, {
    multiaddrs: [address.decapsulateCode(P2P_CODE)],
    tags: { [`${KEEP_ALIVE}-concord`]: { value: 1 } },
  });
}

function peerIdOf(address: Multiaddr): PeerId | undefined {
  const component = address.getComponents().find((part) => part.code === P2P_CODE);
  return component?.value === undefined ? undefined : peerIdFromString(component.value);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
