/**
 * Calls the protocol makes without a transaction: Concord's own (the staking contract's
 * `advanceEpoch` at epoch boundaries) and Ethereum's Prague block prologue and epilogue
 * (EIP-4788 beacon roots, EIP-2935 block hash history, EIP-7002 / EIP-7251 request queues).
 *
 * All follow EIP-4788's system-call convention: caller 0xff..fe, 30M gas, no gas charged, no
 * transaction, and the system account itself is left exactly as it was (never created, nonce
 * unchanged), so the state root does not depend on the call having happened to it.
 */
import { CLRequest, CLRequestType, createAddressFromString, bigIntToBytes, setLengthLeft, type Address } from "@ethereumjs/util";
import type { Block } from "@ethereumjs/block";
import type { ExecResult } from "@ethereumjs/evm";
import type { VM } from "@ethereumjs/vm";
import type { RawLog } from "./receipts.ts";

export const SYSTEM_ADDRESS = "0xfffffffffffffffffffffffffffffffffffffffe" as const;
export const SYSTEM_CALL_GAS = 30_000_000n;

const systemAddress = createAddressFromString(SYSTEM_ADDRESS);
const BEACON_ROOTS_ADDRESS = createAddressFromString("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02");
const HISTORY_STORAGE_ADDRESS = createAddressFromString("0x0000F90827F1C53A10CB7A02335B175320002935");
const WITHDRAWAL_REQUESTS_ADDRESS = createAddressFromString("0x00000961EF480EB55E80D19AD83579A64C007002");
const CONSOLIDATION_REQUESTS_ADDRESS = createAddressFromString("0x0000BBDDC7CE488642FB579F8B00F3A590007251");
const RING_BUFFER_LENGTH = 8191n;

/** A call a block makes from the system address before its transactions. */
export interface SystemCall {
  to: Address;
  data: Uint8Array;
}

export interface SystemCallResult {
  execResult: ExecResult;
  logs: RawLog[];
}

/** Runs one system call on `vm`'s current state (inside the caller's checkpoint, if any). */
export async function runSystemCall(vm: VM, call: SystemCall, block: Block): Promise<SystemCallResult> {
  const systemAccount = await vm.stateManager.getAccount(systemAddress);
  const result = await vm.evm.runCall({
    caller: systemAddress,
    origin: systemAddress,
    to: call.to,
    data: call.data,
    gasLimit: SYSTEM_CALL_GAS,
    block,
    skipNonceIncrement: true,
  });
  if (systemAccount === undefined) await vm.stateManager.deleteAccount(systemAddress);
  else await vm.stateManager.putAccount(systemAddress, systemAccount);
  await vm.evm.journal.cleanup();
  return { execResult: result.execResult, logs: (result.execResult.logs ?? []) as RawLog[] };
}

/**
 * EIP-4788 and EIP-2935: record the parent beacon root and the parent hash in their ring buffers,
 * when the contracts exist (Concord's genesis does not deploy them; a chain that deploys them gets
 * Ethereum's behaviour).
 */
export async function runBlockPrologue(vm: VM, block: Block): Promise<void> {
  const { header } = block;
  if ((await vm.stateManager.getCode(BEACON_ROOTS_ADDRESS)).length > 0) {
    const index = header.timestamp % RING_BUFFER_LENGTH;
    await vm.stateManager.putStorage(BEACON_ROOTS_ADDRESS, slot(index), bigIntToBytes(header.timestamp));
    await vm.stateManager.putStorage(BEACON_ROOTS_ADDRESS, slot(index + RING_BUFFER_LENGTH), header.parentBeaconBlockRoot!);
  }
  if ((await vm.stateManager.getCode(HISTORY_STORAGE_ADDRESS)).length > 0) {
    await vm.stateManager.putStorage(HISTORY_STORAGE_ADDRESS, slot((header.number - 1n) % RING_BUFFER_LENGTH), header.parentHash);
  }
  await vm.evm.journal.cleanup();
}

/**
 * EIP-7685 requests of a block: withdrawal and consolidation requests dequeued from their predeploys
 * when these exist. Deposits (EIP-6110) come from logs of Ethereum's deposit contract, which cannot
 * exist on a Concord chain (no one holds the key that deployed it), so they are always empty.
 */
export async function collectRequests(vm: VM, block: Block): Promise<CLRequest<CLRequestType>[]> {
  const requests: CLRequest<CLRequestType>[] = [new CLRequest(CLRequestType.Deposit, new Uint8Array())];
  for (const [type, address] of [
    [CLRequestType.Withdrawal, WITHDRAWAL_REQUESTS_ADDRESS],
    [CLRequestType.Consolidation, CONSOLIDATION_REQUESTS_ADDRESS],
  ] as const) {
    if ((await vm.stateManager.getAccount(address)) === undefined) {
      requests.push(new CLRequest(type, new Uint8Array()));
      continue;
    }
    const { execResult } = await runSystemCall(vm, { to: address, data: new Uint8Array() }, block);
    requests.push(new CLRequest(type, execResult.returnValue));
  }
  return requests;
}

/**
 * Whether any contract of Ethereum's block prologue or request epilogue is deployed in the state
 * `reader` reads: without them (Concord's genesis) a block without transactions and without system
 * calls leaves the state exactly as it was.
 */
export async function hasProtocolContracts(reader: {
  getCode(address: Address): Promise<Uint8Array>;
  getAccount(address: Address): Promise<unknown>;
}): Promise<boolean> {
  if ((await reader.getCode(BEACON_ROOTS_ADDRESS)).length > 0) return true;
  if ((await reader.getCode(HISTORY_STORAGE_ADDRESS)).length > 0) return true;
  for (const address of [WITHDRAWAL_REQUESTS_ADDRESS, CONSOLIDATION_REQUESTS_ADDRESS]) {
    if ((await reader.getAccount(address)) !== undefined) return true;
  }
  return false;
}

function slot(index: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(index), 32);
}
