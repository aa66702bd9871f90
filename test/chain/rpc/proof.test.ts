/**
 * eth_getProof (EIP-1186) through ethers, each proof checked by a Merkle-Patricia verifier written
 * here from the Yellow Paper with ethers' keccak and RLP (independent of the node's trie code): the
 * account proof against the block's state root, each storage proof against the account's storage hash.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, decodeRlp, encodeRlp, getBytes, hexlify, keccak256, toBeHex, zeroPadValue, type RlpStructuredData } from "ethers";
import { deployCounter, type DeployedCounter } from "./helpers/counter.ts";
import { DEV, startDevNode, type DevNode } from "../dev/helpers/devNode.ts";

let devnet: DevNode;
let provider: JsonRpcProvider;
let counter: DeployedCounter;
let blockWithCountFive: number;

interface Proof {
  address: string;
  accountProof: string[];
  balance: string;
  codeHash: string;
  nonce: string;
  storageHash: string;
  storageProof: { key: string; value: string; proof: string[] }[];
}

/** keccak256(rlp("")): the root of a trie holding nothing. */
const EMPTY_TRIE_ROOT = keccak256(encodeRlp("0x"));
const ZERO_HASH = zeroPadValue("0x", 32);

/** The value a proof proves for `key` under `root` (null: proven absent); throws if the proof is broken. */
function verify(root: string, key: Uint8Array, proof: string[]): Uint8Array | null {
  if (proof.length === 0 && root === EMPTY_TRIE_ROOT) return null;
  const nibbles = [...getBytes(keccak256(key))].flatMap((byte) => [byte >> 4, byte & 15]);
  let expected = root;
  let position = 0;
  for (const [i, nodeHex] of proof.entries()) {
    // Nodes of 32 bytes or more are referenced by hash; the root always is.
    if (nodeHex.length >= 66 || i === 0) assert.equal(keccak256(nodeHex), expected, `proof node ${i} does not hash to its reference`);
    let node = decodeRlp(nodeHex) as RlpStructuredData[];
    for (;;) {
      if (node.length === 17) {
        if (position === nibbles.length) return (node[16] as string) === "0x" ? null : getBytes(node[16] as string);
        const child = node[nibbles[position++]!]!;
        if (child === "0x") return null;
        if (Array.isArray(child)) { node = child; continue; }
        expected = child as string;
        break;
      }
      const path = getBytes(node[0] as string);
      const odd = (path[0]! >> 4) & 1;
      const leaf = (path[0]! >> 4) >= 2;
      const pathNibbles = [...(odd ? [path[0]! & 15] : []), ...[...path.slice(1)].flatMap((byte) => [byte >> 4, byte & 15])];
      const matches = pathNibbles.every((nibble, j) => nibbles[position + j] === nibble);
      if (!matches) return null;
      position += pathNibbles.length;
      if (leaf) return position === nibbles.length ? getBytes(node[1] as string) : null;
      if (Array.isArray(node[1])) { node = node[1] as RlpStructuredData[]; continue; }
      expected = node[1] as string;
      break;
    }
  }
  throw new Error("the proof ends before it reaches a value or proves an absence");
}

const quantityBytes = (hex: string) => (BigInt(hex) === 0n ? "0x" : toBeHex(BigInt(hex)));

function checkAccount(proof: Proof, stateRoot: string): void {
  const value = verify(stateRoot, getBytes(proof.address), proof.accountProof);
  assert.notEqual(value, null, "the account is proven present");
  const expected = encodeRlp([quantityBytes(proof.nonce), quantityBytes(proof.balance), proof.storageHash, proof.codeHash]);
  assert.equal(hexlify(value!), expected, "the proven account is the one answered");
}

before(async () => {
  devnet = await startDevNode();
  provider = new JsonRpcProvider(devnet.url, undefined, { staticNetwork: true });
  counter = await deployCounter(devnet.url);
  blockWithCountFive = Number(BigInt((await counter.increment(5n)).blockNumber as string));
  await counter.increment(2n);
});
after(async () => {
  provider.destroy();
  await devnet.close();
});

const stateRootAt = async (block: number | "latest") => (await provider.send("eth_getBlockByNumber", [block === "latest" ? block : toBeHex(block), false])).stateRoot as string;

