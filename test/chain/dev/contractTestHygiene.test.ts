// The contract suite also runs against a live devnet (contractSuiteOnDevnet.test.ts), where calls
// are real HTTP requests that answer in their own time. A test written as
//   expectRevert(contract.f(), c, "Err", [await contract.g()])
// starts f() first and awaits g() while f() is still pending: when f() rejects before g() answers,
// its rejection has no handler yet and Node reports an unhandled rejection that fails the file.
// In-process (EDR) the order rarely flips, so such a test passes for months and then breaks CI on a
// loaded machine. This check finds the pattern in the source, so it is caught the day it is written.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const CONTRACT_TESTS = join(ROOT, "test", "contracts");

/** Assertion helpers whose first argument is an action that may be a promise already running. */
const ACTION_ASSERTIONS = new Set(["expectRevert", "expectRevertWithReason", "expectPanic", "expectRevertWithoutData"]);

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function containsAwait(node: ts.Node): boolean {
  if (ts.isAwaitExpression(node)) return true;
  // An await inside a nested function runs later, not while the action is pending.
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, containsAwait) ?? false;
}

/** Call sites where an action starts before a later argument awaits something. */
export function pendingActionCalls(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ACTION_ASSERTIONS.has(node.expression.text)) {
      const [action, ...rest] = node.arguments;
      const actionIsDeferred = action !== undefined && (ts.isArrowFunction(action) || ts.isFunctionExpression(action));
      if (action !== undefined && !actionIsDeferred && rest.some(containsAwait)) {
        const { line } = file.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${fileName}:${line + 1} ${node.expression.text}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("contract test hygiene", () => {
  it("finds an assertion whose action is pending while a later argument is awaited", () => {
    const bad = `it("x", async () => { await expectRevert(c.f(), c, "E", [await c.g()]); });`;
    const deferred = `it("x", async () => { await expectRevert(() => c.f(), c, "E", [await c.g()]); });`;
    const readFirst = `it("x", async () => { const v = await c.g(); await expectRevert(c.f(), c, "E", [v]); });`;
    assert.deepEqual(pendingActionCalls("bad.ts", bad), ["bad.ts:1 expectRevert"]);
    assert.deepEqual(pendingActionCalls("deferred.ts", deferred), []);
    assert.deepEqual(pendingActionCalls("readFirst.ts", readFirst), []);
  });

  it("no contract test starts a call and then awaits something else before handling it", () => {
    const files = typeScriptFiles(CONTRACT_TESTS);
    assert.ok(files.length > 20, `expected the contract tests under ${CONTRACT_TESTS}`);
    const found = files.flatMap((path) => pendingActionCalls(relative(ROOT, path), readFileSync(path, "utf8")));
    assert.deepEqual(found, [], "read the expected values into constants before starting the call that should revert");
  });
});
