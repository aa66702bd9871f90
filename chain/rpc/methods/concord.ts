/** concord_*: consensus state, validator set, commit certificates and peers. */
import { blockNumberOf } from "../blockResolution.ts";
import { quantity } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { blockTag, optional } from "../validation.ts";

export const concordMethods: MethodTable = {
  concord_status: defineMethod([], ({ backend }) => {
    const status = backend.consensusStatus();
    return {
      engine: status.engine,
      height: quantity(status.height),
      round: quantity(status.round),
      step: status.step,
      proposer: status.proposer,
      validators: quantity(status.validators),
      peers: quantity(status.peers),
      latestBlock: quantity(backend.latestBlockNumber()),
    };
  }),
  concord_validators: defineMethod([optional(blockTag)], async ({ backend }, [tag]) => {
    const validators = await backend.validators(tag ?? "latest");
    return validators.map((validator) => ({
      address: validator.address,
      votingPower: quantity(validator.votingPower),
      stake: quantity(validator.stake),
      jailed: validator.jailed,
      ...(validator.proposerPriority === undefined
        ? {}
        : // Proposer priorities go negative (CometBFT): a signed decimal string keeps the sign.
          { proposerPriority: validator.proposerPriority.toString(10) }),
    }));
  }),
  concord_commitCertificate: defineMethod([blockTag], async ({ backend }, [tag]) => {
    const certificate = await backend.commitCertificate(blockNumberOf(backend, tag));
    if (certificate === undefined) return null;
    return {
      height: quantity(certificate.height),
      round: quantity(certificate.round),
      blockHash: certificate.blockHash,
      signatures: certificate.signatures.map(({ validator, signature }) => ({ validator, signature })),
    };
  }),
  concord_peers: defineMethod([], ({ backend }) => backend.peers().map(({ id, address }) => ({ id, address }))),
};
