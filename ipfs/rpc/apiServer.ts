import type { IncomingMessage, ServerResponse } from "node:http";
import { discardRestOfBody } from "../../lib/http/refuseUpload.ts";
import { IpfsError } from "../errors.ts";
import type { IpfsServices } from "../ipfsServices.ts";
import type { Command } from "./command.ts";
import { addCommand } from "./commands/add.ts";
import { blockGetCommand, blockStatCommand } from "./commands/block.ts";
import { catCommand } from "./commands/cat.ts";
import { getCommand } from "./commands/get.ts";
import { idCommand } from "./commands/id.ts";
import { dagGetCommand, dagPutCommand } from "./commands/dag.ts";
import { lsCommand } from "./commands/ls.ts";
import { repoGcCommand } from "./commands/repo.ts";
import { routingFindProvsCommand } from "./commands/routing.ts";
import { namePublishCommand, nameResolveCommand } from "./commands/name.ts";
import {
  filesCpCommand,
  filesFlushCommand,
  filesLsCommand,
  filesMkdirCommand,
  filesMvCommand,
  filesReadCommand,
  filesRmCommand,
  filesStatCommand,
  filesWriteCommand,
} from "./commands/files.ts";
import { pinAddCommand, pinLsCommand, pinRmCommand, pinUpdateCommand } from "./commands/pin.ts";
import { swarmConnectCommand, swarmPeersCommand } from "./commands/swarm.ts";
import { versionCommand } from "./commands/version.ts";
import { parseGoDuration, parseRequestParams } from "./kuboOptions.ts";
import { RequestError } from "./requestError.ts";
import { RpcResponse } from "./rpcResponse.ts";

const API_PREFIX = "/api/v0/";

/** The Kubo RPC subset this node serves, by command path. */
export const RPC_COMMANDS: Readonly<Record<string, Command>> = {
  add: addCommand,
  cat: catCommand,
  get: getCommand,
  "pin/add": pinAddCommand,
  "pin/rm": pinRmCommand,
  "pin/ls": pinLsCommand,
  "pin/update": pinUpdateCommand,
  ls: lsCommand,
  "dag/put": dagPutCommand,
  "dag/get": dagGetCommand,
  "repo/gc": repoGcCommand,
  "routing/findprovs": routingFindProvsCommand,
  "name/publish": namePublishCommand,
  "name/resolve": nameResolveCommand,
  "block/get": blockGetCommand,
  "block/stat": blockStatCommand,
  id: idCommand,
  "files/mkdir": filesMkdirCommand,
  "files/write": filesWriteCommand,
  "files/read": filesReadCommand,
  "files/ls": filesLsCommand,
  "files/stat": filesStatCommand,
  "files/rm": filesRmCommand,
  "files/cp": filesCpCommand,
  "files/mv": filesMvCommand,
  "files/flush": filesFlushCommand,
  version: versionCommand,
  "swarm/peers": swarmPeersCommand,
  "swarm/connect": swarmConnectCommand,
};

export interface ApiHandlerOptions {
  /** Browser origins allowed to call the API (Kubo's API.HTTPHeaders); none by default. */
  allowedOrigins?: string[];
}

/**
 * Request handler for `/api/v0/*` following go-ipfs-cmds: method check first (POST only, 405
 * otherwise), then origin check (403), then command lookup (404), then argument parsing (400),
 * then the command, whose failures are Kubo's JSON error object.
 */
export function createApiHandler(services: IpfsServices, options: ApiHandlerOptions = {}) {
  const allowedOrigins = new Set(options.allowedOrigins ?? []);

  return async function handleApiRequest(request: IncomingMessage, res: ServerResponse): Promise<void> {
    const response = new RpcResponse(res);
    const url = new URL(request.url ?? "/", "http://api.invalid");
    if (!url.pathname.startsWith(API_PREFIX)) {
      finishWithError(request, res, response, new RequestError("RPC_COMMAND_NOT_FOUND", "404 page not found"));
      return;
    }
    if (request.method === "OPTIONS") {
      res.writeHead(204, { Allow: "OPTIONS, POST", ...corsHeaders(request, allowedOrigins) });
      res.end();
      return;
    }
    if (request.method !== "POST") {
      finishWithError(request, res, response, new RequestError("RPC_METHOD_NOT_ALLOWED", "405 - Method Not Allowed"));
      return;
    }
    // As Kubo: a page is known by its Origin, or failing that by its Referer.
    const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
    if (origin !== undefined && !allowedOrigins.has(origin) && !allowedOrigins.has("*")) {
      finishWithError(request, res, response, new RequestError("RPC_FORBIDDEN", "403 - Forbidden"));
      return;
    }
    for (const [name, value] of Object.entries(corsHeaders(request, allowedOrigins))) res.setHeader(name, value);

    const name = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, "");
    // Own keys only: "constructor" or "__proto__" are not commands.
    const command = Object.hasOwn(RPC_COMMANDS, name) ? RPC_COMMANDS[name] : undefined;
    if (command === undefined) {
      finishWithError(request, res, response, new RequestError("RPC_COMMAND_NOT_FOUND", "404 page not found"));
      return;
    }

    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort(new Error("client closed the connection"));
    });
    let deadline: AbortSignal | undefined;
    try {
      const { options: parsed, args } = parseRequestParams(url.searchParams, command.options, command.argument);
      const timeout = url.searchParams.get("timeout");
      if (timeout !== null) {
        const ms = parseGoDuration(timeout);
        if (ms === undefined) throw new RequestError("RPC_BAD_REQUEST", `time: invalid duration "${timeout}"`);
        deadline = AbortSignal.timeout(ms);
      }
      const signal = deadline === undefined ? controller.signal : AbortSignal.any([controller.signal, deadline]);
      const run = () => command.run({ services, args, options: parsed, request, response, signal });
      if (command.gcLock === "shared") await services.gcLock.shared(run);
      else if (command.gcLock === "exclusive") await services.gcLock.exclusive(run);
      else await run();
    } catch (error) {
      // Kubo reports an expired `timeout` as Go's context error; clients key on that text.
      const reported = deadline?.aborted === true ? new IpfsError("IPFS_TIMEOUT", "context deadline exceeded") : error;
      finishWithError(request, res, response, reported);
    } finally {
      if (!request.readableEnded) request.resume();
    }
  };
}

/**
 * Answer an error while the client may still be uploading: reply, then keep discarding what it
 * sends for a moment so it reads the reply instead of failing on a reset connection.
 */
function finishWithError(request: IncomingMessage, res: ServerResponse, response: RpcResponse, error: unknown): void {
  response.error(error);
  discardRestOfBody(request);
}

function corsHeaders(request: IncomingMessage, allowedOrigins: ReadonlySet<string>): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined || !(allowedOrigins.has(origin) || allowedOrigins.has("*"))) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Content-Type, X-Stream-Output, X-Chunked-Output, X-Content-Length",
    Vary: "Origin",
  };
}

/** The origin of a Referer header ("null" for one that does not parse, which no allow-list holds). */
function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}
