import { readFileSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { IpfsClient, type PinType, resolveIpfsApiUrl } from "./client.ts";
import { isIpfsError } from "./errors.ts";
import { apiFilePath, startIpfsNode } from "./ipfsNode.ts";

/** The devnet's default data directory (devnet/options.ts' DEFAULT_DATA_DIR; not imported, to keep ipfs/ free of devnet/). */
const DEFAULT_DEVNET_DATA_DIR = ".concord";

export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks a long-running command (`daemon`) to stop. */
  untilInterrupted?: () => Promise<void>;
  /** The global options' choice of API (set by runIpfsCli). */
  api?: ApiChoice;
}

const USAGE = `usage: concord ipfs <command> [options]

commands:
  add <file|dir> [--cid-version=1] [--profile=unixfs-v1-2025] [--wrap] [--no-pin] [--hidden] [--quiet]
                                 add a file or directory tree; prints "added <cid> <name>" per entry
  cat <cid|/ipfs/path> [--offset=N] [--length=N]
                                 write the content to stdout
  pin ls [--type=all|recursive|direct|indirect]
                                 list pins
  pin add <cid>  |  pin rm <cid> pin or unpin a CID (recursively)
  id                             identity and addresses of the node
  daemon [--data-dir=DIR] [--api-port=5001] [--gateway-port=8080] [--peer=MULTIADDR ...]
                                 run an IPFS node in the foreground (Ctrl-C stops it)

global options (before the command; --api also after it, as Kubo's ipfs takes it):
  --api <url|multiaddr>          the Kubo RPC API to use, e.g. http://127.0.0.1:5002 or /ip4/127.0.0.1/tcp/5002
  --ipfs-api-port <port>         the API on 127.0.0.1:<port> (the devnet option of the same name)
  --data-dir <dir>               the devnet's data directory whose running IPFS node to use (default .concord)

The API used is the first of: --api, --ipfs-api-port, the IPFS node of the devnet in --data-dir,
${"$"}CONCORD_IPFS_API (or ${"$"}IPFS_API_URL), the IPFS node of the devnet in ${"$"}CONCORD_DATA_DIR (or .concord),
http://127.0.0.1:5001.
--cid-version=1 selects the modern profile (CIDv1, raw leaves, 1 MiB chunks, 1024 links; IPIP-0499
unixfs-v1-2025); the default is Kubo's 'ipfs add' (CIDv0), giving the CIDs of the public network.
`;

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  untilInterrupted: () =>
    new Promise((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }),
});

class UsageError extends Error {}

/**
 * `concord ipfs ...`: argv is what follows `ipfs`. Returns the exit code: 0 success, 1 failure,
 * 2 bad usage. Errors print one line that says what to do, never a stack trace.
 */
