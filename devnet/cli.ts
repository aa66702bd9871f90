#!/usr/bin/env -S npx tsx
/**
 * The `concord` command line: `concord devnet` (what `npm start` runs), `concord node`, `concord ipfs`.
 * Parses and validates arguments, then hands over to the module that does the work.
 */
import { DevnetOptionsError, parseDevnetOptions, parseNodeOptions, parseValidatorRunOptions } from "./options.ts";
import { RPC_POLICY_USAGE } from "./rpcPolicy.ts";

const USAGE = `Usage: concord <command> [options]

Commands:
  devnet      Start a local Concord network: a validator node, IPFS, the contracts deployed.
              This is what \`npm start\` runs.
  node        Start one validator node (no IPFS, no deployment), e.g. for benchmarks;
              \`concord node --config <file>\` runs one validator of a multi-validator network.
  genesis     Write the genesis, keys and configs of a new network of N validators.
  ipfs        Talk to an IPFS node: \`concord ipfs add <file|dir>\`, \`cat <cid>\`, \`pin ls\`.
  build-app   Make a production build of the web app (what \`npm run build\` runs).
  help        Show this text, or \`concord <command> --help\` for a command's options.
`;

export const DEVNET_USAGE = `Usage: concord devnet [options]     (npm start -- [options])

  --data-dir <dir>          Where the chain, IPFS blocks and deployments live (default: .concord,
                            or $CONCORD_DATA_DIR). Reused on the next start: the chain resumes.
  --fresh                   Delete the data directory first and start a new chain.
  --host <address>          Interface to listen on (default: 127.0.0.1).
  --port <port>             JSON-RPC over HTTP and WebSocket (default: 8545; 0 picks a free port).
  --ipfs-api-port <port>    Kubo RPC API of the embedded IPFS node (default: 5001).
  --gateway-port <port>     IPFS gateway (default: 8080).
  --no-ipfs                 Do not start IPFS.
  --no-deploy               Do not deploy the Ignition modules.
  --ignition-parameters <f> Ignition parameters of the deployment (default: ignition/parameters.devnet.json).
  --app-port <port>         The web app (default: 3000; 0 picks a free port).
  --no-app                  Do not serve the web app.
  --validators <n>          Validators of the chain (default: 4), each its own process, agreeing on every block
                            (Tendermint BFT over libp2p on loopback). 1: a single in-process validator with
                            Hardhat/Anvil dev methods (snapshots, time travel, impersonation).
  --block-interval <ms>     Also produce empty blocks this often (default: only when transactions wait);
                            evm_setIntervalMining changes it while the devnet runs.
  --load-state <file>       Start from a state saved by --dump-state or anvil_dumpState (Anvil's account
                            dumps load too). Needs --validators 1.
  --dump-state <file>       Save the state to this file when the devnet stops. Needs --validators 1.
  --chain-id <id>           Chain id of a new chain (default: 31337, as Hardhat's and Anvil's nodes).
  --fsync                   Make each block (and each validator's consensus WAL and sign state) durable
                            against power loss before answering (default: durable against the process
                            being killed; an OS crash may lose the last blocks).
${RPC_POLICY_USAGE}`;

export const NODE_USAGE = `Usage: concord node [options]
       concord node --config <file>    one validator of a network (\`concord genesis\` writes the files)

  --data-dir <dir>          Chain data directory (default: .concord/node).
  --host <address>          Interface to listen on (default: 127.0.0.1).
  --port <port>             JSON-RPC over HTTP and WebSocket (default: 8545; 0 picks a free port).
  --block-interval <ms>     Also produce empty blocks this often.
  --load-state <file>       Start from a state saved by --dump-state or anvil_dumpState.
  --dump-state <file>       Save the state to this file when the node stops.
  --chain-id <id>           Chain id of a new chain (default: 31337).
  --fsync                   Make each block durable against power loss before answering.
${RPC_POLICY_USAGE}
  With --config, the same JSON-RPC flags (--http-corsdomain ... --rpc-evmtimeout) and --fsync may
  follow the file (a validator of a real network fsyncs every block, WAL record and signature
  anyway; a devnet's only with it).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "devnet": {
      if (wantsHelp(rest)) return help(DEVNET_USAGE);
      const { runDevnet } = await import("./devnet.ts");
      return runDevnet(parseDevnetOptions(rest));
    }
    case "genesis": {
      const { GENESIS_USAGE, parseGenesisOptions, writeNetwork } = await import("./network/genesisCommand.ts");
      if (wantsHelp(rest)) return help(GENESIS_USAGE);
      const network = await writeNetwork(parseGenesisOptions(rest));
      process.stdout.write(`Wrote ${network.genesisFile} and ${network.validators.length} validator(s):\n`);
      for (const v of network.validators) process.stdout.write(`  ${v.address}  ${v.p2p}\n    concord node --config ${v.configFile}\n`);
      return 0;
    }
    case "node": {
      if (wantsHelp(rest)) return help(NODE_USAGE);
      if (rest.some((arg) => arg === "--config" || arg.startsWith("--config="))) {
        const { configFile, fsync, ...policy } = parseValidatorRunOptions(rest);
        const { runValidator } = await import("./network/runValidator.ts");
        const { untilInterrupted } = await import("./signals.ts");
        return runValidator(configFile, untilInterrupted(), policy, { fsync });
      }
      const { runNode } = await import("./devnet.ts");
      return runNode(parseNodeOptions(rest));
    }
    case "build-app": {
      const { ensureAppBuild } = await import("./appServer.ts");
      await ensureAppBuild({ force: !rest.includes("--if-changed"), onOutput: (line) => process.stdout.write(`${line}\n`) });
      return 0;
    }
    case "ipfs": {
      const { runIpfsCli } = await import("../ipfs/cli.ts");
      return runIpfsCli(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return help(USAGE);
    default:
      process.stderr.write(`concord: unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

function wantsHelp(args: string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

function help(text: string): number {
  process.stdout.write(text);
  return 0;
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof DevnetOptionsError) {
      process.stderr.write(`concord: ${error.message}\nRun with --help to see the options.\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`concord: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
