/**
 * Automine and the next blocks: evm_setAutomine / hardhat_getAutomine, submissions that answer once
 * mined (and fail with the revert when the mined transaction reverted), hardhat_dropTransaction,
 * evm_setBlockGasLimit, hardhat_setNextBlockBaseFeePerGas, hardhat_setCoinbase, hardhat_setPrevRandao.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet } from "ethers";
import { call, callError } from "../rpc/helpers/rpcClient.ts";
import { deployCounter, type DeployedCounter } from "../rpc/helpers/counter.ts";
import { sendSigned } from "../rpc/helpers/testChain.ts";
import { DEV, startDevNode, type DevNode } from "./helpers/devNode.ts";

let devnet: DevNode;
let url: string;
let counter: DeployedCounter;
const TO = "0x00000000000000000000000000000000000000f1";

before(async () => {
  devnet = await startDevNode();
  url = devnet.url;
  counter = await deployCounter(url);
});
after(() => devnet.close());

interface BlockJson {
  number: string;
  miner: string;
  mixHash: string;
  baseFeePerGas: string;
  gasLimit: string;
  transactions: string[];
}
const latest = () => call<BlockJson>(url, "eth_getBlockByNumber", ["latest", false]);
const hex = (value: bigint | number) => `0x${value.toString(16)}`;

async function withoutAutomine<T>(body: () => Promise<T>): Promise<T> {
  await call(url, "evm_setAutomine", [false]);
  try {
    return await body();
  } finally {
    await call(url, "evm_setAutomine", [true]);
  }
}

describe("automine", () => {
  it("is on by default: a submission answers once its block is committed", async () => {
    assert.equal(await call(url, "hardhat_getAutomine"), true);
    const hash = await sendSigned(url, DEV[4]!.key, { to: TO, value: 1n });
    // No polling: the receipt is there when eth_sendRawTransaction answers.
    assert.notEqual(await call(url, "eth_getTransactionReceipt", [hash]), null);
  });

  it("off, transactions wait in the pool until evm_mine, which puts them in one block", async () => {
    await withoutAutomine(async () => {
      assert.equal(await call(url, "anvil_getAutomine"), false);
      const first = await sendSigned(url, DEV[5]!.key, { to: TO, value: 1n });
      const second = await sendSigned(url, DEV[6]!.key, { to: TO, value: 2n });
      assert.equal(await call(url, "eth_getTransactionReceipt", [first]), null);
      assert.deepEqual(await call(url, "txpool_status"), { pending: "0x2", queued: "0x0" });
      await call(url, "evm_mine");
      const block = await latest();
      assert.deepEqual([...block.transactions].sort(), [first, second].sort());
    });
  });

  it("back on, what waits is mined", async () => {
    await call(url, "evm_setAutomine", [false]);
    const hash = await sendSigned(url, DEV[7]!.key, { to: TO, value: 1n });
    assert.equal(await call(url, "anvil_setAutomine", [true]), null);
    for (let i = 0; i < 100 && (await call(url, "eth_getTransactionReceipt", [hash])) === null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(await call(url, "eth_getTransactionReceipt", [hash]), null);
  });

  it("names a non-boolean", async () => {
    assert.deepEqual(await callError(url, "evm_setAutomine", ["yes"]), { code: -32602, message: "invalid argument 0: expected a boolean, got a string" });
  });
});

describe("interval mining (evm_setIntervalMining, the --block-interval of a running devnet)", () => {
  const blockNumber = async () => BigInt(await call<string>(url, "eth_blockNumber"));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("mines a block every interval, with what waits in the pool, until set to 0", async () => {
    await withoutAutomine(async () => {
      const hash = await sendSigned(url, DEV[8]!.key, { to: TO, value: 1n });
      const before = await blockNumber();
      assert.equal(await call(url, "evm_setIntervalMining", [150]), true);
      try {
        for (let i = 0; i < 100 && (await call(url, "eth_getTransactionReceipt", [hash])) === null; i++) await sleep(20);
        assert.notEqual(await call(url, "eth_getTransactionReceipt", [hash]), null, "interval mining included the waiting transaction");
        await sleep(500);
        assert.ok((await blockNumber()) >= before + 3n, "empty blocks keep coming while nothing waits");
      } finally {
        assert.equal(await call(url, "evm_setIntervalMining", [0]), true);
      }
      const stopped = await blockNumber();
      await sleep(400);
      assert.equal(await blockNumber(), stopped, "0 turns interval mining off");
    });
  });

  it("takes Hardhat's [min, max] range and Anvil's seconds", async () => {
    await withoutAutomine(async () => {
      const before = await blockNumber();
      assert.equal(await call(url, "evm_setIntervalMining", [[100, 200]]), true);
      await sleep(700);
      assert.equal(await call(url, "anvil_setIntervalMining", [0]), null);
      const mined = (await blockNumber()) - before;
      assert.ok(mined >= 2n && mined <= 8n, `${mined} blocks in 700 ms at 100-200 ms apart`);
    });
  });

  it("names a malformed interval", async () => {
    for (const [params, message] of [
      [[-1], "invalid argument 0: interval must be a non-negative integer number of milliseconds, got -1"],
      [["1000"], 'invalid argument 0: interval must be a non-negative integer number of milliseconds, got "1000"'],
      [[[300, 100]], "invalid argument 0: the range must have 0 < min <= max, got [300, 100]"],
      [[[1, 2, 3]], "invalid argument 0: expected [min, max] milliseconds, got 3 values"],
    ] as const) {
      assert.deepEqual(await callError(url, "evm_setIntervalMining", [...params]), { code: -32602, message });
    }
  });
});

describe("a mined transaction that reverted", () => {
  it("fails its submission with code 3 and the revert data, and stays mined", async () => {
    const wallet = new Wallet(DEV[8]!.key);
    const data = counter.iface.encodeFunctionData("increment", [10_000]);
    const nonce = Number(BigInt(await call<string>(url, "eth_getTransactionCount", [wallet.address, "pending"])));
    const raw = await wallet.signTransaction({ type: 2, chainId: 31337, nonce, to: counter.address, data, gasLimit: 100_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n });
    const error = await callError(url, "eth_sendRawTransaction", [raw]);
    assert.equal(error.code, 3);
    assert.equal(error.message, "execution reverted");
    assert.equal(counter.iface.parseError(error.data as string)?.name, "CounterTooLarge");
    assert.equal(await call(url, "eth_getTransactionCount", [wallet.address, "latest"]), hex(nonce + 1));
  });

  it("with Error(string), says the reason", async () => {
    const error = await callError(url, "eth_sendTransaction", [
      { from: DEV[9]!.address, to: counter.address, data: counter.iface.encodeFunctionData("fail", ["nope"]), gas: "0x186a0" },
    ]);
    assert.deepEqual([error.code, error.message], [3, "execution reverted: nope"]);
  });

  it("is explained from the block's own execution (no second run on a worker); out of gas says so", async () => {
    const backend = devnet.node.backend;
    const traced: string[] = [];
    const original = backend.traceTransaction;
    backend.traceTransaction = async function (hash, config) {
      traced.push(hash);
      return original.call(this, hash, config);
    };
    try {
      const reverted = await callError(url, "eth_sendTransaction", [
        { from: DEV[12]!.address, to: counter.address, data: counter.iface.encodeFunctionData("fail", ["again"]), gas: "0x186a0" },
      ]);
      assert.deepEqual([reverted.code, reverted.message], [3, "execution reverted: again"]);
      // The staking contract's code runs out of the 0 gas a 21,000-gas value transfer leaves it.
      const outOfGas = await callError(url, "eth_sendTransaction", [{ from: DEV[12]!.address, to: "0x0000000000000000000000000000000000001000", value: "0x1", gas: "0x5208" }]);
      const head = BigInt(await call<string>(url, "eth_blockNumber"));
      assert.equal(outOfGas.code, -32000);
      assert.match(outOfGas.message, new RegExp(`^transaction 0x[0-9a-f]{64} failed in block ${head}: out of gas$`));
      assert.deepEqual(traced, [], "no transaction was traced to explain its failure");
      // Revert data above what the node keeps (4 KiB): traced again, with the same answer.
      const long = "x".repeat(5_000);
      const large = await callError(url, "eth_sendTransaction", [
        { from: DEV[12]!.address, to: counter.address, data: counter.iface.encodeFunctionData("fail", [long]), gas: "0x7a120" },
      ]);
      assert.deepEqual([large.code, large.message], [3, `execution reverted: ${long}`]);
      assert.equal(traced.length, 1, "the large revert was traced");
    } finally {
      backend.traceTransaction = original;
    }
  });
});

describe("hardhat_dropTransaction", () => {
  it("removes a waiting transaction (true), knows nothing of an unknown hash (false), refuses a mined one", async () => {
    await withoutAutomine(async () => {
      const hash = await sendSigned(url, DEV[10]!.key, { to: TO, value: 1n });
      assert.equal(await call(url, "hardhat_dropTransaction", [hash]), true);
      assert.equal(await call(url, "eth_getTransactionByHash", [hash]), null);
      assert.equal(await call(url, "hardhat_dropTransaction", [hash]), false);
      assert.equal(await call(url, "anvil_dropTransaction", [hash]), null);
    });
    const mined = await sendSigned(url, DEV[10]!.key, { to: TO, value: 2n });
    assert.deepEqual(await callError(url, "hardhat_dropTransaction", [mined]), {
      code: -32602,
      message: `Transaction ${mined} cannot be dropped because it's already mined`,
    });
  });

  it("keeps the sender's later transactions, now waiting behind the gap", async () => {
    await withoutAutomine(async () => {
      const wallet = new Wallet(DEV[11]!.key);
      const nonce = Number(BigInt(await call<string>(url, "eth_getTransactionCount", [wallet.address, "latest"])));
      const first = await sendSigned(url, wallet.privateKey, { to: TO, value: 1n, nonce });
      const second = await sendSigned(url, wallet.privateKey, { to: TO, value: 1n, nonce: nonce + 1 });
      assert.equal(await call(url, "anvil_dropTransaction", [first]), first);
      assert.deepEqual(await call(url, "txpool_status"), { pending: "0x0", queued: "0x1" });
      await call(url, "hardhat_dropTransaction", [second]);
    });
  });

  it("names a malformed hash", async () => {
    assert.deepEqual(await callError(url, "hardhat_dropTransaction", ["0x1234"]), {
      code: -32602,
      message: "invalid argument 0: hex string has length 4, want 64 for a 32-byte hash",
    });
  });
});

describe("next-block settings", () => {
  it("evm_setBlockGasLimit sets the limit of the following blocks, and the pool refuses bigger transactions", async () => {
    assert.equal(await call(url, "evm_setBlockGasLimit", ["0x989680"]), true);
    await call(url, "evm_mine");
    assert.equal((await latest()).gasLimit, "0x989680");
    const wallet = new Wallet(DEV[12]!.key);
    const error = await callError(url, "eth_sendRawTransaction", [
      await wallet.signTransaction({ type: 2, chainId: 31337, nonce: 0, to: TO, gasLimit: 10_000_001n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 1n }),
    ]);
    assert.match(error.message, /^exceeds block gas limit/);
    await call(url, "evm_setBlockGasLimit", ["0x1c9c380"]);
    assert.deepEqual(await callError(url, "evm_setBlockGasLimit", ["0x0"]), { code: -32602, message: "invalid argument 0: block gas limit must be greater than 0" });
  });

  it("hardhat_setNextBlockBaseFeePerGas sets the next block's base fee only", async () => {
    assert.equal(await call(url, "hardhat_setNextBlockBaseFeePerGas", ["0x3b9aca00"]), true);
    assert.equal(await call(url, "eth_gasPrice").then((price) => BigInt(price as string) >= 1_000_000_000n), true);
    await call(url, "evm_mine");
    assert.equal((await latest()).baseFeePerGas, "0x3b9aca00");
    await call(url, "evm_mine");
    assert.equal((await latest()).baseFeePerGas, hex((1_000_000_000n * 7n) / 8n));
    assert.equal(await call(url, "anvil_setNextBlockBaseFeePerGas", ["0x0"]), null);
    await call(url, "evm_mine");
    assert.equal((await latest()).baseFeePerGas, "0x0");
  });

  it("hardhat_setCoinbase sets who receives the tips of every following block", async () => {
    const coinbase = Wallet.createRandom().address.toLowerCase();
    assert.equal(await call(url, "hardhat_setCoinbase", [coinbase]), true);
    await sendSigned(url, DEV[13]!.key, { to: TO, value: 1n, maxPriorityFeePerGas: 2_000_000_000n });
    assert.equal((await latest()).miner, coinbase);
    assert.ok(BigInt(await call<string>(url, "eth_getBalance", [coinbase, "latest"])) >= 21_000n * 2_000_000_000n);
    await call(url, "evm_mine");
    assert.equal((await latest()).miner, coinbase);
  });

  it("hardhat_setPrevRandao sets the next block's prevRandao", async () => {
    const randao = `0x${"ab".repeat(32)}`;
    assert.equal(await call(url, "hardhat_setPrevRandao", [randao]), true);
    await call(url, "evm_mine");
    assert.equal((await latest()).mixHash, randao);
    await call(url, "evm_mine");
    assert.notEqual((await latest()).mixHash, randao);
    assert.deepEqual(await callError(url, "hardhat_setPrevRandao", ["0x01"]), {
      code: -32602,
      message: "invalid argument 0: hex string has length 2, want 64 for a 32-byte hash",
    });
  });
});

describe("a transaction the pool accepted that no block can include", () => {
  it("is dropped with its reason logged: its hash stops reading as pending and the sender's pending nonce counts back", async () => {
    const logged: unknown[] = [];
    const own = await startDevNode({ onError: (error) => logged.push(error) });
    try {
      const sender = Wallet.createRandom();
      await call(own.url, "hardhat_setBalance", [sender.address, hex(10n ** 18n)]);
      await call(own.url, "evm_setAutomine", [false]);
      const raw = await sender.signTransaction({ type: 2, chainId: 31337n, nonce: 0, to: TO, value: 1n, gasLimit: 21_000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n });
      const hash = await call<string>(own.url, "eth_sendRawTransaction", [raw]);
      assert.equal(await call(own.url, "eth_getTransactionCount", [sender.address, "pending"]), "0x1");
      // The sender gains code after admission: EIP-3607 now forbids it as a sender.
      await call(own.url, "hardhat_setCode", [sender.address, "0x60006000f3"]);
      await call(own.url, "evm_mine");
      const block = await call<BlockJson>(own.url, "eth_getBlockByNumber", ["latest", false]);
      assert.deepEqual(block.transactions, []);
      assert.equal(await call(own.url, "eth_getTransactionByHash", [hash]), null);
      assert.equal(await call(own.url, "eth_getTransactionCount", [sender.address, "pending"]), "0x0");
      assert.equal(logged.length, 1);
      assert.match(String((logged[0] as Error).message), new RegExp(`^transaction ${hash} from ${sender.address.toLowerCase()} dropped: a block could not include it \\(.*EIP-3607`));
    } finally {
      await own.close();
    }
  });
});
