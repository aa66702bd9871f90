/**
 * `concord devnet` and `concord node`: start the parts in order, tell the developer what is running
 * where, and stop everything cleanly on Ctrl-C (the next start resumes the same chain).
 */
import { dumpStateFile, loadStateFile } from "./stateFiles.ts";
import { formatConsoleOutput } from "./consoleOutput.ts";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { formatEther, getAddress } from "ethers";
import { ConcordNode, NodeStateError } from "../chain/node.ts";
import { defaultGenesisConfig } from "../chain/execution/genesis.ts";
import { devAccountKeys, validatorKeys } from "../chain/execution/devAccounts.ts";
import { startIpfsNode, type IpfsNode } from "../ipfs/ipfsNode.ts";
import { DEPLOYED_ADDRESSES_FILE, DeploymentError, deployContracts } from "./deployContracts.ts";
import { pinStakingArtifact, readGenesisFile, writeGenesisFile } from "./genesisFile.ts";
import type { DevnetCommandOptions, NodeCommandOptions } from "./options.ts";
import { rpcPolicyArgs, rpcPolicyNodeOptions } from "./rpcPolicy.ts";
import { assertPortFree } from "./ports.ts";
import { Progress } from "./progress.ts";
import { untilInterrupted } from "./signals.ts";
import { inProcessChain, type DevnetChain } from "./devnetChain.ts";
import { existingValidatorCount, startValidatorProcesses } from "./network/validatorProcesses.ts";
import { AppServerError, ensureAppBuild, startAppServer, type AppServer } from "./appServer.ts";

/** Test accounts whose keys the app's vote relay and devnet faucet pay from (the last two of 20). */
const RELAYER_ACCOUNT = 18;
const FAUCET_ACCOUNT = 19;

/** Stake of each devnet validator at genesis (the registry's minimum is 100). */
const GENESIS_VALIDATOR_STAKE = 1_000n * 10n ** 18n;

export interface StartedChain {
  node: ConcordNode;
  /** True when this start created the chain. */
  created: boolean;
}

/** Starts a single-validator node on `dataDir`, creating the chain (and its genesis file) if needed. */
export async function startChain(options: NodeCommandOptions, progress: Progress): Promise<StartedChain> {
  await mkdir(options.dataDir, { recursive: true });
  let genesis = await readGenesisFile(options.dataDir);
  const created = genesis === undefined;
  const [validator] = validatorKeys(1);
  if (genesis === undefined) {
    genesis = pinStakingArtifact(
      defaultGenesisConfig({
        chainId: options.chainId,
        // Dated now, as Hardhat's and Anvil's genesis: block explorers and `block.timestamp` arithmetic in
        // tests read block 0 as a real date, not 1970.
        timestamp: BigInt(Math.floor(Date.now() / 1000)),
        validators: [{ operator: validator.address, signer: validator.address, stake: GENESIS_VALIDATOR_STAKE }],
      }),
    );
    await writeGenesisFile(options.dataDir, genesis);
  } else if (genesis.chainId !== options.chainId && options.chainId !== 31337n) {
    progress.warn(`this data directory holds chain ${genesis.chainId}; --chain-id ${options.chainId} only applies to a new chain (use --fresh)`);
  }
  const node = new ConcordNode({
    dataDir: path.join(options.dataDir, "chain"),
    genesis,
    validatorKey: validator.privateKey,
    rpc: { ...rpcPolicyNodeOptions(options).rpc, host: options.host, port: options.port },
    calls: rpcPolicyNodeOptions(options).calls,
    heartbeatMs: options.blockIntervalMs,
    syncWrites: options.fsync,
    // A lone validator may rewrite its own history: Hardhat/Anvil methods (snapshots, time travel,
    // impersonation) work, so Hardhat's network helpers and Ignition's restart detection do too.
    devMode: true,
    consoleLog: (output) => process.stdout.write(formatConsoleOutput(output)),
    onError: (error) => progress.warn(`block production: ${error instanceof Error ? error.message : String(error)}`),
  });
  try {
    await node.start();
  } catch (error) {
    if (error instanceof NodeStateError && error.code === "GENESIS_MISMATCH") {
      throw new Error(`${error.message}. The data directory ${options.dataDir} belongs to another chain: start a new one with --fresh, or choose another --data-dir.`);
    }
    throw error;
  }
  if (options.loadState !== undefined) {
    const file = options.loadState;
    try {
      await progress.step(`Loading the state in ${file} (--load-state)`, async () => progress.detail(`loaded ${await loadStateFile(node, file)}`));
    } catch (error) {
      await node.stop();
      throw error;
    }
  }
  return { node, created };
}

/** Stops a chain started by `startChain`, writing its state first when --dump-state asks. */
export async function stopChain(node: ConcordNode, options: NodeCommandOptions, progress: Progress): Promise<void> {
  const file = options.dumpState;
  if (file !== undefined) {
    await progress.step(`Writing the state to ${file} (--dump-state)`, () => dumpStateFile(node, file)).catch((error: Error) =>
      progress.warn(`the state was not written: ${error.message}`),
    );
  }
  await node.stop();
}

