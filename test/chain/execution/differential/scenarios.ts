/**
 * The chains the end-to-end differential builds with Concord's executor:
 * - `governanceChain`: the project's real contracts (ConcordToken, ConcordTimelock, ConcordGovernor
 *   from artifacts/) through a whole DAO decision: deploy, delegate, fund the treasury, propose,
 *   vote (for, against, abstain, with reason), queue, wait out the timelock, execute; with ERC20
 *   transfers, approvals, transferFrom and a reverting transfer along the way;
 * - `randomChain(seed)`: random programs (randomPrograms.ts) deployed and called, random creations,
 *   ETH transfers to accounts, contracts and precompiles, legacy / EIP-2930 / EIP-1559 transactions,
 *   gas limits that run out.
 */
import { readFileSync } from "node:fs";
import { AbiCoder, Interface, getCreateAddress, id, keccak256 } from "ethers";
import { bytesToHex } from "@ethereumjs/util";
import type { PendingTransaction } from "../../../../chain/execution/blockExecutor.ts";
import type { Hex } from "../../../../chain/types.ts";
import { seeded } from "../seededRandom.ts";
import { RecordingChain } from "./recordingChain.ts";
import { deployCode, randomProgram } from "./randomPrograms.ts";

const ETHER = 10n ** 18n;

function artifact(path: string): { abi: Interface; bytecode: string } {
  const json = JSON.parse(readFileSync(new URL(`../../../../artifacts/contracts/${path}`, import.meta.url), "utf8")) as { abi: unknown[]; bytecode: string };
  return { abi: new Interface(json.abi as never), bytecode: json.bytecode };
}

/** Asserts the scenario did what it says (a differential over failed transactions proves little). */
function expectStatuses(built: { receipts: { status: number }[] }, expected: number[], what: string): void {
  const statuses = built.receipts.map((r) => r.status);
  if (JSON.stringify(statuses) !== JSON.stringify(expected)) throw new Error(`${what}: statuses ${statuses.join(",")}, expected ${expected.join(",")}`);
}

export async function governanceChain(): Promise<RecordingChain> {
  const chain = await RecordingChain.create("governance");
  const [deployer, alice, bob, carol, dave] = chain.accounts as [typeof chain.accounts[0], ...typeof chain.accounts];
  const grantee = "0x00000000000000000000000000000000000c0de5";
  const token = artifact("governance/ConcordToken.sol/ConcordToken.json");
  const timelock = artifact("governance/ConcordTimelock.sol/ConcordTimelock.json");
  const governor = artifact("governance/ConcordGovernor.sol/ConcordGovernor.json");
  const holders = [deployer, alice, bob, carol, dave].map((a) => a!.address);

  const tokenAt = getCreateAddress({ from: deployer!.address, nonce: 0 }) as Hex;
  const timelockAt = getCreateAddress({ from: deployer!.address, nonce: 1 }) as Hex;
  const governorAt = getCreateAddress({ from: deployer!.address, nonce: 2 }) as Hex;
  const deploy = (a: ReturnType<typeof artifact>, args: unknown[]) => (a.bytecode + a.abi.encodeDeploy(args).slice(2)) as Hex;
  const call = (to: Hex, a: ReturnType<typeof artifact>, fn: string, args: unknown[], gasLimit = 300_000n) => ({ to, data: a.abi.encodeFunctionData(fn, args) as Hex, gasLimit });

  expectStatuses(
    await chain.block([
      chain.tx(deployer!, { data: deploy(token, [holders, holders.map(() => 1_000_000n * ETHER)]), gasLimit: 6_000_000n }),
      chain.tx(deployer!, { data: deploy(timelock, [60n, [], ["0x0000000000000000000000000000000000000000"], deployer!.address]), gasLimit: 6_000_000n }),
    ]),
    [1, 1],
    "deployments",
  );
  expectStatuses(
    await chain.block([
      chain.tx(deployer!, { data: deploy(governor, [tokenAt, timelockAt, 1n, 300n, 1000n * ETHER, 4n, 60n, "0x0000000000000000000000000000000000000000"]), gasLimit: 10_000_000n }),
      ...[deployer, alice, bob, carol].map((a) => chain.tx(a!, call(tokenAt, token, "delegate", [a!.address]))),
      chain.tx(dave!, { to: timelockAt, value: 5n * ETHER, gasLimit: 50_000n }),
      chain.tx(dave!, call(tokenAt, token, "transfer", [timelockAt, 10_000n * ETHER])),
    ]),
    [1, 1, 1, 1, 1, 1, 1],
    "governor, delegations, treasury",
  );
  expectStatuses(
    await chain.block([
      chain.tx(deployer!, call(timelockAt, timelock, "grantRole", [id("PROPOSER_ROLE"), governorAt])),
      chain.tx(deployer!, call(timelockAt, timelock, "grantRole", [id("CANCELLER_ROLE"), governorAt])),
      chain.tx(alice!, call(tokenAt, token, "approve", [bob!.address, 300n * ETHER])),
      chain.tx(bob!, call(tokenAt, token, "transferFrom", [alice!.address, dave!.address, 200n * ETHER])),
      chain.tx(bob!, call(tokenAt, token, "transferFrom", [alice!.address, dave!.address, 200n * ETHER])), // above the allowance left
      chain.tx(dave!, call(tokenAt, token, "transfer", [carol!.address, 10n ** 30n])), // above the balance
      chain.tx(deployer!, call(timelockAt, timelock, "renounceRole", ["0x" + "00".repeat(32), deployer!.address])),
    ]),
    [1, 1, 1, 1, 0, 0, 1],
    "roles and token moves",
  );

  const targets = [grantee, tokenAt];
  const values = [1n * ETHER, 0n];
  const calldatas = ["0x", token.abi.encodeFunctionData("transfer", [grantee, 500n * ETHER])];
  const description = "Grant 1 ETH and 500 CORD to the tooling fund";
  const descriptionHash = id(description);
  const proposalId = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address[]", "uint256[]", "bytes[]", "bytes32"], [targets, values, calldatas, descriptionHash])));
  expectStatuses(await chain.block([chain.tx(deployer!, call(governorAt, governor, "propose", [targets, values, calldatas, description], 1_000_000n))]), [1], "propose");
  expectStatuses(
    await chain.block(
      [
        chain.tx(deployer!, call(governorAt, governor, "castVote", [proposalId, 1])),
        chain.tx(alice!, call(governorAt, governor, "castVote", [proposalId, 0])),
        chain.tx(bob!, call(governorAt, governor, "castVote", [proposalId, 2])),
        chain.tx(carol!, call(governorAt, governor, "castVoteWithReason", [proposalId, 1, "for the tools"])),
        chain.tx(carol!, call(governorAt, governor, "castVote", [proposalId, 1])), // votes twice: reverts
      ],
      2n,
    ),
    [1, 1, 1, 1, 0],
    "votes",
  );
  expectStatuses(await chain.block([chain.tx(alice!, call(governorAt, governor, "queue(address[],uint256[],bytes[],bytes32)", [targets, values, calldatas, descriptionHash], 500_000n))], 301n), [1], "queue");
  expectStatuses(await chain.block([chain.tx(bob!, call(governorAt, governor, "execute(address[],uint256[],bytes[],bytes32)", [targets, values, calldatas, descriptionHash], 500_000n))], 61n), [1], "execute");
  return chain;
}

