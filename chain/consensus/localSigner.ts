/**
 * A validator key held in process memory (the devnet's keys come from the test mnemonic). Commit
 * signatures of the single-validator engine are signed directly; proposals and votes (BFT engines)
 * only through the sign guard, which refuses anything that could equivocate (signGuard.ts).
 */
import { addressOfKey, signCommit } from "./commitCertificate.ts";
import { ConsensusError, type ConsensusSigner } from "./engine.ts";
import type { ConsensusMessage, SignedMessage } from "./messages.ts";
import { SignGuard } from "./signGuard.ts";
import type { SignStateFileOptions } from "./signStateFile.ts";
import type { CommitSignature, Hex, Round } from "../types.ts";

export class LocalSigner implements ConsensusSigner {
  readonly address: Hex;

  constructor(
    private readonly privateKey: Uint8Array,
    private readonly chainId: bigint,
    private readonly guard?: SignGuard,
  ) {
    if (privateKey.length !== 32) throw new RangeError(`a validator key is 32 bytes, got ${privateKey.length}`);
    this.address = addressOfKey(privateKey);
  }

  /** A signer for proposals and votes, guarded by the sign state in `signStateFile`. */
  static async guarded(privateKey: Uint8Array, chainId: bigint, signStateFile: string, options: SignStateFileOptions = {}): Promise<LocalSigner> {
    return new LocalSigner(privateKey, chainId, await SignGuard.open(signStateFile, privateKey, chainId, options));
  }

  signCommit(height: bigint, round: Round, blockHash: Hex): CommitSignature {
    return signCommit(this.privateKey, this.chainId, height, round, blockHash, this.address);
  }

  async close(): Promise<void> {
    await this.guard?.close();
  }

  sign<M extends ConsensusMessage>(message: M): Promise<SignedMessage<M>> {
    if (this.guard === undefined) {
      return Promise.reject(new ConsensusError("UNGUARDED_SIGNER", "this signer has no sign guard: build it with LocalSigner.guarded() to sign proposals and votes"));
    }
    return this.guard.sign(message);
  }
}
