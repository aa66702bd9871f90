/** Dev accounts: eth_accounts, eth_sendTransaction / eth_signTransaction / eth_fillTransaction, message and typed-data signing. */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { Transaction, verifyMessage, verifyTypedData, Wallet } from "ethers";
import { validatorKeys } from "../../../chain/execution/devAccounts.ts";
import { call, callError } from "./helpers/rpcClient.ts";
import { compileCounter } from "./helpers/counterContract.ts";
import { counterInterface } from "./helpers/counter.ts";
import { DEV_ADDRESSES, startTestChain, waitForReceipt, type TestChain } from "./helpers/testChain.ts";

let chain: TestChain;
const STRANGER = Wallet.createRandom().address.toLowerCase();

function postOnNewConnection(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, method: "POST", agent: false, headers: { "Content-Type": "application/json" } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve(text));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

before(async () => {
  chain = await startTestChain();
});
after(async () => {
  await chain.close();
});

describe("eth_accounts / eth_requestAccounts / eth_coinbase", () => {
  it("lists Hardhat's dev accounts in order", async () => {
    const accounts = await call<string[]>(chain.url, "eth_accounts");
    assert.equal(accounts.length, 20);
    assert.deepEqual(accounts.slice(0, 3), DEV_ADDRESSES);
    assert.deepEqual(await call(chain.url, "eth_requestAccounts"), accounts);
  });
  it("answers the mining trio: the validator's address, mining, no hashrate", async () => {
    // startNodeForRpcTests runs the node as its genesis' one validator.
    assert.equal(await call<string>(chain.url, "eth_coinbase"), validatorKeys(1)[0]!.address);
    assert.equal(await call(chain.url, "eth_mining"), true);
    assert.equal(await call(chain.url, "eth_hashrate"), "0x0");
  });
});

