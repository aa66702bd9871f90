import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DevnetOptionsError, parseDevnetOptions, parseNodeOptions, parseValidatorRunOptions } from "../../devnet/options.ts";
import { rpcPolicyArgs, rpcPolicyNodeOptions } from "../../devnet/rpcPolicy.ts";

describe("devnet and node options", () => {
  it("does not fsync every block unless --fsync is given", () => {
    assert.equal(parseDevnetOptions([]).fsync, false);
    assert.equal(parseDevnetOptions(["--fsync"]).fsync, true);
    assert.equal(parseNodeOptions([]).fsync, false);
    assert.equal(parseNodeOptions(["--fsync", "--port", "0"]).fsync, true);
  });

  it("runs four validators by default; --validators 1 is the single validator with dev methods; others are refused", () => {
    assert.equal(parseDevnetOptions([]).validators, 4);
    assert.equal(parseDevnetOptions(["--validators", "1"]).validators, 1);
    assert.equal(parseDevnetOptions(["--validators", "7"]).validators, 7);
    for (const bad of ["0", "21", "two", "1.5"]) {
      assert.throws(() => parseDevnetOptions(["--validators", bad]), (error: unknown) => error instanceof DevnetOptionsError && /--validators must be an integer from 1 to 20/.test(error.message));
    }
  });

  it("refuses a value given to --fsync and unknown options, naming them", () => {
    assert.throws(() => parseDevnetOptions(["--fsync=yes"]), (error: unknown) => error instanceof DevnetOptionsError && /fsync/.test(error.message));
    assert.throws(() => parseNodeOptions(["--sync"]), (error: unknown) => error instanceof DevnetOptionsError && /--sync/.test(error.message));
  });
});

describe("devnet options for the web app", () => {
  it("serves the app on port 3000 by default; --app-port and --no-app change that", () => {
    assert.equal(parseDevnetOptions([]).app, true);
    assert.equal(parseDevnetOptions([]).appPort, 3000);
    assert.equal(parseDevnetOptions(["--app-port", "0"]).appPort, 0);
    assert.equal(parseDevnetOptions(["--no-app"]).app, false);
    assert.throws(() => parseDevnetOptions(["--app-port", "70000"]), (error: unknown) => error instanceof DevnetOptionsError && /--app-port/.test(error.message));
  });

  it("deploys with ignition/parameters.devnet.json unless --ignition-parameters names another file", () => {
    assert.equal(parseDevnetOptions([]).ignitionParameters, undefined);
    assert.match(parseDevnetOptions(["--ignition-parameters", "test/e2e/x.json"]).ignitionParameters!, /test\/e2e\/x\.json$/);
  });
});

describe("JSON-RPC client policy flags", () => {
  it("defaults to local pages only, geth's 50M gas cap and 5 s call limit", () => {
    const options = parseDevnetOptions([]);
    assert.deepEqual(
      { corsDomains: options.corsDomains, vhosts: options.vhosts, gasCap: options.gasCap, evmTimeoutMs: options.evmTimeoutMs },
      { corsDomains: [], vhosts: [], gasCap: 50_000_000n, evmTimeoutMs: 5_000 },
    );
  });

  it("takes comma-separated origins and hosts, a gas cap and a time limit, for devnet, node and node --config alike", () => {
    const args = ["--http-corsdomain", "https://app.example, http://10.0.0.5:3000", "--http-vhosts", "devbox.lan", "--rpc-gascap", "100000000", "--rpc-evmtimeout", "20000"];
    for (const parsed of [parseDevnetOptions(args), parseNodeOptions(args), parseValidatorRunOptions(["--config", "v.json", ...args])]) {
      assert.deepEqual(parsed.corsDomains, ["https://app.example", "http://10.0.0.5:3000"]);
      assert.deepEqual(parsed.vhosts, ["devbox.lan"]);
      assert.equal(parsed.gasCap, 100_000_000n);
      assert.equal(parsed.evmTimeoutMs, 20_000);
    }
    // What the devnet hands each validator process parses back to the same policy.
    const policy = parseDevnetOptions(args);
    assert.deepEqual(parseValidatorRunOptions(["--config", "v.json", ...rpcPolicyArgs(policy)]), {
      configFile: "v.json",
      fsync: false,
      corsDomains: policy.corsDomains,
      vhosts: policy.vhosts,
      gasCap: policy.gasCap,
      evmTimeoutMs: policy.evmTimeoutMs,
      serverLimits: {},
    });
  });

  it("passes --fsync on to a validator process (a devnet's validators then fsync every block as a real network's do)", () => {
    assert.equal(parseValidatorRunOptions(["--config", "v.json", "--fsync"]).fsync, true);
    assert.equal(parseValidatorRunOptions(["--config", "v.json"]).fsync, false);
  });

  it("takes the server's size and count limits as flags and hands them to the server, the filters and the log queries", () => {
    const policy = parseDevnetOptions(["--rpc-max-body-bytes", "1048576", "--rpc-max-batch", "50", "--rpc-max-filters", "10", "--rpc-max-filter-entries", "2000", "--rpc-max-logs", "500", "--rpc-max-log-range", "0"]);
    assert.deepEqual(policy.serverLimits, { maxBodyBytes: 1_048_576, maxBatchSize: 50, maxFilters: 10, maxLogCriteriaEntries: 2_000, maxLogResults: 500, maxLogBlockRange: 0 });
    const { rpc, calls } = rpcPolicyNodeOptions(policy);
    assert.deepEqual(rpc, {
      maxBodyBytes: 1_048_576,
      maxBatchSize: 50,
      maxLogCriteriaEntries: 2_000,
      access: { corsDomains: [], vhosts: [] },
      filters: { maxFilters: 10 },
      limits: { maxLogResults: 500, maxLogBlockRange: 0 },
    });
    assert.deepEqual(calls, { gasCap: 50_000_000n, timeoutMs: 5_000 });
    // The validator processes get the same limits.
    assert.deepEqual(parseValidatorRunOptions(["--config", "v.json", ...rpcPolicyArgs(policy)]).serverLimits, policy.serverLimits);
    assert.throws(() => parseDevnetOptions(["--rpc-max-batch", "0"]), (error: unknown) => error instanceof DevnetOptionsError && /--rpc-max-batch must be a positive integer/.test(error.message));
  });

  it("refuses origins with a path, gas caps below 21000 or above 2^64-1, and a time limit that is not a positive integer", () => {
    const refuses = (args: string[], pattern: RegExp) =>
      assert.throws(() => parseDevnetOptions(args), (error: unknown) => error instanceof DevnetOptionsError && pattern.test(error.message));
    refuses(["--http-corsdomain", "https://app.example/page"], /--http-corsdomain takes origins as browsers send them/);
    refuses(["--rpc-gascap", "20999"], /--rpc-gascap must be an amount of gas from 21000 to 2\^64-1, got '20999'/);
    refuses(["--rpc-gascap", (2n ** 64n).toString()], /--rpc-gascap/);
    refuses(["--rpc-evmtimeout", "0"], /--rpc-evmtimeout must be a positive integer/);
    assert.throws(() => parseValidatorRunOptions(["--config"]), (error: unknown) => error instanceof DevnetOptionsError);
  });
});
