import { trustlessGateway } from "@helia/block-brokers";
import type { Provider, Router } from "@helia/interface";
import { createVerifiedFetchWithHelia, type VerifiedFetch } from "@helia/verified-fetch";
import { multiaddr } from "@multiformats/multiaddr";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";

/** Multicodec `transport-ipfs-gateway-http`: a provider id that names an HTTP gateway. */
const GATEWAY_PROVIDER_CODEC = 0x0920;

/**
 * @helia/verified-fetch whose only source is one trustless gateway: a light Helia (no libp2p, no
 * public routers or gateways) with the trustless-gateway block broker, and a router that names the
 * gateway as provider of every CID. Every block it returns was hash-checked against its CID.
 */
export async function verifiedFetchFrom(gatewayUrl: string): Promise<{ fetch: VerifiedFetch; stop(): Promise<void> }> {
  const url = new URL(gatewayUrl);
  const provider: Provider = {
    id: CID.createV1(GATEWAY_PROVIDER_CODEC, identity.digest(new TextEncoder().encode(gatewayUrl))),
    multiaddrs: [multiaddr(`/ip4/${url.hostname}/tcp/${url.port}/http`)],
    protocols: ["transport-ipfs-gateway-http"],
    router: "concord-test-gateway",
    fallback: false,
  };
  const router: Router = {
    name: "concord-test-gateway",
    async *findProviders() {
      yield provider;
    },
  };
  const helia = createHeliaLight({
    blockBrokers: [trustlessGateway({ allowInsecure: true, allowLocal: true })],
    routers: [router],
  });
  await helia.start();
  const fetch = await createVerifiedFetchWithHelia(helia);
  return {
    fetch,
    async stop() {
      await fetch.stop();
      await helia.stop();
    },
  };
}
