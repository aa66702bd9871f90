import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { IpfsError } from "./errors.ts";

const LOCK_FILE = "repo.lock";
const heldInThisProcess = new Set<string>();

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * One node per data directory: two writers would interleave pins and corrupt the peer store.
 * A lock left by a crashed process (its pid no longer alive) is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  if (heldInThisProcess.has(dir)) throw lockedError(dir, process.pid);

  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      heldInThisProcess.add(dir);
      return {
        async release() {
          heldInThisProcess.delete(dir);
          await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(file, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw lockedError(dir, owner);
      await rm(file, { force: true });
    }
  }
  throw lockedError(dir, undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockedError(dir: string, pid: number | undefined): IpfsError {
  const holder = pid === undefined ? "another node" : pid === process.pid ? "another node in this process" : `process ${pid}`;
  return new IpfsError(
    "IPFS_DATA_DIR_LOCKED",
    `the IPFS data directory ${dir} is in use by ${holder}; stop it or choose another data directory`,
    { dataDir: dir, pid },
  );
}
