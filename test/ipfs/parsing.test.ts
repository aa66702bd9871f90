import assert from "node:assert/strict";
import { describe, it } from "node:test";
import all from "it-all";
import { parseContentPath } from "../../ipfs/contentPath.ts";
import { parseRange } from "../../ipfs/gateway/byteRange.ts";
import { parseEntityBytes } from "../../ipfs/gateway/carExport.ts";
import { contentTypeFor, sniffContentType } from "../../ipfs/gateway/contentType.ts";
import { parseGoDuration, parseRequestParams } from "../../ipfs/rpc/kuboOptions.ts";
import { writeTar } from "../../ipfs/tarWriter.ts";
import { readTar } from "./helpers/tarReader.ts";

const HELLO_CID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

describe("parseContentPath (boxo PathOrCidPath)", () => {
  it("reads /ipfs/ paths and bare CIDs with sub-paths alike", () => {
    const path = parseContentPath(`/ipfs/${HELLO_CID}/a/b/`);
    assert.deepEqual([path.root.toString(), path.segments, path.text], [HELLO_CID, ["a", "b"], `/ipfs/${HELLO_CID}/a/b`]);
    assert.deepEqual(parseContentPath(`${HELLO_CID}/a`).segments, ["a"]);
  });

  it("reports Kubo's messages for malformed paths", () => {
    assert.throws(() => parseContentPath("notacid"), { code: "IPFS_INVALID_PATH", message: 'invalid path "notacid": path does not have enough components' });
    assert.throws(() => parseContentPath("/ipfs/"), { message: 'invalid path "/ipfs/": path does not have enough components' });
    assert.throws(() => parseContentPath("/foo/bar"), { message: 'invalid path "/foo/bar": unknown namespace "foo"' });
    assert.throws(() => parseContentPath("/ipns/example.com"), { message: 'invalid path "/ipns/example.com": IPNS names are not supported by this node' });
    assert.throws(() => parseContentPath("/ipfs/xyz"), (error: Error) => /^invalid path "\/ipfs\/xyz": invalid cid: /.test(error.message));
  });
});

describe("parseRange (RFC 9110 single ranges)", () => {
  it("reads closed, open and suffix ranges", () => {
    assert.deepEqual(parseRange("bytes=0-4", 12n), { kind: "partial", range: { start: 0n, end: 4n } });
    assert.deepEqual(parseRange("bytes=6-", 12n), { kind: "partial", range: { start: 6n, end: 11n } });
    assert.deepEqual(parseRange("bytes=-5", 12n), { kind: "partial", range: { start: 7n, end: 11n } });
    assert.deepEqual(parseRange("bytes=5-100", 12n), { kind: "partial", range: { start: 5n, end: 11n } });
    assert.deepEqual(parseRange("bytes=-100", 12n), { kind: "partial", range: { start: 0n, end: 11n } });
  });

  it("is unsatisfiable past the end or for an empty entity", () => {
    assert.deepEqual(parseRange("bytes=12-", 12n), { kind: "unsatisfiable" });
    assert.deepEqual(parseRange("bytes=-0", 12n), { kind: "unsatisfiable" });
    assert.deepEqual(parseRange("bytes=0-", 0n), { kind: "unsatisfiable" });
  });

  it("ignores headers it does not serve (multiple ranges, other units, garbage)", () => {
    for (const header of [undefined, "bytes=0-1,3-4", "items=0-1", "bytes=5-2", "nonsense"]) {
      assert.deepEqual(parseRange(header, 12n), { kind: "whole" }, String(header));
    }
  });
});

describe("parseEntityBytes (trustless gateway)", () => {
  it("reads from:to with negatives and *", () => {
    assert.deepEqual(parseEntityBytes("0:*"), { from: 0n, to: "*" });
    assert.deepEqual(parseEntityBytes("-1024:*"), { from: -1024n, to: "*" });
    assert.deepEqual(parseEntityBytes("499:-1000"), { from: 499n, to: -1000n });
  });

  it("refuses malformed or inverted ranges", () => {
    assert.throws(() => parseEntityBytes("1-2"), { code: "IPFS_INVALID_ARGUMENT", message: 'invalid entity-bytes "1-2": expected from:to with integers or *' });
    assert.throws(() => parseEntityBytes("10:5"), { message: 'invalid entity-bytes "10:5": range ends before it starts' });
  });
});

