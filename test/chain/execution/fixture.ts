/**
 * A real chain for execution tests: Concord Common, a genesis (optionally with the staking
 * predeploy), an in-memory chain store holding it, and a block executor over that store.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createTx, type TypedTransaction, type TypedTxData } from "@ethereumjs/tx";
import { createConcordCommon } from "../../../chain/execution/common.ts";
import { BlockExecutor, type ExecutedBlock, type PendingTransaction } from "../../../chain/execution/blockExecutor.ts";
import { devAccountKeys, validatorKeys, type DerivedKey } from "../../../chain/execution/devAccounts.ts";
import { createGenesis, defaultGenesisConfig, type DefaultGenesisOptions, type GenesisConfig } from "../../../chain/execution/genesis.ts";
import { stakingSystemCalls } from "../../../chain/execution/stakingState.ts";
import { ChainStore } from "../../../chain/storage/chainStore.ts";
import { MemoryKeyValueStore } from "../../../chain/storage/keyValueStore.ts";
import type { Hex } from "../../../chain/types.ts";

export const ETHER = 10n ** 18n;

export interface ExecutionFixture {
  common: Common;
  config: GenesisConfig;
  genesis: Block;
  store: ChainStore;
  executor: BlockExecutor;
  accounts: DerivedKey[];
  validators: DerivedKey[];
  /** Signs a dynamic-fee transaction from `from` (defaults: 21000 gas, 10 gwei max fee, 1 gwei tip). */
  sign(from: DerivedKey, data: Partial<TypedTxData> & { nonce: bigint }): PendingTransaction;
  /** Commits an executed block (without a certificate: execution tests do not test consensus). */
  commit(executed: ExecutedBlock): Promise<void>;
}

export async function executionFixture(options: DefaultGenesisOptions & { staking?: boolean; epochLength?: bigint } = {}): Promise<ExecutionFixture> {
  const common = await createConcordCommon();
  const validators = validatorKeys(1);
  const config = defaultGenesisConfig({
    ...options,
    validators: options.staking === true ? validators.map((v) => ({ operator: v.address, signer: v.address, stake: 1000n * ETHER })) : [],
    stakingConfig: options.epochLength === undefined ? options.stakingConfig : { ...options.stakingConfig, epochLength: options.epochLength },
  });
  const genesis = await createGenesis(config, common);
  const store = await ChainStore.open(new MemoryKeyValueStore(), common);
  await store.commitBlock({ block: genesis.block, senders: [], receipts: [], stateNodes: genesis.stateNodes });
  const epochLength = config.staking?.config.epochLength;
  const executor = new BlockExecutor({
    common,
    stateNodes: store,
    blockHashes: store,
    systemCalls: epochLength === undefined ? undefined : stakingSystemCalls(epochLength),
  });
  return {
    common,
    config,
    genesis: genesis.block,
    store,
    executor,
    accounts: devAccountKeys(),
    validators,
    sign(from, data) {
      const tx: TypedTransaction = createTx(
        { type: 2, gasLimit: 21_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, chainId: 31337n, ...data } as TypedTxData,
        { common },
      ).sign(from.privateKey);
      return { tx, sender: tx.getSenderAddress().toString() as Hex };
    },
    async commit(executed) {
      await store.commitBlock(executed);
    },
  };
}
