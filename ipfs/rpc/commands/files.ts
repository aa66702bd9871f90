/**
 * `files/*`: Kubo's Mutable File System API (ipfs/mfs.ts does the work), with Kubo's answers:
 * mkdir, write, read, ls, stat, rm, cp, mv, flush.
 */
import type { MfsEntry } from "../../mfs.ts";
import { readSingleUpload } from "../../multipartImport.ts";
import { IpfsError } from "../../errors.ts";
import type { Command } from "../command.ts";
import { resolveToCid } from "./pin.ts";

const path = { name: "path", required: true, variadic: false } as const;

export const filesMkdirCommand: Command = {
  gcLock: "shared",
  argument: path,
  options: { parents: { type: "bool", aliases: ["p"] }, "cid-version": { type: "int" }, hash: { type: "string" } },
  async run({ services, args, options, response, signal }) {
    await services.mfs.mkdir(args[0]!, { parents: options.bool("parents", false), signal });
    response.empty();
  },
};

export const filesWriteCommand: Command = {
  gcLock: "shared",
  argument: path,
  fileArgument: { name: "data", required: true, variadic: false },
  options: {
    offset: { type: "int64", aliases: ["o"] },
    create: { type: "bool", aliases: ["e"] },
    parents: { type: "bool", aliases: ["p"] },
    truncate: { type: "bool", aliases: ["t"] },
    count: { type: "int64", aliases: ["n"] },
    "raw-leaves": { type: "bool" },
    "cid-version": { type: "int" },
    hash: { type: "string" },
  },
  async run(context) {
    const { services, args, options, response, signal } = context;
    const offset = options.int64("offset") ?? 0n;
    if (offset < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot have negative write offset");
    let content = await readSingleUpload(context.request, services.maxUploadBytes, "data");
    const count = options.int64("count");
    if (count !== undefined) {
      if (count < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot have negative byte count");
      content = content.subarray(0, Number(count));
    }
    await services.mfs.write(args[0]!, content, {
      create: options.bool("create", false),
      truncate: options.bool("truncate", false),
      parents: options.bool("parents", false),
      offset: Number(offset),
      signal,
    });
    response.empty();
  },
};

export const filesReadCommand: Command = {
  argument: path,
  options: { offset: { type: "int64", aliases: ["o"] }, count: { type: "int64", aliases: ["n"] } },
  async run({ services, args, options, response, signal }) {
    const offset = options.int64("offset");
    const count = options.int64("count");
    if ((offset ?? 0n) < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot specify negative offset");
    if ((count ?? 0n) < 0n) throw new IpfsError("IPFS_INVALID_ARGUMENT", "cannot specify negative 'count'");
    const content = await services.mfs.read(args[0]!, { offset: offset === undefined ? undefined : Number(offset), count: count === undefined ? undefined : Number(count), signal });
    await response.bytes(content);
  },
};

export const filesLsCommand: Command = {
  argument: { name: "path", required: false, variadic: false },
  options: { long: { type: "bool", aliases: ["l"] }, U: { type: "bool" } },
  async run({ services, args, options, response, signal }) {
    const long = options.bool("long", false);
    const entries: MfsEntry[] = [];
    for await (const entry of services.mfs.ls(args[0] ?? "/", signal)) entries.push(entry);
    response.json({
      Entries: entries.map((entry) =>
        long ? { Name: entry.name, Type: entry.type === "directory" ? 1 : 0, Size: Number(entry.size), Hash: entry.cid.toString() } : { Name: entry.name, Type: 0, Size: 0, Hash: "" },
      ),
    });
  },
};

export const filesStatCommand: Command = {
  argument: path,
  options: { format: { type: "string" }, hash: { type: "bool" }, size: { type: "bool" }, "with-local": { type: "bool" } },
  async run({ services, args, response, signal }) {
    const stat = await services.mfs.stat(args[0]!, signal);
    response.json({ Hash: stat.cid.toString(), Size: Number(stat.size), CumulativeSize: Number(stat.cumulativeSize), Blocks: stat.blocks, Type: stat.type });
  },
};

export const filesRmCommand: Command = {
  gcLock: "shared",
  argument: { name: "path", required: true, variadic: true },
  options: { recursive: { type: "bool", aliases: ["r"] }, force: { type: "bool" } },
  async run({ services, args, options, response, signal }) {
    for (const target of args) await services.mfs.rm(target, { recursive: options.bool("recursive", false), force: options.bool("force", false), signal });
    response.empty();
  },
};

export const filesCpCommand: Command = {
  gcLock: "shared",
  argument: { name: "source", required: true, variadic: true },
  options: { parents: { type: "bool", aliases: ["p"] } },
  async run({ services, args, options, response, signal }) {
    const [source, destination] = twoPaths(args, "cp");
    await services.mfs.cp(source, destination, {
      parents: options.bool("parents", false),
      signal,
      resolveIpfsPath: (ipfsPath) => resolveToCid(ipfsPath, services.blocks, signal),
    });
    response.empty();
  },
};

export const filesMvCommand: Command = {
  gcLock: "shared",
  argument: { name: "source", required: true, variadic: true },
  options: {},
  async run({ services, args, response, signal }) {
    const [source, destination] = twoPaths(args, "mv");
    await services.mfs.mv(source, destination, signal);
    response.empty();
  },
};

export const filesFlushCommand: Command = {
  argument: { name: "path", required: false, variadic: false },
  options: {},
  async run({ services, args, response, signal }) {
    response.json({ Cid: (await services.mfs.flush(args[0] ?? "/", signal)).toString() });
  },
};

function twoPaths(args: string[], command: string): [string, string] {
  if (args.length !== 2) throw new IpfsError("IPFS_INVALID_ARGUMENT", `${command} needs a source and a destination path, got ${args.length} argument(s)`);
  return [args[0]!, args[1]!];
}