export async function runNode(options: NodeCommandOptions): Promise<number> {
  const progress = new Progress();
  await assertPortFree(options.host, options.port, "JSON-RPC", "--port");
  const { node, created } = await progress.step(`Starting the node (${options.dataDir})`, () => startChain(options, progress));
  const rpc = node.rpc!;
  console.log(`\nConcord node ${created ? "created a new chain" : "resumed the chain"} at block ${node.backend.latestBlockNumber()}`);
  console.log(`  JSON-RPC   ${rpc.url}   WebSocket ${rpc.wsUrl}   chain id ${node.chainId}\n`);
  await untilInterrupted();
  await progress.step("Stopping the node", () => stopChain(node, options, progress));
  return 0;
}

export async function runDevnet(options: DevnetCommandOptions): Promise<number> {
  const progress = new Progress();
  if (options.fresh) await progress.step(`Deleting ${options.dataDir} (--fresh)`, () => rm(options.dataDir, { recursive: true, force: true }));
  await assertPortFree(options.host, options.port, "JSON-RPC", "--port");
  if (options.ipfs) {
    await assertPortFree("127.0.0.1", options.ipfsApiPort, "IPFS API", "--ipfs-api-port");
    await assertPortFree("127.0.0.1", options.gatewayPort, "IPFS gateway", "--gateway-port");
  }
  if (options.app) await assertPortFree(options.host, options.appPort, "web app", "--app-port");

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => progress.warn(`while stopping: ${(error as Error).message}`));
  };
  try {
    if (options.app) {
      // First, so a broken app build fails the start before any chain work.
      await progress.step("Building the web app (reused while its sources are unchanged)", async () => {
        const built = await ensureAppBuild({ onOutput: (line) => progress.detail(line) });
        if (!built) progress.detail("the existing production build is up to date");
      });
    }
    const { chain, created } = await progress.step(
      options.validators === 1 ? `Starting the chain node in ${options.dataDir}` : `Starting ${options.validators} validators, each its own process, in ${options.dataDir}`,
      () => startDevnetChain(options, progress),
    );
    stops.push(() => progress.step(options.validators === 1 ? "Stopping the chain node" : "Stopping the validators", () => chain.stop()));

    let ipfs: IpfsNode | undefined;
    if (options.ipfs) {
      ipfs = await progress.step("Starting IPFS", () =>
        startIpfsNode({ dataDir: path.join(options.dataDir, "ipfs"), apiPort: options.ipfsApiPort, gatewayPort: options.gatewayPort }),
      );
      stops.push(() => progress.step("Stopping IPFS", () => ipfs!.stop()));
    }

    let addresses: Record<string, string> | undefined;
    if (options.deploy) {
      addresses = created ? undefined : await readDeployedAddresses(options.dataDir);
      if (addresses === undefined) {
        addresses = await progress.step("Deploying the contracts with Ignition (first start only)", () =>
          deployContracts({
            rpcUrl: chain.rpcUrl,
            dataDir: options.dataDir,
            freshChain: created,
            parametersFile: options.ignitionParameters,
            onOutput: (line) => progress.detail(line),
          }),
        );
      }
    }

    let app: AppServer | undefined;
    if (options.app && addresses !== undefined) {
      app = await progress.step("Starting the web app", async () =>
        startAppServer({ host: options.host, port: options.appPort, env: await appEnvironment(chain, ipfs, options) }),
      );
      stops.push(() => progress.step("Stopping the web app", () => app!.stop()));
    } else if (options.app) {
      progress.warn("the web app needs the contracts: it is not started with --no-deploy");
    }

    await printBanner(chain, ipfs, addresses, created, options, app);
    await untilInterrupted();
    console.log("");
    await stopAll();
    console.log("Stopped. `npm start` resumes this chain; `npm start -- --fresh` starts a new one.");
    return 0;
  } catch (error) {
    await stopAll();
    if (error instanceof AppServerError) {
      process.stderr.write(`${error.output}\n`);
      throw new Error(`${error.message}. Its output is above.`);
    }
    if (error instanceof DeploymentError) {
      process.stderr.write(`${error.output}\n`);
      throw new Error(`${error.message}. Ignition's output is above; the chain data is kept in ${options.dataDir}.`);
    }
    throw error;
  }
}

/** The app's configuration (README "The app"): this devnet's node, IPFS, deployment and test keys. */
async function appEnvironment(chain: DevnetChain, ipfs: IpfsNode | undefined, options: DevnetCommandOptions): Promise<Record<string, string>> {
  const keys = devAccountKeys();
  const env: Record<string, string> = {
    CONCORD_RPC_URL: chain.rpcUrl,
    CONCORD_DEPLOYMENT_FILE: path.join(options.dataDir, DEPLOYED_ADDRESSES_FILE),
    CONCORD_DEVNET_CHAIN_ID: String(chain.chainId),
    CONCORD_SESSION_SECRET: await sessionSecret(options.dataDir),
    CONCORD_RELAYER_KEY: process.env.CONCORD_RELAYER_KEY ?? bytesToHexKey(keys[RELAYER_ACCOUNT].privateKey),
    CONCORD_FAUCET_KEY: process.env.CONCORD_FAUCET_KEY ?? bytesToHexKey(keys[FAUCET_ACCOUNT].privateKey),
  };
  if (ipfs !== undefined) {
    env.CONCORD_IPFS_API = ipfs.apiUrl;
    env.CONCORD_IPFS_GATEWAY = ipfs.gatewayUrl;
  }
  return env;
}

