/** A validator key held in process memory (the devnet's keys come from the test mnemonic). */
import { addressOfKey, signCommit } from "./commitCertificate.ts";
import type { ConsensusSigner } from "./engine.ts";
import type { CommitSignature, Hex } from "../types.ts";

export class LocalSigner implements ConsensusSigner {
  readonly address: Hex;

  constructor(
    private readonly privateKey: Uint8Array,
    private readonly chainId: bigint,
  ) {
    if (privateKey.length !== 32) throw new RangeError(`a validator key is 32 bytes, got ${privateKey.length}`);
    this.address = addressOfKey(privateKey);
  }

  signCommit(height: bigint, round: number, blockHash: Hex): CommitSignature {
    return signCommit(this.privateKey, this.chainId, height, round, blockHash);
  }
}
