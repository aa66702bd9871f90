// The identity contracts as the credential tests see them: deployed by the production Ignition
// module, with named accounts, a DID delegate of each kind, and a contract-wallet issuer. Defines no tests.
import type { NetworkConnection } from "hardhat/types/network";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Contract } from "ethers";
import { encodeBytes32String } from "ethers";
import IdentityModule from "../../../ignition/modules/Identity.ts";
import { createCredential, readCredentialDomain } from "../../../lib/credentials.ts";
import type { Credential, CredentialDomain } from "../../../lib/credentials.ts";

export const VERI_KEY = encodeBytes32String("veriKey");
export const SIG_AUTH = encodeBytes32String("sigAuth");
export const DAY = 86_400n;

/** ICredentialRegistry.Status and StatusChange, in declaration order. */
export const Status = { Unknown: 0n, Active: 1n, Suspended: 2n, Revoked: 3n, Expired: 4n } as const;
export const Change = { Revoke: 0n, Suspend: 1n, Reinstate: 2n } as const;

export interface IdentityFixture {
  didRegistry: Contract;
  credentialRegistry: Contract;
  /** A contract wallet (ERC-1271) owned by `walletOwner`, used as an issuer. */
  wallet: Contract;
  domain: CredentialDomain;
  issuer: HardhatEthersSigner;
  /** A veriKey delegate of `issuer`, valid for a day. */
  veriKeyDelegate: HardhatEthersSigner;
  /** A sigAuth delegate of `issuer`, valid for a day. */
  sigAuthDelegate: HardhatEthersSigner;
  subject: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  walletOwner: HardhatEthersSigner;
}

export async function deployIdentity(connection: NetworkConnection): Promise<IdentityFixture> {
  const { ethers, ignition } = connection;
  const [issuer, veriKeyDelegate, sigAuthDelegate, subject, stranger, relayer, walletOwner] = await ethers.getSigners();
  const { didRegistry, credentialRegistry } = await ignition.deploy(IdentityModule);
  await as(didRegistry, issuer!).addDelegate(issuer!.address, VERI_KEY, veriKeyDelegate!.address, DAY);
  await as(didRegistry, issuer!).addDelegate(issuer!.address, SIG_AUTH, sigAuthDelegate!.address, DAY);
  const wallet = await ethers.deployContract("OwnedContractWallet", [walletOwner!.address]);
  const domain = await readCredentialDomain(ethers.provider, await credentialRegistry.getAddress());
  return {
    didRegistry,
    credentialRegistry,
    wallet,
    domain,
    issuer: issuer!,
    veriKeyDelegate: veriKeyDelegate!,
    sigAuthDelegate: sigAuthDelegate!,
    subject: subject!,
    stranger: stranger!,
    relayer: relayer!,
    walletOwner: walletOwner!,
  };
}

/** A membership credential from `issuer` about `subject`, issued at `issuedAt`. */
export function membershipCredential(
  issuer: string,
  subject: string,
  issuedAt: bigint,
  overrides: { expiresAt?: bigint; salt?: string; claims?: unknown } = {},
): Credential {
  return createCredential({
    issuer,
    subject,
    schema: "https://concord.example/schemas/membership/v1",
    claims: overrides.claims ?? { organisation: "Concord DAO", role: "member", since: "2026-01-01" },
    issuedAt,
    expiresAt: overrides.expiresAt ?? 0n,
    salt: overrides.salt ?? "0x" + "5a".repeat(32),
  });
}

/** A contract bound to a signer, with its functions callable by name. */
export function as(contract: Contract, signer: HardhatEthersSigner): Contract {
  return contract.connect(signer) as Contract;
}
