/**
 * Counts the fdatasync calls made while `run` runs: node:fs's `fdatasyncSync` is wrapped, and
 * `syncBuiltinESMExports` carries the wrapper to modules that imported it by name (wal.ts,
 * signStateFile.ts). Restored afterwards.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

export async function countFdatasync(run: () => Promise<void>): Promise<number> {
  const original = fs.fdatasyncSync;
  let calls = 0;
  fs.fdatasyncSync = (fd: number) => {
    calls++;
    original(fd);
  };
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    fs.fdatasyncSync = original;
    syncBuiltinESMExports();
  }
  return calls;
}
