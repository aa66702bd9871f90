/**
 * Child-process entry of differential.test.ts: replays recorded chains (argv: JSON files of
 * ChainRecord) on stock ethereumjs, `createVM` + `MerkleStateManager` + `runBlock`, ethereumjs' own
 * crypto and RLP, with no Concord patch installed in this process (checked before and after), and
 * prints one ReplayResult per chain as a JSON line.
 *
 * The genesis state is rebuilt from the allocation; each block is decoded from its RLP (senders
 * recovered by ethereumjs) and run with `generate: true`, so ethereumjs computes every root and
 * nothing is taken from the block's header; BLOCKHASH answers from the recorded blocks.
 */
import { readFileSync } from "node:fs";
import { createBlockFromRLP, type Block } from "@ethereumjs/block";
import { createCustomCommon, Hardfork, Mainnet } from "@ethereumjs/common";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, bytesToHex, createAddressFromString, hexToBytes, setLengthLeft, type PrefixedHexString } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { concordChain } from "../../../../chain/execution/common.ts";
import { activePatches } from "../../../../chain/execution/patches/installPatches.ts";
import type { BlockResult, ChainRecord, ReplayResult } from "./chainRecord.ts";

const hex = (value: string) => hexToBytes(value as PrefixedHexString);

async function replay(record: ChainRecord): Promise<ReplayResult> {
  const common = createCustomCommon(concordChain(BigInt(record.chainId)), Mainnet, { hardfork: Hardfork.Prague });
  const stateManager = new MerkleStateManager({ common });
  for (const [address, account] of Object.entries(record.alloc)) {
    const at = createAddressFromString(address);
    await stateManager.putAccount(at, new Account(BigInt(account.nonce), BigInt(account.balance)));
    if (account.code !== "0x") await stateManager.putCode(at, hex(account.code));
    for (const [slot, value] of Object.entries(account.storage)) await stateManager.putStorage(at, setLengthLeft(hex(slot), 32), hex(value));
  }
  const genesisRoot = bytesToHex(await stateManager.getStateRoot());

  const blocks: Block[] = [record.genesis, ...record.blocks].map((rlp) => createBlockFromRLP(hex(rlp), { common }));
  const blockchain = {
    async getBlock(number: number | bigint) {
      const block = blocks[Number(number)];
      if (block === undefined) throw new Error(`no block ${number}`);
      return block;
    },
    async putBlock() {},
    shallowCopy() {
      return blockchain;
    },
  };
  const vm = await createVM({ common, stateManager, blockchain: blockchain as never });
  const results: BlockResult[] = [];
  let root = hex(genesisRoot);
  for (const block of blocks.slice(1)) {
    const run = await runBlock(vm, { block, root, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true });
    root = run.stateRoot;
    results.push({
      number: block.header.number.toString(),
      stateRoot: bytesToHex(run.stateRoot),
      receiptsRoot: bytesToHex(run.receiptsRoot),
      logsBloom: bytesToHex(run.logsBloom),
      gasUsed: run.gasUsed.toString(),
      requestsHash: run.requestsHash === undefined ? "" : bytesToHex(run.requestsHash),
      receipts: run.receipts.map((receipt, i) => ({
        status: (receipt as { status?: number }).status ?? -1,
        cumulativeGasUsed: receipt.cumulativeBlockGasUsed.toString(),
        gasUsed: run.results[i]!.totalGasSpent.toString(),
        logs: receipt.logs.map(([address, topics, data]) => [bytesToHex(address), topics.map((topic) => bytesToHex(topic)), bytesToHex(data)] as [string, string[], string]),
      })),
    });
  }
  return { name: record.name, genesisRoot, results };
}

const before = await activePatches();
if (before.length > 0) throw new Error(`the stock replay must run without Concord's patches, found: ${before.join(", ")}`);
for (const file of process.argv.slice(2)) {
  const record = JSON.parse(readFileSync(file, "utf8")) as ChainRecord;
  process.stdout.write(`${JSON.stringify(await replay(record))}\n`);
}
const after = await activePatches();
if (after.length > 0) throw new Error(`a Concord patch got installed during the stock replay: ${after.join(", ")}`);
