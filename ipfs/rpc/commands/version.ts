import { CONCORD_IPFS_AGENT } from "../../defaults.ts";
import type { Command } from "../command.ts";

/** `version`: Kubo's fields, filled with what this node actually is. */
export const versionCommand: Command = {
  options: { number: { type: "bool", aliases: ["n"] }, commit: { type: "bool" }, repo: { type: "bool" }, all: { type: "bool" } },
  async run({ response }) {
    const [, version] = CONCORD_IPFS_AGENT.split("/");
    response.json({
      Version: version,
      Commit: "",
      Repo: "helia-7",
      System: `${process.arch}/${process.platform}`,
      Golang: `node-${process.version}`,
    });
  },
};