describe("eth_sendTransaction", () => {
  it("fills nonce, gas and EIP-1559 fees and signs with the dev key", async () => {
    const hash = await call<string>(chain.url, "eth_sendTransaction", [{ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[1], value: "0x64" }]);
    const receipt = await waitForReceipt(chain.url, hash);
    assert.equal(receipt.status, "0x1");
    assert.equal(receipt.from, DEV_ADDRESSES[0]);
    const tx = await call<Record<string, string>>(chain.url, "eth_getTransactionByHash", [hash]);
    assert.equal(tx.type, "0x2");
    assert.equal(tx.gas, "0x5208");
    assert.equal(tx.value, "0x64");
    assert.equal(BigInt(tx.maxPriorityFeePerGas!), chain.backend.suggestedPriorityFee());
  });
  it("sends a legacy transaction when given gasPrice, and deploys contracts", async () => {
    const gasPrice = await call<string>(chain.url, "eth_gasPrice");
    const hash = await call<string>(chain.url, "eth_sendTransaction", [{ from: DEV_ADDRESSES[1], to: DEV_ADDRESSES[0], gasPrice }]);
    assert.equal((await call<Record<string, string>>(chain.url, "eth_getTransactionByHash", [hash])).type, "0x0");
    const data = compileCounter().bytecode + counterInterface().encodeDeploy([5]).slice(2);
    const deploy = await waitForReceipt(chain.url, await call<string>(chain.url, "eth_sendTransaction", [{ from: DEV_ADDRESSES[1], data }]));
    assert.match(deploy.contractAddress ?? "", /^0x[0-9a-f]{40}$/);
  });
  it("gives concurrent sends from one account consecutive nonces", async () => {
    // Five connections of their own, all requests in flight at once.
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: DEV_ADDRESSES[2], to: DEV_ADDRESSES[0], value: "0x1" }] });
    const sends = Array.from({ length: 5 }, () => postOnNewConnection(chain.server.port, body));
    const hashes = (await Promise.all(sends)).map((response) => {
      const parsed = JSON.parse(response) as { result?: string; error?: unknown };
      assert.equal(parsed.error, undefined, response);
      return parsed.result!;
    });
    const receipts = await Promise.all(hashes.map((hash) => waitForReceipt(chain.url, hash)));
    assert.ok(receipts.every((receipt) => receipt.status === "0x1"));
    const nonces = await Promise.all(
      receipts.map(async (r) => BigInt((await call<Record<string, string>>(chain.url, "eth_getTransactionByHash", [r.transactionHash])).nonce!)),
    );
    assert.deepEqual([...nonces].sort((a, b) => Number(a - b)), [0n, 1n, 2n, 3n, 4n]);
  });
  it("refuses accounts the node has no key for, and a missing sender", async () => {
    assert.deepEqual(await callError(chain.url, "eth_sendTransaction", [{ from: STRANGER, to: DEV_ADDRESSES[1], gas: "0x5208" }]), {
      code: -32000,
      message: `unknown account ${STRANGER}: this node signs only for its dev accounts (eth_accounts)`,
    });
    // As Hardhat: the unknown sender is named before filling would meet its empty balance.
    for (const method of ["eth_sendTransaction", "eth_signTransaction"]) {
      assert.deepEqual(await callError(chain.url, method, [{ from: STRANGER, to: DEV_ADDRESSES[1], value: "0xde0b6b3a7640000" }]), {
        code: -32000,
        message: `unknown account ${STRANGER}: this node signs only for its dev accounts (eth_accounts)`,
      });
    }
    assert.deepEqual(await callError(chain.url, "eth_sendTransaction", [{ to: DEV_ADDRESSES[1] }]), {
      code: -32602,
      message: 'invalid argument 0: missing "from": the account to send from',
    });
    assert.deepEqual(await callError(chain.url, "eth_sendTransaction", [{ from: DEV_ADDRESSES[0] }]), {
      code: -32602,
      message: "invalid argument 0: contract creation without any data provided",
    });
  });
  it("answers a transaction that would revert with code 3 before sending it", async () => {
    const data = compileCounter().bytecode + counterInterface().encodeDeploy([5]).slice(2);
    const deploy = await waitForReceipt(chain.url, await call<string>(chain.url, "eth_sendTransaction", [{ from: DEV_ADDRESSES[2], data }]));
    const error = await callError(chain.url, "eth_sendTransaction", [
      { from: DEV_ADDRESSES[2], to: deploy.contractAddress, data: counterInterface().encodeFunctionData("increment", [6]) },
    ]);
    assert.equal(error.code, 3);
    assert.equal(counterInterface().parseError(error.data as string)?.name, "CounterTooLarge");
  });
});

describe("eth_signTransaction / eth_fillTransaction", () => {
  it("signs without sending", async () => {
    const raw = await call<string>(chain.url, "eth_signTransaction", [{ from: DEV_ADDRESSES[0], to: DEV_ADDRESSES[1], value: "0x1" }]);
    const tx = Transaction.from(raw);
    assert.equal(tx.from?.toLowerCase(), DEV_ADDRESSES[0]);
    assert.equal(tx.chainId, 31337n);
    assert.equal(tx.gasLimit, 21_000n);
  });
  it("fills any sender's transaction without signing it", async () => {
    const { raw, tx } = await call<{ raw: string; tx: Record<string, string> }>(chain.url, "eth_fillTransaction", [
      { from: STRANGER, to: DEV_ADDRESSES[1], value: "0x0" },
    ]);
    assert.equal(tx.from, STRANGER);
    assert.equal(tx.nonce, "0x0");
    assert.equal(tx.gas, "0x5208");
    assert.equal(tx.type, "0x2");
    // geth's encoding of an unsigned transaction: the signature fields are present and zero.
    const parsed = Transaction.from(raw);
    assert.equal(BigInt(parsed.signature?.r ?? 0), 0n);
    assert.equal(parsed.nonce, 0);
    assert.equal(parsed.to?.toLowerCase(), DEV_ADDRESSES[1]);
  });
  it("refuses type 3 and 4 requests and mixed fee fields", async () => {
    assert.equal((await callError(chain.url, "eth_fillTransaction", [{ from: STRANGER, to: STRANGER, type: "0x3" }])).code, -32602);
    assert.deepEqual(await callError(chain.url, "eth_fillTransaction", [{ from: STRANGER, to: STRANGER, type: "0x0", maxFeePerGas: "0x1" }]), {
      code: -32602,
      message: "invalid argument 0: maxFeePerGas and maxPriorityFeePerGas are not valid for a type 0 transaction",
    });
  });
});

