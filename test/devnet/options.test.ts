import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DevnetOptionsError, parseDevnetOptions, parseNodeOptions } from "../../devnet/options.ts";

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
