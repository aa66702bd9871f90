import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { GENERATED_FILE, renderContractsModule } from "../../appLib/generateContracts.ts";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { APP_CONTRACTS } from "../../appLib/contracts.ts";

describe("the app's generated contracts module", () => {
  it("matches the compiled artifacts (run `npm run app:contracts` after changing a contract)", async () => {
    assert.equal(await readFile(GENERATED_FILE, "utf8"), await renderContractsModule());
  });

  it("has the ABI of every contract the app names, with the functions governance uses", () => {
    for (const name of Object.values(APP_CONTRACTS)) assert.ok(contractAbis[name].length > 0, name);
    const governorFunctions = new Set<string>(contractAbis.ConcordGovernor.filter((item) => item.type === "function").map((item) => item.name));
    for (const name of ["propose", "castVoteWithReason", "castVoteWithReasonAndParamsBySig", "queue", "execute", "cancel", "proposalDetailsAt"]) {
      assert.ok(governorFunctions.has(name), name);
    }
  });
});