describe("eth_sign / personal_sign", () => {
  it("signs EIP-191 messages that recover to the account", async () => {
    const signature = await call<string>(chain.url, "eth_sign", [DEV_ADDRESSES[0], "0x68656c6c6f"]);
    assert.equal(verifyMessage("hello", signature).toLowerCase(), DEV_ADDRESSES[0]);
    const personal = await call<string>(chain.url, "personal_sign", ["0x68656c6c6f", DEV_ADDRESSES[1]]);
    assert.equal(verifyMessage("hello", personal).toLowerCase(), DEV_ADDRESSES[1]);
  });
  it("takes a plain-text message in personal_sign, as MetaMask does", async () => {
    const signature = await call<string>(chain.url, "personal_sign", ["Sign in to Concord", DEV_ADDRESSES[0]]);
    assert.equal(verifyMessage("Sign in to Concord", signature).toLowerCase(), DEV_ADDRESSES[0]);
  });
  it("refuses unknown accounts and malformed data", async () => {
    assert.equal((await callError(chain.url, "eth_sign", [STRANGER, "0x00"])).code, -32000);
    assert.deepEqual(await callError(chain.url, "eth_sign", [DEV_ADDRESSES[0], "0x0"]), { code: -32602, message: "invalid argument 1: hex string has odd length" });
  });
});

describe("eth_signTypedData_v4", () => {
  const domain = { name: "Concord", version: "1", chainId: 31337, verifyingContract: "0xcccccccccccccccccccccccccccccccccccccccc" };
  const types = {
    Person: [
      { name: "name", type: "string" },
      { name: "wallet", type: "address" },
    ],
    Mail: [
      { name: "from", type: "Person" },
      { name: "to", type: "Person[]" },
      { name: "contents", type: "string" },
    ],
  };
  const message = {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
    to: [{ name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" }],
    contents: "Hello, Bob!",
  };
  const eip712Domain = [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
    { name: "verifyingContract", type: "address" },
  ];

  it("signs a payload that recovers to the account, given as an object or as JSON text", async () => {
    const payload = { types: { EIP712Domain: eip712Domain, ...types }, primaryType: "Mail", domain, message };
    const signature = await call<string>(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], payload]);
    assert.equal(verifyTypedData(domain, types, message, signature).toLowerCase(), DEV_ADDRESSES[0]);
    assert.equal(await call(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], JSON.stringify(payload)]), signature);
  });
  it("ignores types the primary type does not use", async () => {
    const payload = { types: { EIP712Domain: eip712Domain, ...types, Unused: [{ name: "x", type: "uint8" }] }, primaryType: "Mail", domain, message };
    const signature = await call<string>(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], payload]);
    assert.equal(verifyTypedData(domain, types, message, signature).toLowerCase(), DEV_ADDRESSES[0]);
  });
  it("names what is wrong with a payload", async () => {
    assert.deepEqual(await callError(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], "{"]), {
      code: -32602,
      message: "invalid argument 1: typed data is not valid JSON",
    });
    assert.deepEqual(await callError(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], { types }]), {
      code: -32602,
      message: "invalid argument 1: typed data needs types, primaryType, domain and message",
    });
    assert.deepEqual(await callError(chain.url, "eth_signTypedData_v4", [DEV_ADDRESSES[0], { types, primaryType: "Letter", domain, message }]), {
      code: -32602,
      message: "invalid argument 1: primaryType Letter is not among the types",
    });
    const badValue = await callError(chain.url, "eth_signTypedData_v4", [
      DEV_ADDRESSES[0],
      { types, primaryType: "Mail", domain, message: { ...message, from: { name: "Cow", wallet: "not an address" } } },
    ]);
    assert.equal(badValue.code, -32602);
  });
});
