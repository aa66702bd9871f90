/**
 * Signing for the node's unlocked dev accounts, as Hardhat's node does: eth_sendTransaction,
 * eth_sign / personal_sign (EIP-191) and eth_signTypedData_v4 (EIP-712).
 */
import { createTx, type TypedTransaction } from "@ethereumjs/tx";
import type { Common } from "@ethereumjs/common";
import { SigningKey, TypedDataEncoder, concat, hashMessage, keccak256, type TypedDataField } from "ethers";
import type { RpcBackend } from "./backend.ts";
import { RpcError, RpcErrorCode } from "./errors.ts";
import { ParamError } from "./validation.ts";
import type { Hex } from "../types.ts";

export class UnknownAccountError extends RpcError {
  constructor(address: Hex) {
    super(RpcErrorCode.ServerError, `unknown account ${address}: this node signs only for its dev accounts (eth_accounts)`);
  }
}

export interface TypedDataPayload {
  types: Record<string, TypedDataField[]>;
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}

export class DevSigner {
  readonly #keys = new Map<Hex, SigningKey>();
  readonly #queues = new Map<Hex, Promise<unknown>>();

  constructor(
    private readonly backend: RpcBackend,
    private readonly common: Common,
  ) {}

  get accounts(): Hex[] {
    return [...this.backend.devAccounts.keys()].map((address) => address.toLowerCase() as Hex);
  }

  /** Runs `task` after every earlier task for the same account has settled. */
  exclusively<T>(account: Hex | undefined, task: () => Promise<T>): Promise<T> {
    if (account === undefined) return task();
    const previous = this.#queues.get(account) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(account, settled);
    void settled.then(() => {
      if (this.#queues.get(account) === settled) this.#queues.delete(account);
    });
    return next;
  }

  /** EIP-191 `personal_sign` of raw bytes. */
  signMessage(address: Hex, message: Uint8Array): Hex {
    return this.#key(address).sign(hashMessage(message)).serialized as Hex;
  }

  signTypedData(address: Hex, payload: TypedDataPayload): Hex {
    const key = this.#key(address);
    const domainTypes = payload.types.EIP712Domain;
    const domainSeparator =
      domainTypes === undefined
        ? TypedDataEncoder.hashDomain(payload.domain)
        : TypedDataEncoder.hashStruct("EIP712Domain", { EIP712Domain: domainTypes }, payload.domain);
    const parts = ["0x1901", domainSeparator];
    if (payload.primaryType !== "EIP712Domain") {
      parts.push(TypedDataEncoder.hashStruct(payload.primaryType, reachableTypes(payload.types, payload.primaryType), payload.message));
    }
    return key.sign(keccak256(concat(parts))).serialized as Hex;
  }

  /**
   * Refuses a sender the node holds no key for, before anything else looks at it: a wallet or script
   * sending from the wrong account must hear "unknown account", not a balance or gas error from filling.
   */
  requireAccount(address: Hex | undefined): void {
    if (address !== undefined) this.#privateKey(address);
  }

  /** Signs a filled transaction with the dev key of `from`. */
  signTransaction(from: Hex, unsigned: TypedTransaction): TypedTransaction {
    return unsigned.sign(this.#privateKey(from));
  }

  /** A transaction object bound to this chain's rules, for filling and signing. */
  createTransaction(data: Parameters<typeof createTx>[0]): TypedTransaction {
    return createTx(data, { common: this.common });
  }

  #privateKey(address: Hex): Uint8Array {
    for (const [account, key] of this.backend.devAccounts) if (account.toLowerCase() === address) return key;
    throw new UnknownAccountError(address);
  }

  #key(address: Hex): SigningKey {
    let key = this.#keys.get(address);
    if (key === undefined) {
      key = new SigningKey(this.#privateKey(address));
      this.#keys.set(address, key);
    }
    return key;
  }
}

/**
 * The types the primary type uses, transitively: ethers derives the primary type from the type set
 * and refuses unused ones, while EIP-712 payloads from wallets and dapps often carry extras.
 */
export function reachableTypes(types: Record<string, TypedDataField[]>, primaryType: string): Record<string, TypedDataField[]> {
  if (types[primaryType] === undefined) throw new ParamError(`primaryType ${primaryType} is not among the types`);
  const reachable: Record<string, TypedDataField[]> = {};
  const pending = [primaryType];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reachable[name] !== undefined) continue;
    const fields = types[name]!;
    reachable[name] = fields;
    for (const { type } of fields) {
      const base = type.replace(/(\[\d*\])+$/, "");
      if (types[base] !== undefined && base !== "EIP712Domain") pending.push(base);
    }
  }
  return reachable;
}

export function isTypedDataPayload(value: unknown): value is TypedDataPayload {
  if (typeof value !== "object" || value === null) return false;
  const payload = value as Record<string, unknown>;
  const isRecord = (entry: unknown) => typeof entry === "object" && entry !== null && !Array.isArray(entry);
  return (
    isRecord(payload.types) &&
    Object.values(payload.types as object).every(
      (fields) => Array.isArray(fields) && fields.every((f) => isRecord(f) && typeof f.name === "string" && typeof f.type === "string"),
    ) &&
    typeof payload.primaryType === "string" &&
    isRecord(payload.domain ?? {}) &&
    isRecord(payload.message ?? {})
  );
}
