import type { IncomingMessage } from "node:http";
import type { IpfsServices } from "../ipfsServices.ts";
import type { ArgumentSpec, OptionSpecs, ParsedOptions } from "./kuboOptions.ts";
import type { RpcResponse } from "./rpcResponse.ts";

export interface CommandContext {
  services: IpfsServices;
  args: string[];
  options: ParsedOptions;
  request: IncomingMessage;
  response: RpcResponse;
  /** Aborted when the client goes away or the request's `timeout` passes. */
  signal: AbortSignal;
}

/** One `/api/v0/<path>` command: what it accepts and how it answers. */
export interface Command {
  options: OptionSpecs;
  argument?: ArgumentSpec;
  /** `add` reads its files from a multipart body instead of `arg`. */
  fileArgument?: ArgumentSpec;
  /**
   * The GC lock the command runs under (gcLock.ts): "shared" for commands that write blocks and then
   * reference them, "exclusive" for repo/gc; none for the rest.
   */
  gcLock?: "shared" | "exclusive";
  run(context: CommandContext): Promise<void>;
}
