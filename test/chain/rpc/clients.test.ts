/**
 * Real clients against the node: ethers v6 (JsonRpcProvider, WebSocketProvider) and viem (http and
 * webSocket transports) transfer, deploy, call, read logs, subscribe and decode a custom-error revert.
 * The same suite runs against a single validator (dev mode, in this process) and against the devnet's
 * network of four validator processes agreeing over libp2p: to a client library they must look alike.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ContractFactory, JsonRpcProvider, WebSocketProvider, Wallet, isError, type Contract, type EventLog } from "ethers";
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain, getAddress, http, parseEther, webSocket, type Abi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { devAccountKeys } from "../../../chain/execution/devAccounts.ts";
import { startValidatorProcesses } from "../../../devnet/network/validatorProcesses.ts";
import { Progress } from "../../../devnet/progress.ts";
import { compileCounter } from "./helpers/counterContract.ts";
import { DEV_ADDRESSES, DEV_KEYS, startTestChain } from "./helpers/testChain.ts";

interface ClientTarget {
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

async function fourValidatorProcesses(): Promise<ClientTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "concord-clients-4v-"));
  try {
    const { chain } = await startValidatorProcesses({ dataDir, count: 4, chainId: 31337n, host: "127.0.0.1", port: 0 }, new Progress(new Writable({ write: (_chunk, _encoding, done) => done() })));
    return {
      url: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      close: async () => {
        await chain.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

for (const [network, start] of [
  ["one validator (dev mode)", startTestChain],
  ["four validator processes (Tendermint over libp2p)", fourValidatorProcesses],
] as const) {
  describe(`client libraries against ${network}`, () => {
    let chain: ClientTarget;
    before(async () => {
      chain = await start();
    });
    after(async () => {
      await chain?.close();
    });

    describe("ethers v6", () => {
      it("transfers, deploys, calls, reads logs and decodes a custom error over HTTP", async () => {
        const provider = new JsonRpcProvider(chain.url, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
        try {
          const wallet = new Wallet(DEV_KEYS[1], provider);
          const before = await provider.getBalance(DEV_ADDRESSES[2]);
          const transfer = await wallet.sendTransaction({ to: DEV_ADDRESSES[2], value: parseEther("1.5") });
          const transferReceipt = await transfer.wait();
          assert.equal(transferReceipt?.status, 1);
          assert.equal(await provider.getBalance(DEV_ADDRESSES[2]), before + parseEther("1.5"));

          const { abi, bytecode } = compileCounter();
          const counter = (await new ContractFactory(abi as string[], bytecode, wallet).deploy(5n)) as Contract;
          await counter.waitForDeployment();
          assert.equal(await counter.getFunction("limit")(), 5n);
          const increment = await counter.getFunction("increment")(2n);
          await increment.wait();
          assert.equal(await counter.getFunction("count")(), 2n);
          const events = (await counter.queryFilter(counter.filters.Incremented!(), 0)) as EventLog[];
          assert.equal(events.length, 1);
          assert.equal(events[0]!.args.getValue("newValue"), 2n);
          assert.equal((events[0]!.args.getValue("by") as string).toLowerCase(), DEV_ADDRESSES[1]);

          await assert.rejects(counter.getFunction("increment").staticCall(10n), (error: unknown) => {
            assert.ok(isError(error, "CALL_EXCEPTION"), String(error));
            assert.equal(error.revert?.name, "CounterTooLarge");
            assert.deepEqual([...(error.revert?.args ?? [])], [12n, 5n]);
            return true;
          });
          await assert.rejects(counter.getFunction("fail")("nope"), (error: unknown) => {
            assert.ok(isError(error, "CALL_EXCEPTION"), String(error));
            assert.equal(error.reason, "nope");
            return true;
          });
        } finally {
          provider.destroy();
        }
      });
      it("sends through the node's dev account with a JsonRpcSigner", async () => {
        const provider = new JsonRpcProvider(chain.url, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
        try {
          const signer = await provider.getSigner(DEV_ADDRESSES[0]);
          const tx = await signer.sendTransaction({ to: DEV_ADDRESSES[2], value: 1n });
          assert.equal((await tx.wait())?.status, 1);
          const signature = await signer.signMessage("hello");
          assert.match(signature, /^0x[0-9a-f]{130}$/);
        } finally {
          provider.destroy();
        }
      });
      it("subscribes to blocks and contract events over WebSocket", async () => {
        // cacheTimeout -1: ethers otherwise answers a repeated eth_getTransactionCount from a 250 ms cache,
        // and a node that mines at once can confirm a deployment within that: the next send reuses its nonce.
        const provider = new WebSocketProvider(chain.wsUrl, 31337, { staticNetwork: true, cacheTimeout: -1 });
        try {
          const wallet = new Wallet(DEV_KEYS[2], provider);
          const { abi, bytecode } = compileCounter();
          const counter = (await new ContractFactory(abi as string[], bytecode, wallet).deploy(100n)) as Contract;
          await counter.waitForDeployment();
          const block = new Promise<number>((resolve) => void provider.once("block", resolve));
          const event = new Promise<bigint>((resolve) => void counter.once("Incremented", (_by: string, newValue: bigint) => resolve(newValue)));
          // Subscriptions are set up asynchronously; give them a moment before the transaction.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await (await counter.getFunction("increment")(7n)).wait();
          assert.equal(await event, 7n);
          assert.ok((await block) > 0);
        } finally {
          // The `once` listeners unsubscribe as they fire, without waiting for the answer: a request
          // answered after them makes sure those answers came before the socket is closed.
          await provider.removeAllListeners();
          await provider.send("net_version", []);
          await provider.destroy();
        }
      });
    });

    describe("viem", () => {
      const concord = defineChain({
        id: 31337,
        name: "Concord",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: ["http://127.0.0.1"] } },
      });

      it("transfers, deploys, calls, reads logs and decodes a custom error over HTTP", async () => {
        const { abi, bytecode } = compileCounter();
        const account = privateKeyToAccount(DEV_KEYS[0]);
        const publicClient = createPublicClient({ chain: concord, transport: http(chain.url), pollingInterval: 50 });
        const walletClient = createWalletClient({ account, chain: concord, transport: http(chain.url) });

        const hash = await walletClient.sendTransaction({ to: DEV_ADDRESSES[1], value: 1000n });
        assert.equal((await publicClient.waitForTransactionReceipt({ hash })).status, "success");

        const deployHash = await walletClient.deployContract({ abi: abi as Abi, bytecode, args: [3n] });
        const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash: deployHash });
        assert.ok(contractAddress);
        const { request } = await publicClient.simulateContract({ account, address: contractAddress, abi: abi as Abi, functionName: "increment", args: [2n] });
        const incrementReceipt = await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract(request) });
        assert.equal(await publicClient.readContract({ address: contractAddress, abi: abi as Abi, functionName: "count" }), 2n);
        const logs = await publicClient.getContractEvents({ address: contractAddress, abi: abi as Abi, eventName: "Incremented", fromBlock: 0n });
        assert.equal(logs.length, 1);
        assert.equal(logs[0]!.transactionHash, incrementReceipt.transactionHash);
        assert.deepEqual((logs[0] as unknown as { args: unknown }).args, { by: account.address, newValue: 2n });

        await assert.rejects(
          publicClient.simulateContract({ account, address: contractAddress, abi: abi as Abi, functionName: "increment", args: [5n] }),
          (error: unknown) => {
            assert.ok(error instanceof BaseError, String(error));
            const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
            assert.ok(revert instanceof ContractFunctionRevertedError, error.message);
            assert.equal(revert.data?.errorName, "CounterTooLarge");
            assert.deepEqual(revert.data?.args, [7n, 3n]);
            return true;
          },
        );
      });
      it("uses the node's dev account with a JSON-RPC account", async () => {
        const walletClient = createWalletClient({ account: DEV_ADDRESSES[2], chain: concord, transport: http(chain.url) });
        const publicClient = createPublicClient({ chain: concord, transport: http(chain.url), pollingInterval: 50 });
        const hash = await walletClient.sendTransaction({ to: DEV_ADDRESSES[0], value: 1n });
        assert.equal((await publicClient.waitForTransactionReceipt({ hash })).status, "success");
        // eth_accounts: Hardhat's 20 dev accounts, in order, checksummed by viem.
        assert.deepEqual(await walletClient.getAddresses(), devAccountKeys(20).map((key) => getAddress(key.address)));
        assert.equal((await publicClient.getTransaction({ hash })).from, DEV_ADDRESSES[2]);
      });
      it("watches blocks and contract events over WebSocket", async () => {
        const { abi, bytecode } = compileCounter();
        const account = privateKeyToAccount(DEV_KEYS[1]);
        const transport = webSocket(chain.wsUrl);
        const publicClient = createPublicClient({ chain: concord, transport });
        const walletClient = createWalletClient({ account, chain: concord, transport });
        const deployHash = await walletClient.deployContract({ abi: abi as Abi, bytecode, args: [50n] });
        const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash: deployHash });
        assert.ok(contractAddress);

        let unwatchBlocks = () => {};
        let unwatchEvents = () => {};
        try {
          const block = new Promise<bigint>((resolve) => {
            unwatchBlocks = publicClient.watchBlockNumber({ onBlockNumber: resolve, emitOnBegin: false });
          });
          const event = new Promise<unknown>((resolve) => {
            unwatchEvents = publicClient.watchContractEvent({ address: contractAddress, abi: abi as Abi, eventName: "Incremented", onLogs: (logs) => resolve((logs[0] as unknown as { args: unknown }).args) });
          });
          await new Promise((resolve) => setTimeout(resolve, 200));
          const hash = await walletClient.writeContract({ address: contractAddress, abi: abi as Abi, functionName: "increment", args: [9n] });
          await publicClient.waitForTransactionReceipt({ hash });
          assert.deepEqual(await event, { by: account.address, newValue: 9n });
          assert.ok((await block) > 0n);
        } finally {
          unwatchBlocks();
          unwatchEvents();
          const socket = await transport({ chain: concord }).value?.getRpcClient();
          socket?.close();
        }
      });
    });
  });
}
