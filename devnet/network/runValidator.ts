/**
 * `concord node --config <file>`: one validator of a multi-validator network (its own process, or its
 * own machine): the chain node with the Tendermint engine, its libp2p transport to the other
 * validators, and JSON-RPC for clients. Runs until Ctrl-C / SIGTERM, then stops cleanly; the next run
 * resumes from its data directory (chain, write-ahead log, sign state).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { hexToBytes } from "@ethereumjs/util";
import { ConcordNode } from "../../chain/node.ts";
import { ValidatorNetwork } from "../../chain/p2p/validatorNetwork.ts";
import { loadOrCreatePeerKey } from "../../lib/p2p/peerKey.ts";
import { readGenesisFrom } from "../genesisFile.ts";
import { DevnetOptionsError } from "../options.ts";
import { rpcPolicyNodeOptions, type RpcClientPolicy } from "../rpcPolicy.ts";
import { readValidatorConfig } from "./validatorConfig.ts";
import { formatConsoleOutput } from "../consoleOutput.ts";

/** The line a supervisor (the devnet, a test) waits for: everything after it is serving. */
export const READY_LINE = "Concord validator ready";

export async function runValidator(configFile: string, signal: Promise<void>, policy?: RpcClientPolicy, options: { fsync?: boolean } = {}): Promise<number> {
  const config = await readValidatorConfig(configFile);
  const genesis = await readGenesisFrom(config.genesisFile);
  if (genesis === undefined) throw new DevnetOptionsError(`the genesis file ${config.genesisFile} does not exist (write one with \`concord genesis\`)`);
  const keyText = (await readFile(config.validatorKeyFile, "utf8").catch((error: Error) => {
    throw new DevnetOptionsError(`cannot read the validator key ${config.validatorKeyFile}: ${error.message}`);
  })).trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(keyText)) throw new DevnetOptionsError(`the validator key ${config.validatorKeyFile} must hold 32 bytes as 0x-prefixed hex`);
  const network = await ValidatorNetwork.start({
    privateKey: await loadOrCreatePeerKey(path.join(config.dataDir, "p2p")),
    listen: config.p2p.listen,
    announce: config.p2p.announce,
    peers: config.p2p.peers,
  });
  const node = new ConcordNode({
    dataDir: path.join(config.dataDir, "chain"),
    genesis,
    validatorKey: hexToBytes(keyText as `0x${string}`),
    rpc: { ...(policy && rpcPolicyNodeOptions(policy).rpc), host: config.rpc.host, port: config.rpc.port },
    calls: policy && rpcPolicyNodeOptions(policy).calls,
    engine: { kind: "tendermint" },
    network,
    devAccounts: config.devnet ? 20 : 0,
    // A devnet's blocks, WAL and sign state are durable against the process being killed, not power
    // loss, unless it was started with --fsync (as a single-validator devnet); a real network's
    // validators fsync all three.
    syncWrites: !config.devnet || options.fsync === true,
    answerAfterCommit: config.devnet,
    // Solidity console.log, as Hardhat's node prints it (a devnet's supervisor passes the lines on).
    consoleLog: config.devnet ? (output) => process.stdout.write(formatConsoleOutput(output)) : undefined,
    onError: (error) => process.stderr.write(`consensus: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  try {
    await node.start();
  } catch (error) {
    await network.stop();
    throw error;
  }
  const validator = (await import("viem/accounts")).privateKeyToAddress(keyText as `0x${string}`);
  process.stdout.write(
    `${READY_LINE}: ${validator} at block ${node.backend.latestBlockNumber()}\n` +
      `  JSON-RPC ${node.rpc!.url}\n  peer id  ${network.peerId.toString()}\n  p2p      ${network.addresses().join(" ")}\n`,
  );
  await signal;
  await node.stop();
  await network.stop();
  process.stdout.write("Stopped.\n");
  return 0;
}
