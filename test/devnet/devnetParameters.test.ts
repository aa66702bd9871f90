import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConcordNode } from "../../chain/node.ts";
import { validatorKeys } from "../../chain/execution/devAccounts.ts";
import { defaultGenesisConfig } from "../../chain/execution/genesis.ts";
import { checkDevnetParameters } from "../../hardhatPlugins/devnetParameters.ts";
import { PROJECT_ROOT } from "./devnetProcess.ts";

const run = promisify(execFile);

describe("the devnet's Ignition parameters stay on development chains", () => {
  it("are accepted on 31337 or a chain that answers hardhat_metadata, refused elsewhere with what to set", () => {
    checkDevnetParameters("ignition/parameters.devnet.json", 31337n, false);
    checkDevnetParameters("ignition/parameters.devnet.json", 5n, true);
    checkDevnetParameters("my-parameters.json", 1n, false);
    assert.throws(() => checkDevnetParameters("ignition/parameters.devnet.json", 1n, false), {
      code: "DEVNET_PARAMETERS_ON_ANOTHER_CHAIN",
      message: /Chain 1 is not a development chain.*Governance\.recipients, Governance\.amounts, Governance\.guardian/,
    });
  });

  it("`hardhat ignition deploy --parameters ignition/parameters.devnet.json` against a non-development node (chain 5) is refused before any transaction", async () => {
    const [validator] = validatorKeys(1);
    const genesis = defaultGenesisConfig({ chainId: 5n, validators: [{ operator: validator!.address, signer: validator!.address, stake: 10n ** 21n }] });
    const node = new ConcordNode({ genesis, validatorKey: validator!.privateKey, rpc: { port: 0 }, devMode: false });
    await node.start();
    try {
      const failure = await run(
        "npx",
        ["hardhat", "ignition", "deploy", "ignition/modules/Concord.ts", "--network", "devnet", "--parameters", "ignition/parameters.devnet.json"],
        { cwd: PROJECT_ROOT, env: { ...process.env, CONCORD_RPC_URL: node.rpc!.url, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" } },
      ).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      assert.ok(failure !== undefined, "the deployment must be refused");
      assert.notEqual(failure.code, 0);
      assert.match(failure.stdout + failure.stderr, /parameters\.devnet\.json is for a development chain only/);
      assert.equal(node.backend.latestBlockNumber(), 0n, "nothing was sent");
    } finally {
      await node.stop();
    }
  });
});
