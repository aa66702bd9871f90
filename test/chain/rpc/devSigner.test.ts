import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { EventEmitter } from "node:events";
import { verifyTypedData, Wallet } from "ethers";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import type { RpcBackend } from "../../../chain/rpc/backend.ts";
import { DevSigner, UnknownAccountError, reachableTypes } from "../../../chain/rpc/devSigner.ts";
import { ParamError } from "../../../chain/rpc/validation.ts";
import type { Hex } from "../../../chain/types.ts";

const wallet = new Wallet("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const ADDRESS = wallet.address.toLowerCase() as Hex;
let signer: DevSigner;

before(async () => {
  // DevSigner reads only the dev-account keys from its backend.
  const accounts = { devAccounts: new Map([[ADDRESS, Buffer.from(wallet.privateKey.slice(2), "hex")]]), events: new EventEmitter() };
  signer = new DevSigner(accounts as unknown as RpcBackend, await createConcordCommon());
});

describe("DevSigner.exclusively", () => {
  it("runs one account's tasks one after another, even when an earlier one fails", async () => {
    const order: string[] = [];
    const slow = signer.exclusively(ADDRESS, async () => {
      order.push("first:start");
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push("first:end");
      throw new Error("first failed");
    });
    const fast = signer.exclusively(ADDRESS, async () => {
      order.push("second");
      return 2;
    });
    await assert.rejects(slow, /first failed/);
    assert.equal(await fast, 2);
    assert.deepEqual(order, ["first:start", "first:end", "second"]);
  });
  it("does not hold one account's tasks behind another's", async () => {
    const order: string[] = [];
    const blocked = signer.exclusively(ADDRESS, () => new Promise<void>((resolve) => setTimeout(() => (order.push("a"), resolve()), 20)));
    await signer.exclusively(`0x${"11".repeat(20)}`, async () => void order.push("b"));
    await blocked;
    assert.deepEqual(order, ["b", "a"]);
  });
});

describe("DevSigner signing", () => {
  it("refuses an account it has no key for", () => {
    assert.throws(() => signer.signMessage(`0x${"22".repeat(20)}`, new Uint8Array()), UnknownAccountError);
  });
  it("signs typed data whose domain type lists fields in its own order", () => {
    const domain = { name: "X", chainId: 1 };
    const types = { Ping: [{ name: "n", type: "uint256" }] };
    const signature = signer.signTypedData(ADDRESS, {
      types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }], ...types },
      primaryType: "Ping",
      domain,
      message: { n: 7 },
    });
    assert.equal(verifyTypedData(domain, types, { n: 7 }, signature).toLowerCase(), ADDRESS);
  });
  it("keeps only the types reachable from the primary type", () => {
    const types = {
      Mail: [{ name: "from", type: "Person" }, { name: "cc", type: "Person[2]" }],
      Person: [{ name: "name", type: "string" }],
      Unused: [{ name: "x", type: "bool" }],
    };
    assert.deepEqual(Object.keys(reachableTypes(types, "Mail")).sort(), ["Mail", "Person"]);
    assert.throws(() => reachableTypes(types, "Nope"), ParamError);
  });
});