export async function runIpfsCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let command: string | undefined;
  let rest: string[];
  let api: ApiChoice;
  try {
    ({ api, argv } = takeGlobalOptions(argv));
    [command, ...rest] = argv;
  } catch (error) {
    io.stderr.write(`concord ipfs: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  io = { ...io, api };
  try {
    switch (command) {
      case "add":
        return await add(rest, io);
      case "cat":
        return await cat(rest, io);
      case "pin":
        return await pin(rest, io);
      case "id":
        return await id(rest, io);
      case "daemon":
        return await daemon(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
      io.stderr.write(`concord ipfs: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (isIpfsError(error)) {
      io.stderr.write(`concord ipfs: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`concord ipfs: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

function clientFor(io: CliIo): IpfsClient {
  return new IpfsClient({ apiUrl: chooseApiUrl(io.api ?? {}, io.env) });
}

/** What the global options said about the API to use. */
export interface ApiChoice {
  api?: string;
  apiPort?: string;
  dataDir?: string;
}

const GLOBAL_OPTIONS: Record<string, keyof ApiChoice> = { "--api": "api", "--ipfs-api-port": "apiPort", "--data-dir": "dataDir" };

/**
 * Takes the global options off argv: any of them before the command, and --api anywhere (Kubo's
 * `ipfs add --api ...` works too). `daemon --data-dir` stays the daemon's own option.
 */
export function takeGlobalOptions(argv: string[]): { api: ApiChoice; argv: string[] } {
  const api: ApiChoice = {};
  const remaining: string[] = [];
  let beforeCommand = true;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const [name, inline] = arg.startsWith("--") ? splitOption(arg) : [arg, undefined];
    const key = GLOBAL_OPTIONS[name];
    if (key !== undefined && (beforeCommand || key === "api")) {
      const value = inline ?? argv[++index];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      api[key] = value;
      continue;
    }
    if (!arg.startsWith("-")) beforeCommand = false;
    remaining.push(arg);
  }
  return { api, argv: remaining };
}

function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return equals === -1 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}

/**
 * The API URL from the global options, the environment, or the devnet's running IPFS node. Options
 * come first, an explicit --data-dir included: it names the devnet meant, whatever the environment says.
 */
export function chooseApiUrl(choice: ApiChoice, env: Readonly<Record<string, string | undefined>>): string {
  if (choice.api !== undefined) return apiUrlOf(choice.api);
  if (choice.apiPort !== undefined) {
    const port = Number(choice.apiPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ipfs-api-port must be a port number (1-65535), got "${choice.apiPort}"`);
    return `http://127.0.0.1:${port}`;
  }
  if (choice.dataDir !== undefined) {
    const running = runningApiOf(choice.dataDir);
    if (running === undefined) {
      throw new UsageError(`no running IPFS node in ${choice.dataDir} (start the devnet with \`npm start -- --data-dir ${choice.dataDir}\`, or give --api)`);
    }
    return running;
  }
  if ((env.CONCORD_IPFS_API ?? env.IPFS_API_URL ?? "").trim() !== "") return resolveIpfsApiUrl(env);
  return runningApiOf(env.CONCORD_DATA_DIR ?? DEFAULT_DEVNET_DATA_DIR) ?? resolveIpfsApiUrl(env);
}

/** The API a devnet's IPFS node names in its data directory while it runs (Kubo's `api` file). */
function runningApiOf(devnetDataDir: string): string | undefined {
  try {
    const running = readFileSync(apiFilePath(join(devnetDataDir, "ipfs")), "utf8").trim();
    return running === "" ? undefined : running;
  } catch {
    return undefined;
  }
}

/** A URL as given, or a Kubo-style multiaddr (/ip4/127.0.0.1/tcp/5001, /dns/host/tcp/port) as a URL. */
export function apiUrlOf(value: string): string {
  if (/^https?:\/\//.test(value)) return value.replace(/\/+$/, "");
  const match = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(\/(http|https))?\/?$/.exec(value);
  if (match === null) throw new UsageError(`--api must be a URL (http://127.0.0.1:5001) or a multiaddr (/ip4/127.0.0.1/tcp/5001), got "${value}"`);
  const host = match[1] === "ip6" ? `[${match[2]}]` : match[2];
  return `${match[5] ?? "http"}://${host}:${match[3]}`;
}

async function add(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "cid-version": { type: "string" },
      profile: { type: "string" },
      wrap: { type: "boolean", short: "w" },
      "no-pin": { type: "boolean" },
      hidden: { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("add takes exactly one file or directory");
  const profile = profileFrom(values["cid-version"], values.profile);
  const added = await clientFor(io).addPath(positionals[0], {
    profile,
    pin: values["no-pin"] !== true,
    wrapWithDirectory: values.wrap === true,
    hidden: values.hidden === true,
  });
  for (const entry of added) io.stdout.write(values.quiet === true ? `${entry.cid}\n` : `added ${entry.cid} ${entry.path}\n`);
  return 0;
}

function profileFrom(cidVersion: string | undefined, profile: string | undefined): "unixfs-v0-2015" | "unixfs-v1-2025" {
  if (profile !== undefined) {
    if (profile !== "unixfs-v0-2015" && profile !== "unixfs-v1-2025") {
      throw new UsageError(`unknown profile "${profile}": use unixfs-v0-2015 or unixfs-v1-2025`);
    }
    if (cidVersion !== undefined && (cidVersion === "1") !== (profile === "unixfs-v1-2025")) {
      throw new UsageError(`--cid-version=${cidVersion} contradicts --profile=${profile}`);
    }
    return profile;
  }
  if (cidVersion === undefined || cidVersion === "0") return "unixfs-v0-2015";
  if (cidVersion === "1") return "unixfs-v1-2025";
  throw new UsageError(`--cid-version must be 0 or 1, got "${cidVersion}"`);
}

async function cat(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { offset: { type: "string" }, length: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("cat takes exactly one CID or /ipfs/ path");
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
    return Number(text);
  };
  for await (const chunk of clientFor(io).catStream(positionals[0], { offset: number("offset", values.offset), length: number("length", values.length) })) {
    io.stdout.write(chunk);
  }
  return 0;
}

async function pin(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const client = clientFor(io);
  if (sub === "ls") {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { type: { type: "string", short: "t" } } });
    const type = values.type ?? "all";
    if (!["all", "recursive", "direct", "indirect"].includes(type)) {
      throw new UsageError(`--type must be one of all, recursive, direct, indirect; got "${type}"`);
    }
    const pins = await client.listPins({ type: type as PinType | "all", paths: positionals.length > 0 ? positionals : undefined });
    for (const entry of pins) io.stdout.write(`${entry.cid} ${entry.type}\n`);
    return 0;
  }
  if (sub === "add" || sub === "rm") {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length === 0) throw new UsageError(`pin ${sub} needs at least one CID`);
    for (const cid of positionals) {
      const done = sub === "add" ? await client.pin(cid) : await client.unpin(cid);
      io.stdout.write(sub === "add" ? `pinned ${done} recursively\n` : `unpinned ${done}\n`);
    }
    return 0;
  }
  throw new UsageError(sub === undefined ? "pin needs a subcommand: ls, add or rm" : `unknown pin subcommand "${sub}"`);
}

async function id(args: string[], io: CliIo): Promise<number> {
  parseArgs({ args, allowPositionals: false, options: {} });
  const info = await clientFor(io).id();
  io.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  return 0;
}

async function daemon(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    options: {
      "data-dir": { type: "string" },
      "api-port": { type: "string" },
      "gateway-port": { type: "string" },
      "swarm-port": { type: "string" },
      peer: { type: "string", multiple: true },
    },
  });
  const port = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a port number, got "${text}"`);
    return Number(text);
  };
  const node = await startIpfsNode({
    dataDir: values["data-dir"] === undefined ? undefined : resolve(values["data-dir"]),
    apiPort: port("api-port", values["api-port"]),
    gatewayPort: port("gateway-port", values["gateway-port"]),
    swarmPort: port("swarm-port", values["swarm-port"]),
    peers: values.peer ?? [],
  });
  io.stdout.write(`IPFS RPC API: ${node.apiUrl}\nIPFS gateway: ${node.gatewayUrl}\n`);
  for (const address of node.multiaddrs) io.stdout.write(`swarm: ${address}\n`);
  io.stdout.write("Ctrl-C to stop\n");
  await (io.untilInterrupted ?? defaultIo().untilInterrupted!)();
  await node.stop();
  io.stdout.write("IPFS node stopped\n");
  return 0;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  process.exitCode = await runIpfsCli(process.argv.slice(2));
}
