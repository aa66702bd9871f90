import { collectGarbage } from "../../garbageCollector.ts";
import type { Command } from "../command.ts";

/** `repo/gc`: one `{"Key":{"/":cid}}` line per deleted block, as Kubo streams them. */
export const repoGcCommand: Command = {
  gcLock: "exclusive",
  options: { "stream-errors": { type: "bool" }, quiet: { type: "bool", aliases: ["q"] }, silent: { type: "bool" } },
  async run({ services, options, response, signal }) {
    const removed = collectGarbage(services.helia, services.localBlocks, services.mfs.root, signal);
    if (options.bool("silent", false)) {
      for await (const _ of removed) {
        // deleted; nothing to print
      }
      response.empty();
      return;
    }
    await response.ndjsonStream((async function* () {
      for await (const cid of removed) yield { Key: { "/": cid.toString() } };
    })());
  },
};
