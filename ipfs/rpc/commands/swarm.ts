import { multiaddr } from "@multiformats/multiaddr";
import { IpfsError } from "../../errors.ts";
import type { Command } from "../command.ts";

/** `swarm/peers`: the connected peers, `{"Peers":[{"Addr","Peer"}]}`. */
export const swarmPeersCommand: Command = {
  options: { verbose: { type: "bool", aliases: ["v"] }, streams: { type: "bool" }, latency: { type: "bool" }, direction: { type: "bool" } },
  async run({ services, response }) {
    const peers = services.libp2p.getConnections().map((connection) => ({
      Addr: connection.remoteAddr.decapsulateCode(421).toString(),
      Peer: connection.remotePeer.toString(),
    }));
    response.json({ Peers: peers.length === 0 ? null : peers });
  },
};

/** `swarm/connect`: dial the given multiaddrs now. */
export const swarmConnectCommand: Command = {
  argument: { name: "address", required: true, variadic: true },
  options: {},
  async run({ services, args, response, signal }) {
    const strings: string[] = [];
    for (const text of args) {
      let address;
      try {
        address = multiaddr(text);
      } catch (error) {
        throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid multiaddr "${text}": ${(error as Error).message}`, { address: text });
      }
      const connection = await services.libp2p.dial(address, { signal });
      strings.push(`connect ${connection.remotePeer} success`);
    }
    response.json({ Strings: strings });
  },
};
