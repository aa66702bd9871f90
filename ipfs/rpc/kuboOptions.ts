import { RequestError } from "./requestError.ts";

/** Option types as go-ipfs-cmds names them in its error messages. */
export type OptionType = "bool" | "int" | "int64" | "uint" | "string";

export interface OptionSpec {
  type: OptionType;
  /** Kubo's short names (`-w` for `wrap-with-directory`). */
  aliases?: string[];
}

export type OptionSpecs = Record<string, OptionSpec>;
export type OptionValue = boolean | number | bigint | string;

export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
}

export class ParsedOptions {
  readonly #values: Map<string, OptionValue>;

  constructor(values: Map<string, OptionValue>) {
    this.#values = values;
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  bool(name: string, fallback: boolean): boolean;
  bool(name: string): boolean | undefined;
  bool(name: string, fallback?: boolean): boolean | undefined {
    const value = this.#values.get(name);
    return typeof value === "boolean" ? value : fallback;
  }

  int(name: string): number | undefined {
    const value = this.#values.get(name);
    return typeof value === "number" ? value : undefined;
  }

  int64(name: string): bigint | undefined {
    const value = this.#values.get(name);
    return typeof value === "bigint" ? value : undefined;
  }

  string(name: string): string | undefined {
    const value = this.#values.get(name);
    return typeof value === "string" ? value : undefined;
  }
}

/**
 * Reads `?arg=...&opt=...` like go-ipfs-cmds: unknown options are ignored, known ones must convert
 * to their type, required arguments must be present. Failures are 400 plain-text RequestErrors
 * with Kubo's wording.
 */
export function parseRequestParams(
  params: URLSearchParams,
  specs: OptionSpecs,
  argument: ArgumentSpec | undefined,
): { options: ParsedOptions; args: string[] } {
  const byName = new Map<string, [string, OptionSpec]>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, [name, spec]);
    for (const alias of spec.aliases ?? []) byName.set(alias, [name, spec]);
  }
  const values = new Map<string, OptionValue>();
  const seen = new Map<string, string>();
  for (const key of new Set(params.keys())) {
    if (key === "arg") continue;
    const known = byName.get(key);
    if (known === undefined) continue;
    const [name, spec] = known;
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new RequestError("RPC_BAD_REQUEST", `duplicate command options were provided ("${previous}" and "${key}")`);
    }
    seen.set(name, key);
    const all = params.getAll(key);
    if (all.length > 1) {
      throw new RequestError("RPC_BAD_REQUEST", `expected key ${name} to have only a single value, received [${all.join(" ")}]`);
    }
    values.set(name, convert(all[0], spec.type, key));
  }
  const args = params.getAll("arg");
  if (argument?.required === true && args.length === 0) {
    throw new RequestError("RPC_BAD_REQUEST", `argument "${argument.name}" is required`);
  }
  if (argument !== undefined && !argument.variadic && args.length > 1) {
    throw new RequestError("RPC_BAD_REQUEST", `expected 1 argument, got ${args.length}`);
  }
  return { options: new ParsedOptions(values), args };
}

function convert(text: string, type: OptionType, key: string): OptionValue {
  const fail = (): RequestError =>
    new RequestError(
      "RPC_BAD_REQUEST",
      `could not convert ${text === "" ? "empty value" : `value "${text}"`} to type "${type}" (for option "-${key}")`,
    );
  switch (type) {
    case "string":
      return text;
    case "bool": {
      // strconv.ParseBool; a bare flag (`?pin`) means true.
      if (text === "" || ["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
      if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
      throw fail();
    }
    case "int":
    case "int64":
    case "uint": {
      if (!/^[+-]?\d+$/.test(text)) throw fail();
      const value = BigInt(text);
      const [min, max] =
        type === "uint" ? [0n, 2n ** 64n - 1n] : type === "int64" ? [-(2n ** 63n), 2n ** 63n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      if (value < min || value > max) throw fail();
      if (type === "int64") return value;
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw fail();
      return Number(value);
    }
  }
}

/** Go `time.ParseDuration` for the global `timeout` option (`30s`, `1m30s`, `500ms`). */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]];
  return total;
}