/** Accounts the random programs and transfers touch besides the contracts they create. */
const FRESH = Array.from({ length: 6 }, (_, i) => `0x${(0xf000 + i).toString(16).padStart(40, "0")}`);
const PRECOMPILE_TARGETS = [1, 2, 3, 4, 5, 6, 8, 9, 0x0b, 0x0d, 0x11].map((n) => `0x${n.toString(16).padStart(40, "0")}`);

export async function randomChain(seed: number, blocks: number, txsPerBlock: number): Promise<RecordingChain> {
  const random = seeded(seed);
  const chain = await RecordingChain.create(`random seed ${seed}`);
  const senders = chain.accounts.slice(0, 10);
  const addresses: string[] = [...senders.map((s) => s.address), ...FRESH];
  /** The address a creation from `sender` will get (only while its nonces are not skipped: a guess). */
  const nextCreate = (tx: PendingTransaction) => getCreateAddress({ from: tx.sender, nonce: Number(tx.tx.nonce) });

  // The first block deploys a few contracts with random code, for the rest to call.
  const deployments = senders.slice(0, 4).map((sender) =>
    chain.tx(sender, { data: bytesToHex(deployCode(randomProgram(random, { addresses }, 25))) as Hex, gasLimit: 3_000_000n }),
  );
  for (const d of deployments) addresses.push(nextCreate(d));
  await chain.block(deployments);

  for (let b = 0; b < blocks; b++) {
    const txs: PendingTransaction[] = [];
    for (let i = 0; i < txsPerBlock; i++) {
      const sender = random.pick(senders);
      const type = random.pick([0, 1, 2, 2, 2]);
      const gasLimit = random.int(5) === 0 ? BigInt(21_000 + random.int(40_000)) : BigInt(60_000 + random.int(900_000));
      const accessList =
        type === 1 || (type === 2 && random.int(4) === 0)
          ? [{ address: random.pick(addresses), storageKeys: [bytesToHex(new Uint8Array(32).fill(random.int(3)))] }]
          : undefined;
      const common = { type, gasLimit, ...(accessList === undefined ? {} : { accessList }) };
      switch (random.int(6)) {
        case 0:
        case 1:
        case 2: {
          const to = random.pick(addresses.slice(senders.length + FRESH.length)) as Hex;
          txs.push(chain.tx(sender, { ...common, to, data: bytesToHex(random.bytes(random.int(70))) as Hex, value: BigInt(random.int(3) === 0 ? random.int(10 ** 6) : 0) }));
          break;
        }
        case 3: {
          const to = random.pick([...addresses, ...PRECOMPILE_TARGETS]) as Hex;
          txs.push(chain.tx(sender, { ...common, to, value: BigInt(random.int(10 ** 9)), data: bytesToHex(random.bytes(random.int(4) === 0 ? 64 : 0)) as Hex }));
          break;
        }
        case 4: {
          // A creation whose init code is itself a random program (it may deploy whatever it returns).
          const tx = chain.tx(sender, { ...common, data: bytesToHex(randomProgram(random, { addresses }, 10 + random.int(20))) as Hex, value: BigInt(random.int(1000)) });
          txs.push(tx);
          break;
        }
        default: {
          const tx = chain.tx(sender, { ...common, gasLimit: 2_000_000n, data: bytesToHex(deployCode(randomProgram(random, { addresses }, 20))) as Hex });
          addresses.push(nextCreate(tx));
          txs.push(tx);
        }
      }
    }
    await chain.block(txs, BigInt(1 + random.int(20)));
  }
  return chain;
}
