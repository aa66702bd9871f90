import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";

const PEER_KEY_FILE = "peer-key";

/**
 * The node's libp2p identity. With a data directory it is kept there (owner-only), so the peer id,
 * and with it every multiaddr handed to other nodes, survives restarts.
 */
export async function loadOrCreatePeerKey(dataDir: string | undefined): Promise<PrivateKey> {
  if (dataDir === undefined) return generateKeyPair("Ed25519");
  const file = join(dataDir, PEER_KEY_FILE);
  try {
    return privateKeyFromProtobuf(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = await generateKeyPair("Ed25519");
  await mkdir(dataDir, { recursive: true });
  // Write then rename so a crash never leaves a truncated key behind.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, privateKeyToProtobuf(key), { mode: 0o600 });
  await rename(partial, file);
  return key;
}
