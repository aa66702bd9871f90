// lib/cid.ts: CID text forms to the binary the ContentRegistry takes, and back.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hexlify } from "ethers";
import { base32 } from "multiformats/bases/base32";
import { base36 } from "multiformats/bases/base36";
import { base58btc } from "multiformats/bases/base58";
import { base64 } from "multiformats/bases/base64";
import { CidError, cidBytesToString, cidFromBytes, cidToBytes, cidToHex, parseCid } from "../../../lib/cid.ts";
import type { CidErrorCode } from "../../../lib/cid.ts";
import { HELLO_WORLD_CIDV0, realCids } from "./cids.ts";

function assertCidError(action: () => unknown, code: CidErrorCode): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof CidError, `expected a CidError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe("lib/cid", async () => {
  const cids = await realCids();
  const V1_RAW = cids.find((c) => c.label.startsWith("CIDv1 raw sha2-256"))!.cid;

  it("turns the CIDv0 of \"hello world\\n\" into its 34 bytes: 0x12 0x20 + sha2-256 digest", () => {
    const bytes = cidToBytes(HELLO_WORLD_CIDV0);
    assert.equal(bytes.length, 34);
    assert.equal(hexlify(bytes.slice(0, 2)), "0x1220");
    assert.equal(cidToHex(HELLO_WORLD_CIDV0), hexlify(bytes));
  });

  it("round-trips every real CID through bytes and hex back to its usual string", () => {
    for (const { label, cid } of cids) {
      assert.equal(cidBytesToString(cidToBytes(cid.toString())), cid.toString(), label);
      assert.equal(cidBytesToString(cidToHex(cid.toString())), cid.toString(), label);
      assert.ok(cidFromBytes(cid.bytes).equals(cid), label);
    }
  });

  it("parses a CIDv1 written in any multibase to the same bytes", () => {
    const expected = hexlify(V1_RAW.bytes);
    for (const base of [base32, base36, base58btc, base64]) {
      assert.equal(cidToHex(V1_RAW.toString(base)), expected, base.name);
    }
  });

  it("accepts the ipfs:// and /ipfs/ forms and surrounding whitespace", () => {
    const expected = cidToHex(HELLO_WORLD_CIDV0);
    assert.equal(cidToHex(`ipfs://${HELLO_WORLD_CIDV0}`), expected);
    assert.equal(cidToHex(`/ipfs/${HELLO_WORLD_CIDV0}`), expected);
    assert.equal(cidToHex(` ${HELLO_WORLD_CIDV0}\n`), expected);
  });

  for (const text of [
    "",
    "hello",
    HELLO_WORLD_CIDV0.slice(0, -1),
    HELLO_WORLD_CIDV0 + "a",
    "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei", // truncated base32
    `/ipfs/${HELLO_WORLD_CIDV0}/readme.md`,
    "xafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", // unknown multibase prefix
  ]) {
    it(`refuses "${text}" with INVALID_CID`, () => {
      assertCidError(() => parseCid(text), "INVALID_CID");
    });
  }

  it("refuses bytes that are not hex, truncated or followed by more bytes with INVALID_CID_BYTES", () => {
    const v0 = cidToHex(HELLO_WORLD_CIDV0);
    assertCidError(() => cidFromBytes("1220"), "INVALID_CID_BYTES");
    assertCidError(() => cidFromBytes(v0.slice(0, -2)), "INVALID_CID_BYTES");
    assertCidError(() => cidFromBytes(v0 + "00"), "INVALID_CID_BYTES");
    assertCidError(() => cidFromBytes(new Uint8Array()), "INVALID_CID_BYTES");
  });
});
