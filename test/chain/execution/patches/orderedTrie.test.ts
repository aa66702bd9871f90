import { test } from "node:test";
import assert from "node:assert/strict";
import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import { initCrypto } from "../../../../chain/execution/crypto.ts";
import { orderedTrieRoot } from "../../../../chain/execution/patches/orderedTrie.ts";
import { withSeed } from "../seededRandom.ts";

async function referenceRoot(values: Uint8Array[]): Promise<string> {
  const trie = new MerklePatriciaTrie();
  for (const [i, value] of values.entries()) await trie.put(RLP.encode(i), value);
  return bytesToHex(trie.root());
}

test("orderedTrieRoot equals MerklePatriciaTrie's root for random lists (embedded and hashed nodes)", async () => {
  await initCrypto();
  const sizes = [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 300, 1000];
  await withSeed(201, async (random) => {
    for (const size of sizes) {
      // Values from 1 to 80 bytes: short ones make nodes under 32 bytes that must be embedded.
      const values = Array.from({ length: size }, () => random.bytes(1 + random.int(80)));
      assert.equal(bytesToHex(orderedTrieRoot(values)), await referenceRoot(values), `size ${size}`);
    }
  });
});
