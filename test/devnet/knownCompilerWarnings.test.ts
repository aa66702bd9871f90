import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isKnownWarning } from "../../hardhatPlugins/knownCompilerWarningsHooks.ts";

const TRANSIENT = "Transient storage as defined by EIP-1153 can break the composability of smart contracts: ...";
const warning = (message: string, file: string, severity: "warning" | "error" = "warning") => ({
  type: "Warning",
  component: "general",
  message,
  severity,
  sourceLocation: { file },
});

describe("the compiler warnings kept off the console", () => {
  it("is only solc's transient-storage warning inside OpenZeppelin's TransientSlot", () => {
    assert.equal(isKnownWarning(warning(TRANSIENT, "npm/@openzeppelin/contracts@5.4.0/utils/TransientSlot.sol")), true);
    assert.equal(isKnownWarning(warning(TRANSIENT, "@openzeppelin/contracts/utils/TransientSlot.sol")), true);
  });

  it("keeps the same warning in any other file, other warnings in that file, and errors", () => {
    assert.equal(isKnownWarning(warning(TRANSIENT, "project/contracts/governance/ConcordGovernor.sol")), false);
    assert.equal(isKnownWarning(warning(TRANSIENT, "npm/evil-package@1.0.0/utils/TransientSlot.sol.bak")), false);
    assert.equal(isKnownWarning(warning("Unused local variable.", "npm/@openzeppelin/contracts@5.4.0/utils/TransientSlot.sol")), false);
    assert.equal(isKnownWarning(warning(TRANSIENT, "npm/@openzeppelin/contracts@5.4.0/utils/TransientSlot.sol", "error")), false);
    assert.equal(isKnownWarning({ type: "Warning", component: "general", message: TRANSIENT, severity: "warning" }), false);
  });
});
