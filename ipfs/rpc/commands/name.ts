import { parseContentPath } from "../../contentPath.ts";
import { IpfsError } from "../../errors.ts";
import { parseGoDuration } from "../kuboOptions.ts";
import type { Command } from "../command.ts";
import { resolveToCid } from "./pin.ts";

/** `name/publish`: points the node's own name (key "self") at a path; answers `{"Name","Value"}`. */
export const namePublishCommand: Command = {
  argument: { name: "ipfs-path", required: true, variadic: false },
  options: {
    resolve: { type: "bool" },
    lifetime: { type: "string", aliases: ["t"] },
    ttl: { type: "string" },
    key: { type: "string", aliases: ["k"] },
    "allow-offline": { type: "bool" },
    quieter: { type: "bool", aliases: ["Q"] },
  },
  async run({ services, args, options, response, signal }) {
    const key = options.string("key") ?? "self";
    if (key !== "self" && key !== services.libp2p.peerId.toString() && key !== services.names.selfName) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `no key named ${key}: this node publishes with its own key only ("self")`, { key });
    }
    const lifetimeMs = duration(options.string("lifetime") ?? "48h", "lifetime");
    const ttlMs = duration(options.string("ttl") ?? "1h", "ttl");
    const target = args[0]!;
    let value: string;
    if (target.startsWith("/ipns/")) {
      // A name pointing at a name: it must resolve, unless resolve=false.
      if (options.bool("resolve", true)) await services.names.resolve(target, { recursive: true, signal });
      value = target;
    } else {
      value = parseContentPath(target).text;
      // As Kubo: the path must resolve here before it is published (resolve=false skips the check).
      if (options.bool("resolve", true)) await resolveToCid(target, services.blocks, signal);
    }
    const published = await services.names.publish(value, { lifetimeMs, ttlMs });
    response.json({ Name: published.name, Value: published.value });
  },
};

/** `name/resolve`: the path a name points to (the node's own name when none is given); `{"Path"}`. */
export const nameResolveCommand: Command = {
  argument: { name: "name", required: false, variadic: false },
  options: {
    recursive: { type: "bool", aliases: ["r"] },
    nocache: { type: "bool", aliases: ["n"] },
    "dht-record-count": { type: "int" },
    "dht-timeout": { type: "string" },
    stream: { type: "bool", aliases: ["s"] },
  },
  async run({ services, args, options, response, signal }) {
    const path = await services.names.resolve(args[0] ?? services.names.selfName, { recursive: options.bool("recursive", true), signal });
    response.json({ Path: path });
  },
};

function duration(text: string, option: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms <= 0) throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid ${option} "${text}": want a duration such as 24h or 90m`, { [option]: text });
  return ms;
}
