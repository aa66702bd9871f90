/**
 * The few types every part of the node shares, defined once: hex strings at the boundaries, and
 * the commit certificate that storage keeps, consensus makes and RPC serves.
 */

/** Hashes, addresses and byte strings at the node's boundaries: 0x-prefixed lowercase hex. */
export type Hex = `0x${string}`;

/**
 * A consensus round within a height. A bounded integer, not a bigint: rounds start at 0 for every
 * height and only grow while the network fails to agree (timeouts grow with the round), so even a
 * network stuck for centuries stays far below the bound; messages with a larger round are malformed.
 */
export type Round = number;
export const MAX_ROUND = 2 ** 31 - 1;

/** One validator's signature over a commit (chain/consensus/commitCertificate.ts says what is signed). */
export interface CommitSignature {
  /** Lowercase address of the validator's signing key. */
  validator: Hex;
  /** 65 bytes r ‖ s ‖ v, hex. */
  signature: Hex;
}

/** The proof that a block is final: signatures of validators holding more than 2/3 of the voting power. */
export interface CommitCertificate {
  height: bigint;
  round: Round;
  blockHash: Hex;
  /** One entry per validator that precommitted the block. */
  signatures: CommitSignature[];
}