describe("parseRequestParams (go-ipfs-cmds option parsing)", () => {
  const specs = { offset: { type: "int64" as const, aliases: ["o"] }, pin: { type: "bool" as const }, chunker: { type: "string" as const } };
  const argument = { name: "ipfs-path", required: true, variadic: true };

  it("converts typed options, reads aliases and ignores unknown keys", () => {
    const { options, args } = parseRequestParams(new URLSearchParams("arg=a&arg=b&o=12&pin=false&chunker=size-10&unknown=1"), specs, argument);
    assert.deepEqual(args, ["a", "b"]);
    assert.equal(options.int64("offset"), 12n);
    assert.equal(options.bool("pin", true), false);
    assert.equal(options.string("chunker"), "size-10");
  });

  it("reports conversion, duplicate and missing-argument errors with Kubo's wording", () => {
    const parse = (query: string) => parseRequestParams(new URLSearchParams(query), specs, argument);
    assert.throws(() => parse("arg=a&pin=maybe"), { code: "RPC_BAD_REQUEST", message: 'could not convert value "maybe" to type "bool" (for option "-pin")' });
    assert.throws(() => parse("arg=a&offset="), { message: 'could not convert empty value to type "int64" (for option "-offset")' });
    assert.throws(() => parse("arg=a&offset=1&o=2"), { message: 'duplicate command options were provided ("offset" and "o")' });
    assert.throws(() => parse("arg=a&pin=true&pin=false"), { message: "expected key pin to have only a single value, received [true false]" });
    assert.throws(() => parse("pin=true"), { message: 'argument "ipfs-path" is required' });
  });

  it("reads Go durations", () => {
    assert.equal(parseGoDuration("1m30s"), 90_000);
    assert.equal(parseGoDuration("250ms"), 250);
    assert.equal(parseGoDuration("soon"), undefined);
  });
});

describe("content types", () => {
  it("prefers the file extension", () => {
    assert.equal(contentTypeFor("page.HTML", new Uint8Array()), "text/html; charset=utf-8");
    assert.equal(contentTypeFor("logo.svg", new Uint8Array()), "image/svg+xml");
  });

  it("sniffs magic numbers, markup and text", () => {
    assert.equal(sniffContentType(Buffer.from("%PDF-1.7\n")), "application/pdf");
    assert.equal(sniffContentType(Buffer.from("  <!DOCTYPE html><p>")), "text/html; charset=utf-8");
    assert.equal(sniffContentType(Buffer.from("Grüße\n")), "text/plain; charset=utf-8");
    assert.equal(sniffContentType(Buffer.from([0xff, 0xfe, 0x00, 0x01])), "application/octet-stream");
    // A UTF-8 sequence cut at the end of the sniffed bytes is still text.
    assert.equal(sniffContentType(Buffer.from("é").subarray(0, 1)), "text/plain; charset=utf-8");
  });
});

describe("writeTar", () => {
  it("writes members a tar reader reads back, long names through pax", async () => {
    const long = `${"d".repeat(80)}/${"f".repeat(60)}.txt`;
    async function* entries() {
      yield { type: "directory" as const, path: "root" };
      yield { type: "file" as const, path: "root/a.txt", size: 3n, content: (async function* () { yield new TextEncoder().encode("abc"); })() };
      yield { type: "file" as const, path: long, size: 0n, content: (async function* () {})() };
    }
    const archive = Buffer.concat(await all(writeTar(entries(), 0)));
    assert.equal(archive.length % 512, 0);
    assert.deepEqual(readTar(archive).map((m) => [m.name, m.type, m.content.toString()]), [
      ["root", "directory", ""],
      ["root/a.txt", "file", "abc"],
      [long, "file", ""],
    ]);
  });

  it("fails when a file yields fewer bytes than announced", async () => {
    async function* entries() {
      yield { type: "file" as const, path: "short", size: 10n, content: (async function* () { yield new Uint8Array(3); })() };
    }
    await assert.rejects(all(writeTar(entries())), { message: "tar entry short produced 3 bytes, expected 10" });
  });
});
