/**
 * Records the fingerprints of the ethereumjs sources Concord's patches depend on
 * (chain/execution/patches/upstreamSources.ts) into upstreamSources.json.
 *
 * Run it (`npm run patches:record`) only after re-reading every changed source against the patch
 * named beside it and running the differential tests: the test that compares against this file is
 * what makes an ethereumjs upgrade a conscious act.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RECORDED_FINGERPRINTS, upstreamFingerprints } from "../chain/execution/patches/upstreamSources.ts";

const fingerprints = await upstreamFingerprints();
writeFileSync(RECORDED_FINGERPRINTS, `${JSON.stringify(fingerprints, null, 2)}\n`);
console.log(`recorded ${Object.keys(fingerprints.sources).length} upstream sources and ${Object.keys(fingerprints.versions).length} package versions in ${fileURLToPath(RECORDED_FINGERPRINTS)}`);
