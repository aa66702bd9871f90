/**
 * The fence around Concord's ethereumjs patches: the @ethereumjs packages are pinned to exact
 * versions, the installed ones are those, and nothing a patch replaces, copies gas rules from or
 * leans on has changed since its fingerprint was recorded (chain/execution/patches/upstreamSources.ts).
 * When this fails after an upgrade: re-read each listed source against the patch named beside it,
 * run the differential and state tests, then `npm run patches:record`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  ETHEREUMJS_PACKAGES,
  RECORDED_FINGERPRINTS,
  installedVersions,
  upstreamFingerprints,
  type UpstreamFingerprints,
} from "../../../../chain/execution/patches/upstreamSources.ts";
import { activePatches, installPatches } from "../../../../chain/execution/patches/installPatches.ts";

const recorded = JSON.parse(readFileSync(RECORDED_FINGERPRINTS, "utf8")) as UpstreamFingerprints;
const manifest = JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };

test("package.json pins every @ethereumjs package to the exact version installed and recorded", () => {
  const installed = installedVersions();
  for (const name of ETHEREUMJS_PACKAGES) {
    const pkg = `@ethereumjs/${name}`;
    assert.match(manifest.dependencies[pkg] ?? "", /^\d+\.\d+\.\d+$/, `${pkg} must be pinned exactly in package.json`);
    assert.equal(installed[pkg], manifest.dependencies[pkg], `${pkg}: node_modules holds ${installed[pkg]}, package.json pins ${manifest.dependencies[pkg]}`);
  }
  assert.deepEqual(installed, recorded.versions, "installed @ethereumjs versions differ from those the patches were checked against");
  assert.deepEqual(
    Object.keys(manifest.dependencies).filter((name) => name.startsWith("@ethereumjs/")).sort(),
    ETHEREUMJS_PACKAGES.map((name) => `@ethereumjs/${name}`).sort(),
    "every @ethereumjs dependency is in the pinned list",
  );
});

test("no upstream source a patch depends on changed since it was recorded", async () => {
  const current = await upstreamFingerprints();
  assert.ok(Object.keys(current.sources).length >= 30);
  const changed = Object.entries(current.sources)
    .filter(([id, { sha256 }]) => recorded.sources[id]?.sha256 !== sha256)
    .map(([id, { usedBy }]) => `${id} (used by ${usedBy})`);
  const gone = Object.keys(recorded.sources).filter((id) => current.sources[id] === undefined);
  assert.deepEqual(changed, [], `changed upstream sources: re-read them against the patches named, then npm run patches:record`);
  assert.deepEqual(gone, [], "recorded sources no longer listed");
});

test("fingerprints read the library's own functions even with the patches installed", async () => {
  const before = await upstreamFingerprints();
  await installPatches();
  assert.deepEqual(await activePatches(), ["interpreterLoop", "jumpAnalysisCache", "opcodeTableCache", "rlpCodec", "transactionEncoding"]);
  assert.deepEqual(await upstreamFingerprints(), before);
});