/** The app's cookie key, kept in the data directory so a restart keeps people signed in. */
async function sessionSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "app-session-secret");
  const existing = await readFile(file, "utf8").catch(() => "");
  if (existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

async function readDeployedAddresses(dataDir: string): Promise<Record<string, string> | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, DEPLOYED_ADDRESSES_FILE), "utf8"));
  } catch {
    return undefined;
  }
}

async function printBanner(
  chain: DevnetChain,
  ipfs: IpfsNode | undefined,
  addresses: Record<string, string> | undefined,
  created: boolean,
  options: DevnetCommandOptions,
  app: AppServer | undefined,
): Promise<void> {
  const lines = [
    "",
    `Concord devnet ${created ? "started on a new chain" : `resumed at block ${await chain.blockNumber()}`}`,
    "",
  ];
  if (app !== undefined) lines.push(`  App             ${app.url}  (sign in with a wallet, or the developer wallet)`);
  lines.push(
    `  JSON-RPC        ${chain.rpcUrl}  (WebSocket ${chain.wsUrl})`,
    `  Chain id        ${chain.chainId}`,
    `  Validators      ${chain.engineLine()}`,
    ...chain.validatorLines(),
  );
  if (ipfs !== undefined) {
    lines.push(`  IPFS API        ${ipfs.apiUrl}  (Kubo RPC: kubo-rpc-client, \`concord ipfs\`)`);
    lines.push(`  IPFS gateway    ${ipfs.gatewayUrl}/ipfs/<cid>`);
  }
  lines.push(`  Data directory  ${options.dataDir}`, "");
  if (addresses !== undefined) {
    lines.push("Contracts (Ignition module Concord):");
    for (const [future, address] of Object.entries(addresses)) lines.push(`  ${future.padEnd(40)} ${address}`);
    lines.push("");
  }
  // Balances as they are now: the genesis gave 10000 ETH each, but a resumed chain (or the deployment
  // just made) has moved some.
  lines.push("Accounts (the well-known test keys: never use them on a real network), with their balances now:");
  const accounts = devAccountKeys();
  const balances = await Promise.all(accounts.map((account) => chain.balance(account.address as `0x${string}`)));
  accounts.forEach((account, index) => {
    lines.push(`  #${String(index).padEnd(2)} ${getAddress(account.address)}  ${bytesToHexKey(account.privateKey)}  ${formatBalance(balances[index]!)}`);
  });
  lines.push("", "Ctrl-C stops the devnet; the next start resumes the same chain.", "");
  console.log(lines.join("\n"));
}

/** The chain `--validators` asks for; a data directory keeps the shape it was created with. */
async function startDevnetChain(options: DevnetCommandOptions, progress: Progress): Promise<{ chain: DevnetChain; created: boolean }> {
  const existing = await existingValidatorCount(options.dataDir);
  const single = await readGenesisFile(options.dataDir);
  if (options.validators === 1 && existing !== undefined) {
    throw new Error(`${options.dataDir} holds a network of ${existing} validators: start it with --validators ${existing}, or a new chain with --fresh`);
  }
  if (options.validators > 1 && single !== undefined) {
    throw new Error(`${options.dataDir} holds a single-validator chain: start it with --validators 1, or a new ${options.validators}-validator network with --fresh`);
  }
  if (options.validators > 1 && existing !== undefined && existing !== options.validators) {
    throw new Error(`${options.dataDir} holds a network of ${existing} validators, not ${options.validators}: use --validators ${existing}, or --fresh for a new one`);
  }
  if (options.validators > 1) {
    return startValidatorProcesses(
      { dataDir: options.dataDir, count: options.validators, chainId: options.chainId, host: options.host, port: options.port, nodeArgs: [...rpcPolicyArgs(options), ...(options.fsync ? ["--fsync"] : [])] },
      progress,
    );
  }
  const { node, created } = await startChain({ ...options, dataDir: options.dataDir }, progress);
  return { chain: { ...inProcessChain(node), stop: () => stopChain(node, options, progress) }, created };
}

/** Whole ether with up to 4 decimals, never rounded up to a balance the account does not have. */
function formatBalance(wei: bigint): string {
  const [whole, fraction = ""] = formatEther(wei - (wei % 10n ** 14n)).split(".");
  const decimals = fraction.replace(/0+$/, "");
  return `${whole}${decimals === "" ? "" : `.${decimals}`} ETH`;
}

function bytesToHexKey(key: Uint8Array): string {
  return `0x${Buffer.from(key).toString("hex")}`;
}

