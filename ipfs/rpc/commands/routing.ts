import { findProviders } from "../../providerQuery.ts";
import { IpfsError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { resolveToCid } from "./pin.ts";

/** Kubo's routing query event type for a provider answer. */
const QUERY_EVENT_PROVIDER = 4;

/** `routing/findprovs`: the peers that hold a block, as Kubo's stream of query events (type 4). */
export const routingFindProvsCommand: Command = {
  argument: { name: "key", required: true, variadic: false },
  options: { "num-providers": { type: "int", aliases: ["n"] }, verbose: { type: "bool", aliases: ["v"] } },
  async run({ services, args, options, response, signal }) {
    const limit = options.int("num-providers") ?? 20;
    if (limit < 1) throw new IpfsError("IPFS_INVALID_ARGUMENT", "number of providers must be greater than 0");
    const cid = await resolveToCid(args[0]!, services.blocks, signal);
    await response.ndjsonStream(
      (async function* () {
        for await (const provider of findProviders(services.libp2p, services.localBlocks, cid, { limit, signal })) {
          yield { Extra: "", ID: "", Responses: [{ ID: provider.id.toString(), Addrs: provider.addrs.map((addr) => addr.toString()) }], Type: QUERY_EVENT_PROVIDER };
        }
      })(),
    );
  },
};
