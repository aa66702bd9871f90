import { exporter } from "ipfs-unixfs-exporter";
import { parseContentPath } from "../../contentPath.ts";
import { resolveContent } from "../../resolveContent.ts";
import type { Command } from "../command.ts";

/** UnixFS data types as Kubo's `ls` reports them (unixfs.proto: Directory 1, File 2). */
const TYPE_DIRECTORY = 1;
const TYPE_FILE = 2;

/** `ls`: the links of each UnixFS directory, `{"Objects":[{"Hash","Links":[{Name,Hash,Size,Type,Target}]}]}`. */
export const lsCommand: Command = {
  argument: { name: "ipfs-path", required: true, variadic: true },
  options: {
    headers: { type: "bool", aliases: ["v"] },
    "resolve-type": { type: "bool" },
    size: { type: "bool" },
    stream: { type: "bool", aliases: ["s"] },
  },
  async run({ services, args, response, signal }) {
    const objects = [];
    for (const arg of args) {
      const { entry } = await resolveContent(parseContentPath(arg), services.blocks, signal);
      const links = [];
      if (entry.type === "directory") {
        for await (const link of entry.entries({ signal })) {
          // A link names its child only: the type is in the child's own node.
          const child = await exporter(link.cid, services.blocks, { signal });
          const directory = child.type === "directory";
          links.push({ Name: link.name, Hash: link.cid.toString(), Size: directory ? 0 : Number(child.size), Type: directory ? TYPE_DIRECTORY : TYPE_FILE, Target: "" });
        }
      }
      objects.push({ Hash: arg, Links: links });
    }
    response.json({ Objects: objects });
  },
};
