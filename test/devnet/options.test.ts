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

  it("refuses a value given to --fsync and unknown options, naming them", () => {
    assert.throws(() => parseDevnetOptions(["--fsync=yes"]), (error: unknown) => error instanceof DevnetOptionsError && /fsync/.test(error.message));
    assert.throws(() => parseNodeOptions(["--sync"]), (error: unknown) => error instanceof DevnetOptionsError && /--sync/.test(error.message));
  });
});
