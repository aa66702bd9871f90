import type { CID } from "multiformats/cid";
import type { BlockFetcher } from "../../blockFetcher.ts";
import { parseContentPath } from "../../contentPath.ts";
import { IpfsError } from "../../errors.ts";
import type { PinListType, PinRecord } from "../../pinStore.ts";
import { resolveContent } from "../../resolveContent.ts";
import type { Command } from "../command.ts";

/** `pin/add`: recursive by default; answers `{"Pins":[...]}` with the resolved CIDs. */
export const pinAddCommand: Command = {
  gcLock: "shared",
  argument: { name: "ipfs-path", required: true, variadic: true },
  options: {
    recursive: { type: "bool", aliases: ["r"] },
    name: { type: "string", aliases: ["n"] },
    progress: { type: "bool" },
  },
  async run({ services, args, options, response, signal }) {
    const recursive = options.bool("recursive", true);
    const pinned: string[] = [];
    for (const arg of args) {
      const cid = await resolveToCid(arg, services.blocks, signal);
      await services.pins.add(cid, { recursive, name: options.string("name"), signal });
      pinned.push(cid.toString());
    }
    response.json({ Pins: pinned });
  },
};

/** `pin/rm`: fails like boxo's pinner when the CID holds no pin of its own. */
export const pinRmCommand: Command = {
  argument: { name: "ipfs-path", required: true, variadic: true },
  options: { recursive: { type: "bool", aliases: ["r"] } },
  async run({ services, args, options, response, signal }) {
    const recursive = options.bool("recursive", true);
    const unpinned: string[] = [];
    for (const arg of args) {
      const cid = await resolveToCid(arg, services.blocks, signal);
      await services.pins.rm(cid, { recursive, signal });
      unpinned.push(cid.toString());
    }
    response.json({ Pins: unpinned });
  },
};

/**
 * `pin/update`: moves a recursive pin from one root to another (an edited version of the same
 * content), unpinning the old one unless `unpin=false`. As Kubo, the old root must be pinned
 * recursively; answers `{"Pins":[from, to]}`.
 */
export const pinUpdateCommand: Command = {
  gcLock: "shared",
  argument: { name: "from-path", required: true, variadic: true },
  options: { unpin: { type: "bool" } },
  async run({ services, args, options, response, signal }) {
    if (args.length !== 2) throw new IpfsError("IPFS_INVALID_ARGUMENT", `pin update needs two paths (from and to), got ${args.length}`);
    const from = await resolveToCid(args[0]!, services.blocks, signal);
    const to = await resolveToCid(args[1]!, services.blocks, signal);
    if ((await services.pins.status(from, { signal }))?.type !== "recursive") {
      throw new IpfsError("IPFS_NOT_PINNED", "'from' cid was not recursively pinned already", { cid: from.toString() });
    }
    await services.pins.add(to, { recursive: true, signal });
    if (options.bool("unpin", true) && from.toString() !== to.toString()) await services.pins.rm(from, { recursive: true, signal });
    response.json({ Pins: [from.toString(), to.toString()] });
  },
};

const PIN_TYPES: ReadonlySet<string> = new Set<PinListType>(["all", "direct", "indirect", "recursive"]);

/** `pin/ls`: all pins (or the given paths' pin status), as `{"Keys":{...}}` or streamed lines. */
export const pinLsCommand: Command = {
  argument: { name: "ipfs-path", required: false, variadic: true },
  options: {
    type: { type: "string", aliases: ["t"] },
    quiet: { type: "bool", aliases: ["q"] },
    stream: { type: "bool", aliases: ["s"] },
    names: { type: "bool" },
    name: { type: "string", aliases: ["n"] },
  },
  async run({ services, args, options, response, signal }) {
    const type = options.string("type") ?? "all";
    if (!PIN_TYPES.has(type)) {
      throw new IpfsError("IPFS_INVALID_ARGUMENT", `invalid type '${type}', must be one of {direct, indirect, recursive, all}`, { type });
    }
    const nameFilter = options.string("name");
    const withNames = options.bool("names", false) || nameFilter !== undefined;
    const records: PinRecord[] = [];
    if (args.length > 0) {
      for (const arg of args) {
        const path = parseContentPath(arg);
        const cid = await resolveToCid(arg, services.blocks, signal);
        const status = await services.pins.status(cid, { signal });
        if (status === undefined || (type !== "all" && type !== status.type)) {
          throw new IpfsError("IPFS_NOT_PINNED", `path '${path.text}' is not pinned`, { path: path.text });
        }
        const label = status.type === "indirect" && status.via !== undefined ? `indirect through ${status.via}` : status.type;
        records.push({ cid, type: label as PinRecord["type"], name: "" });
      }
    } else {
      for await (const record of services.pins.ls({ type: type as PinListType, signal })) {
        if (nameFilter !== undefined && !record.name.includes(nameFilter)) continue;
        records.push(record);
      }
    }
    if (options.bool("stream", false)) {
      response.ndjson(records.map((record) => ({ Cid: record.cid.toString(), ...(withNames && record.name !== "" ? { Name: record.name } : {}), Type: record.type })));
      return;
    }
    const keys: Record<string, { Type: string; Name: string }> = {};
    for (const record of records) keys[record.cid.toString()] = { Type: record.type, Name: withNames ? record.name : "" };
    response.json({ Keys: keys });
  },
};

/** A bare CID names itself; a path is followed to the CID at its end. */
export async function resolveToCid(arg: string, blocks: BlockFetcher, signal: AbortSignal): Promise<CID> {
  const path = parseContentPath(arg);
  if (path.segments.length === 0) return path.root;
  return (await resolveContent(path, blocks, signal)).cid;
}