describe("eth_getProof", () => {
  it("proves an account with code and storage, and each storage slot, against the block's roots", async () => {
    const proof: Proof = await provider.send("eth_getProof", [counter.address, ["0x0", zeroPadValue("0x01", 32)], "latest"]);
    checkAccount(proof, await stateRootAt("latest"));
    assert.equal(proof.codeHash, keccak256(await provider.getCode(counter.address)));
    assert.equal(proof.storageProof[0]!.key, "0x0", "the key as it was asked");
    assert.equal(proof.storageProof[0]!.value, "0x7");
    assert.equal(hexlify(verify(proof.storageHash, getBytes(zeroPadValue("0x00", 32)), proof.storageProof[0]!.proof)!), encodeRlp("0x07"));
    // Slot 1 was never written: proven absent, value 0.
    assert.equal(proof.storageProof[1]!.value, "0x0");
    assert.equal(verify(proof.storageHash, getBytes(zeroPadValue("0x01", 32)), proof.storageProof[1]!.proof), null);
  });

  it("proves an externally owned account's balance and nonce", async () => {
    const proof: Proof = await provider.send("eth_getProof", [DEV[0]!.address, [], "latest"]);
    checkAccount(proof, await stateRootAt("latest"));
    assert.equal(BigInt(proof.balance), await provider.getBalance(DEV[0]!.address));
    assert.equal(Number(BigInt(proof.nonce)), await provider.getTransactionCount(DEV[0]!.address));
    assert.deepEqual(proof.storageProof, []);
  });

  it("proves a slot of an account without storage absent, with an empty proof under the empty root", async () => {
    const proof: Proof = await provider.send("eth_getProof", [DEV[1]!.address, ["0x2"], "latest"]);
    checkAccount(proof, await stateRootAt("latest"));
    assert.equal(proof.storageHash, EMPTY_TRIE_ROOT);
    assert.deepEqual(proof.storageProof, [{ key: "0x2", value: "0x0", proof: [] }]);
    assert.equal(verify(proof.storageHash, getBytes(zeroPadValue("0x02", 32)), proof.storageProof[0]!.proof), null);
  });

  it("answers the keys as geth does: 32-byte keys as 32 bytes, shorter ones as quantities", async () => {
    const long = `0x${"ab".repeat(32)}`;
    const proof: Proof = await provider.send("eth_getProof", [counter.address, ["0x00", "0x0001", `0x${long.slice(2).toUpperCase()}`, "0", "0x"], "latest"]);
    assert.deepEqual(proof.storageProof.map((entry) => entry.key), ["0x0", "0x1", long, "0x0", "0x0"]);
    assert.deepEqual(proof.storageProof.map((entry) => entry.value), ["0x7", "0x0", "0x0", "0x7", "0x7"]);
  });

  it("proves an account that does not exist is absent", async () => {
    const nobody = "0x00000000000000000000000000000000000b0d1e";
    const proof: Proof = await provider.send("eth_getProof", [nobody, ["0x0"], "latest"]);
    assert.equal(verify(await stateRootAt("latest"), getBytes(nobody), proof.accountProof), null);
    // geth's answer for an absent account: zero hashes (not the empty ones), each key 0 with no proof.
    assert.deepEqual({ ...proof, accountProof: [] }, {
      address: nobody,
      accountProof: [],
      balance: "0x0",
      codeHash: ZERO_HASH,
      nonce: "0x0",
      storageHash: ZERO_HASH,
      storageProof: [{ key: "0x0", value: "0x0", proof: [] }],
    });
  });

  it("proves the state of an earlier block, against that block's root", async () => {
    const earlier: Proof = await provider.send("eth_getProof", [counter.address, ["0x0"], toBeHex(blockWithCountFive)]);
    checkAccount(earlier, await stateRootAt(blockWithCountFive));
    assert.equal(earlier.storageProof[0]!.value, "0x5");
    assert.equal(hexlify(verify(earlier.storageHash, getBytes(zeroPadValue("0x00", 32)), earlier.storageProof[0]!.proof)!), encodeRlp("0x05"));
  });

  it("names a malformed address or storage key, and too many keys", async () => {
    const failure = async (params: unknown[]) => {
      try {
        await provider.send("eth_getProof", params);
      } catch (error) {
        return (error as { error?: { code: number; message: string } }).error;
      }
      assert.fail("answered");
    };
    assert.deepEqual(await failure(["0x12", [], "latest"]), { code: -32602, message: "invalid argument 0: hex string has length 2, want 40 for an address" });
    assert.deepEqual(await failure([counter.address, [`0x1${"0".repeat(64)}`], "latest"]), { code: -32602, message: "invalid argument 1: storage key 0 too long (want at most 32 bytes)" });
    assert.deepEqual(await failure([counter.address, ["0x0", "0xzz"], "latest"]), { code: -32602, message: "invalid argument 1: storage key 1: invalid hex" });
    assert.deepEqual(await failure([counter.address, Array(1025).fill("0x0"), "latest"]), { code: -32602, message: "invalid argument 1: too many storage keys requested (max 1024, got 1025)" });
  });
});
