// Concord verifiable credentials, off-chain side: the EIP-712 typed data of a credential, signing it
// (and the relayed anchor / status-change authorisations), and verifying a presented credential from
// its signature plus what the chain says now (issuer's keys in the DID registry, status in the
// CredentialRegistry). Browser-safe: ethers v6 only.
import {
  Contract,
  TypedDataEncoder,
  getAddress,
  hexlify,
  isError,
  isHexString,
  keccak256,
  randomBytes,
  recoverAddress,
  toUtf8Bytes,
} from "ethers";
import type { ContractRunner, Provider, Signer, TypedDataField } from "ethers";

export const CREDENTIAL_DOMAIN_NAME = "Concord Credentials";
export const CREDENTIAL_DOMAIN_VERSION = "1";

/** EIP-712 types of a credential; must match CredentialRegistry.CREDENTIAL_TYPEHASH. */
export const CREDENTIAL_TYPES: Record<string, TypedDataField[]> = {
  Credential: [
    { name: "issuer", type: "address" },
    { name: "subject", type: "address" },
    { name: "schema", type: "bytes32" },
    { name: "claimsHash", type: "bytes32" },
    { name: "issuedAt", type: "uint64" },
    { name: "expiresAt", type: "uint64" },
    { name: "salt", type: "bytes32" },
  ],
};

/** EIP-712 types of a relayed anchor authorisation (CredentialRegistry.anchorBySig). */
export const ANCHOR_TYPES: Record<string, TypedDataField[]> = {
  AnchorCredential: [
    { name: "credentialId", type: "bytes32" },
    { name: "signer", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** EIP-712 types of a relayed status change (CredentialRegistry.changeStatusBySig). */
export const STATUS_CHANGE_TYPES: Record<string, TypedDataField[]> = {
  ChangeCredentialStatus: [
    { name: "credentialId", type: "bytes32" },
    { name: "change", type: "uint8" },
    { name: "signer", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The subset of CredentialRegistry's ABI that the app and scripts use. */
export const CREDENTIAL_REGISTRY_ABI = [
  "function didRegistry() view returns (address)",
  "function credentialId((address issuer, address subject, bytes32 schema, bytes32 claimsHash, uint64 issuedAt, uint64 expiresAt, bytes32 salt) credential) view returns (bytes32)",
  "function isAuthorized(address issuer, address actor) view returns (bool)",
  "function nonces(address issuer) view returns (uint256)",
  "function statusOf(bytes32 id) view returns (uint8)",
  "function recordOf(bytes32 id) view returns ((address issuer, uint8 status, uint64 expiresAt, uint64 anchoredAt))",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function anchor((address issuer, address subject, bytes32 schema, bytes32 claimsHash, uint64 issuedAt, uint64 expiresAt, bytes32 salt) credential) returns (bytes32)",
  "function anchorBySig((address issuer, address subject, bytes32 schema, bytes32 claimsHash, uint64 issuedAt, uint64 expiresAt, bytes32 salt) credential, address signer, uint256 nonce, uint256 deadline, bytes signature) returns (bytes32)",
  "function revoke(bytes32 id)",
  "function suspend(bytes32 id)",
  "function reinstate(bytes32 id)",
  "function changeStatusBySig(bytes32 id, uint8 change, address signer, uint256 nonce, uint256 deadline, bytes signature)",
  "function verifyCredential((address issuer, address subject, bytes32 schema, bytes32 claimsHash, uint64 issuedAt, uint64 expiresAt, bytes32 salt) credential, address signer, bytes signature) view returns (bytes32)",
  "function isValidCredential((address issuer, address subject, bytes32 schema, bytes32 claimsHash, uint64 issuedAt, uint64 expiresAt, bytes32 salt) credential, address signer, bytes signature) view returns (bool)",
  "event CredentialAnchored(bytes32 indexed credentialId, address indexed issuer, address indexed subject, bytes32 schema, uint64 expiresAt, address anchoredBy)",
  "event CredentialRevoked(bytes32 indexed credentialId, address indexed issuer, address revokedBy)",
  "event CredentialSuspended(bytes32 indexed credentialId, address indexed issuer, address suspendedBy)",
  "event CredentialReinstated(bytes32 indexed credentialId, address indexed issuer, address reinstatedBy)",
  "error CredentialRegistryUnauthorized(address issuer, address actor)",
  "error CredentialRegistryAlreadyAnchored(bytes32 credentialId)",
  "error CredentialRegistryUnknownCredential(bytes32 credentialId)",
  "error CredentialRegistryInvalidValidity(uint64 issuedAt, uint64 expiresAt)",
  "error CredentialRegistryCredentialExpired(bytes32 credentialId, uint64 expiresAt)",
  "error CredentialRegistryInvalidStatusChange(bytes32 credentialId, uint8 status, uint8 change)",
  "error CredentialRegistryExpiredAuthorization(uint256 deadline)",
  "error CredentialRegistryInvalidNonce(address issuer, uint256 expected, uint256 given)",
  "error CredentialRegistryInvalidSignature(address signer)",
  "error CredentialRegistryNotActive(bytes32 credentialId, uint8 status)",
] as const;

const ERC1271_ABI = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"] as const;
const ERC1271_MAGIC_VALUE = "0x1626ba7e";
const UINT64_MAX = (1n << 64n) - 1n;

/** The signed content of a credential, as in CredentialRegistry's `Credential` struct. */
export interface Credential {
  issuer: string;
  subject: string;
  /** keccak256 of the credential type's identifier, see {@link schemaId}. */
  schema: string;
  /** keccak256 of the canonical JSON of the claims, see {@link hashClaims}. */
  claimsHash: string;
  issuedAt: bigint;
  /** 0n: never expires. */
  expiresAt: bigint;
  salt: string;
}

export interface CredentialDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** What a holder keeps and presents: the credential, who signed it, the signature, and where it is anchored. */
export interface SignedCredential {
  credential: Credential;
  signer: string;
  signature: string;
  domain: CredentialDomain;
}

/** A signature that lets anyone relay an anchor or status change for the issuer (gasless for the issuer). */
export interface RelayedAuthorization {
  signer: string;
  nonce: bigint;
  deadline: bigint;
  signature: string;
}

/** On-chain statuses, in the order of the contract's `Status` enum. */
export const CREDENTIAL_STATUSES = ["unknown", "active", "suspended", "revoked", "expired"] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

/** Status changes, in the order of the contract's `StatusChange` enum. */
export const STATUS_CHANGES = ["revoke", "suspend", "reinstate"] as const;
export type StatusChange = (typeof STATUS_CHANGES)[number];

export type CredentialErrorCode =
  | "INVALID_CREDENTIAL"
  | "INVALID_CLAIMS"
  | "INVALID_DOMAIN"
  | "INVALID_SIGNED_CREDENTIAL";

/** A malformed input, told apart by `code`; `field` names the offending field when there is one. */
export class CredentialError extends Error {
  override readonly name = "CredentialError";
  constructor(
    readonly code: CredentialErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a presented credential does not verify. */
export type CredentialProblem =
  | "WRONG_CHAIN"
  | "BAD_SIGNATURE"
  | "UNAUTHORIZED_SIGNER"
  | "NOT_ANCHORED"
  | "SUSPENDED"
  | "REVOKED"
  | "EXPIRED";

export interface CredentialVerification {
  /** True when there is no problem. */
  valid: boolean;
  credentialId: string;
  status: CredentialStatus;
  signatureValid: boolean;
  signerAuthorized: boolean;
  /** The block every chain read was made at. */
  blockNumber: number;
  problems: CredentialProblem[];
}

/** The domain of the CredentialRegistry at `verifyingContract` on chain `chainId`. */
export function credentialDomain(chainId: bigint, verifyingContract: string): CredentialDomain {
  return {
    name: CREDENTIAL_DOMAIN_NAME,
    version: CREDENTIAL_DOMAIN_VERSION,
    chainId,
    verifyingContract: checkedAddress(verifyingContract, "verifyingContract", "INVALID_DOMAIN"),
  };
}

/**
 * Reads the registry's own EIP-712 domain (ERC-5267) and checks that it is a Concord credential
 * registry this code can sign for, so a wrong address fails here and not as a bad signature later.
 */
export async function readCredentialDomain(runner: ContractRunner, registryAddress: string): Promise<CredentialDomain> {
  const registry = credentialRegistry(checkedAddress(registryAddress, "registryAddress", "INVALID_DOMAIN"), runner);
  let domain: [string, string, string, bigint, string];
  try {
    domain = (await registry.getFunction("eip712Domain")()) as [string, string, string, bigint, string];
  } catch (cause) {
    // No contract there, or one without ERC-5267; anything else (the node is down...) is not ours to rename.
    if (!isRevertOrEmptyResult(cause)) throw cause;
    throw new CredentialError("INVALID_DOMAIN", `${registryAddress} has no EIP-712 domain (ERC-5267)`, undefined, { cause });
  }
  const [, name, version, chainId, verifyingContract] = domain;
  if (name !== CREDENTIAL_DOMAIN_NAME || version !== CREDENTIAL_DOMAIN_VERSION) {
    throw new CredentialError(
      "INVALID_DOMAIN",
      `${registryAddress} has EIP-712 domain "${name}" v${version}, not "${CREDENTIAL_DOMAIN_NAME}" v${CREDENTIAL_DOMAIN_VERSION}`,
    );
  }
  return credentialDomain(chainId, verifyingContract);
}

/** An ethers Contract for the CredentialRegistry at `address`. */
export function credentialRegistry(address: string, runner: ContractRunner): Contract {
  return new Contract(address, CREDENTIAL_REGISTRY_ABI, runner);
}

/** The on-chain `schema` of a credential type: keccak256 of its identifier (a URI, a CID, a name). */
export function schemaId(identifier: string): string {
  if (identifier.length === 0) throw new CredentialError("INVALID_CREDENTIAL", "empty schema identifier", "schema");
  return keccak256(toUtf8Bytes(identifier));
}

/**
 * JSON Canonicalization Scheme (RFC 8785) for plain JSON values: object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings serialised as ECMAScript does. Anything that is not plain
 * JSON (undefined, bigint, NaN, class instances...) is refused rather than silently changed, since the
 * issuer and every verifier must hash the same bytes.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value, "claims");
}

function canonicalize(value: unknown, path: string): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new CredentialError("INVALID_CLAIMS", `${path} is ${value}, not a JSON number`, path);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, i) => canonicalize(item, `${path}[${i}]`)).join(",")}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalize(value[key], `${path}.${key}`)}`);
    return `{${entries.join(",")}}`;
  }
  throw new CredentialError("INVALID_CLAIMS", `${path} is a ${typeof value === "object" ? "non-plain object" : typeof value}, not JSON`, path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The `claimsHash` of a claims document: keccak256 of its canonical JSON. */
export function hashClaims(claims: unknown): string {
  return keccak256(toUtf8Bytes(canonicalJson(claims)));
}

export interface CredentialInput {
  issuer: string;
  subject: string;
  /** Identifier of the credential type (hashed with {@link schemaId}). */
  schema: string;
  /** The claims document (plain JSON), hashed with {@link hashClaims}. */
  claims: unknown;
  /** Defaults to now. */
  issuedAt?: bigint;
  /** Defaults to 0n: never expires. */
  expiresAt?: bigint;
  /** 32 bytes; defaults to random. */
  salt?: string;
}

/** Builds a checked credential from its parts. */
export function createCredential(input: CredentialInput): Credential {
  return normalizeCredential({
    issuer: input.issuer,
    subject: input.subject,
    schema: schemaId(input.schema),
    claimsHash: hashClaims(input.claims),
    issuedAt: input.issuedAt ?? BigInt(Math.floor(Date.now() / 1000)),
    expiresAt: input.expiresAt ?? 0n,
    salt: input.salt ?? hexlify(randomBytes(32)),
  });
}

/** Checks every field of `credential` and returns it with checksummed addresses and lower-case hex. */
export function normalizeCredential(credential: Credential): Credential {
  const issuedAt = checkedUint64(credential.issuedAt, "issuedAt");
  const expiresAt = checkedUint64(credential.expiresAt, "expiresAt");
  if (expiresAt !== 0n && expiresAt <= issuedAt) {
    throw new CredentialError("INVALID_CREDENTIAL", `expiresAt ${expiresAt} is not after issuedAt ${issuedAt}`, "expiresAt");
  }
  return {
    issuer: checkedAddress(credential.issuer, "issuer", "INVALID_CREDENTIAL"),
    subject: checkedAddress(credential.subject, "subject", "INVALID_CREDENTIAL"),
    schema: checkedBytes32(credential.schema, "schema"),
    claimsHash: checkedBytes32(credential.claimsHash, "claimsHash"),
    issuedAt,
    expiresAt,
    salt: checkedBytes32(credential.salt, "salt"),
  };
}

/** The credential id: its EIP-712 digest under `domain` (what the registry stores and the issuer signs). */
export function credentialId(credential: Credential, domain: CredentialDomain): string {
  return TypedDataEncoder.hash(domain, CREDENTIAL_TYPES, normalizeCredential(credential));
}

/**
 * Who a signature speaks for: by default the signing key's own address. For a contract account
 * (ERC-1271) pass its address as `account`; the key must be one the contract accepts for it.
 */
export interface SigningOptions {
  account?: string;
}

async function accountOf(signer: Signer, options: SigningOptions): Promise<string> {
  return options.account === undefined
    ? getAddress(await signer.getAddress())
    : checkedAddress(options.account, "account", "INVALID_SIGNED_CREDENTIAL");
}

/** Signs `credential` with `signer` (eth_signTypedData_v4 for wallets). */
export async function signCredential(
  signer: Signer,
  credential: Credential,
  domain: CredentialDomain,
  options: SigningOptions = {},
): Promise<SignedCredential> {
  const normalized = normalizeCredential(credential);
  const account = await accountOf(signer, options);
  const signature = await signer.signTypedData(domain, CREDENTIAL_TYPES, normalized);
  return { credential: normalized, signer: account, signature, domain };
}

/** Signs an authorisation for anyone to anchor credential `credentialId` (anchorBySig). */
export async function signAnchorAuthorization(
  signer: Signer,
  domain: CredentialDomain,
  authorization: { credentialId: string; nonce: bigint; deadline: bigint },
  options: SigningOptions = {},
): Promise<RelayedAuthorization> {
  const signerAddress = await accountOf(signer, options);
  const message = { ...authorization, signer: signerAddress };
  const signature = await signer.signTypedData(domain, ANCHOR_TYPES, message);
  return { signer: signerAddress, nonce: authorization.nonce, deadline: authorization.deadline, signature };
}

/** Signs an authorisation for anyone to apply `change` to credential `credentialId` (changeStatusBySig). */
export async function signStatusChange(
  signer: Signer,
  domain: CredentialDomain,
  authorization: { credentialId: string; change: StatusChange; nonce: bigint; deadline: bigint },
  options: SigningOptions = {},
): Promise<RelayedAuthorization> {
  const signerAddress = await accountOf(signer, options);
  const message = {
    credentialId: authorization.credentialId,
    change: STATUS_CHANGES.indexOf(authorization.change),
    signer: signerAddress,
    nonce: authorization.nonce,
    deadline: authorization.deadline,
  };
  const signature = await signer.signTypedData(domain, STATUS_CHANGE_TYPES, message);
  return { signer: signerAddress, nonce: authorization.nonce, deadline: authorization.deadline, signature };
}

/** JSON for a signed credential, bigints as decimal strings. */
export function serializeSignedCredential(signed: SignedCredential): string {
  return JSON.stringify(signed, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Parses and checks what {@link serializeSignedCredential} wrote (e.g. a credential a holder presents). */
export function parseSignedCredential(json: string): SignedCredential {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new CredentialError("INVALID_SIGNED_CREDENTIAL", "not JSON", undefined, { cause });
  }
  const record = asRecord(raw, "signed credential");
  const credential = asRecord(record.credential, "credential");
  const domain = asRecord(record.domain, "domain");
  if (domain.name !== CREDENTIAL_DOMAIN_NAME || domain.version !== CREDENTIAL_DOMAIN_VERSION) {
    throw new CredentialError("INVALID_DOMAIN", `domain is not "${CREDENTIAL_DOMAIN_NAME}" v${CREDENTIAL_DOMAIN_VERSION}`, "domain");
  }
  if (typeof record.signature !== "string" || !isHexString(record.signature)) {
    throw new CredentialError("INVALID_SIGNED_CREDENTIAL", "signature is not hex", "signature");
  }
  return {
    credential: normalizeCredential({
      issuer: String(credential.issuer),
      subject: String(credential.subject),
      schema: String(credential.schema),
      claimsHash: String(credential.claimsHash),
      issuedAt: decimalBigint(credential.issuedAt, "issuedAt"),
      expiresAt: decimalBigint(credential.expiresAt, "expiresAt"),
      salt: String(credential.salt),
    }),
    signer: checkedAddress(record.signer, "signer", "INVALID_SIGNED_CREDENTIAL"),
    signature: record.signature.toLowerCase(),
    domain: credentialDomain(decimalBigint(domain.chainId, "chainId"), String(domain.verifyingContract)),
  };
}

/**
 * Verifies a presented credential: the signature (ECDSA, or ERC-1271 when the signer is a contract),
 * and, read from the chain at one block, whether the signer may sign for the issuer and the status
 * the registry holds. Never throws for a credential that merely fails: the problems are listed.
 */
export async function verifyCredential(signed: SignedCredential, provider: Provider): Promise<CredentialVerification> {
  const credential = normalizeCredential(signed.credential);
  const id = credentialId(credential, signed.domain);
  const [network, block] = await Promise.all([provider.getNetwork(), provider.getBlock("latest")]);
  if (block === null) throw new Error("the provider returned no latest block");
  const blockTag = block.number;
  const problems: CredentialProblem[] = [];
  if (network.chainId !== signed.domain.chainId) problems.push("WRONG_CHAIN");

  const registry = credentialRegistry(signed.domain.verifyingContract, provider);
  const [signatureValid, signerAuthorized, statusIndex] = await Promise.all([
    isSignatureValid(provider, signed.signer, id, signed.signature, blockTag),
    registry.getFunction("isAuthorized")(credential.issuer, signed.signer, { blockTag }) as Promise<boolean>,
    registry.getFunction("statusOf")(id, { blockTag }) as Promise<bigint>,
  ]);
  const status = CREDENTIAL_STATUSES[Number(statusIndex)] ?? "unknown";
  if (!signatureValid) problems.push("BAD_SIGNATURE");
  if (!signerAuthorized) problems.push("UNAUTHORIZED_SIGNER");
  if (status === "unknown") {
    problems.push("NOT_ANCHORED");
    // Not anchored, so the registry knows no expiry: judge it from the credential, by the chain's clock.
    if (credential.expiresAt !== 0n && credential.expiresAt <= BigInt(block.timestamp)) problems.push("EXPIRED");
  } else if (status === "suspended") problems.push("SUSPENDED");
  else if (status === "revoked") problems.push("REVOKED");
  else if (status === "expired") problems.push("EXPIRED");

  return { valid: problems.length === 0, credentialId: id, status, signatureValid, signerAuthorized, blockNumber: blockTag, problems };
}

async function isSignatureValid(
  provider: Provider,
  signer: string,
  digest: string,
  signature: string,
  blockTag: number,
): Promise<boolean> {
  const code = await provider.getCode(signer, blockTag);
  if (code !== "0x") {
    // A contract account (or an EIP-7702 delegated one) decides itself, as SignatureChecker does on chain.
    try {
      const wallet = new Contract(signer, ERC1271_ABI, provider);
      const result = (await wallet.getFunction("isValidSignature")(digest, signature, { blockTag })) as string;
      return result.toLowerCase() === ERC1271_MAGIC_VALUE;
    } catch {
      return false; // a contract without ERC-1271, or one that reverts, does not vouch for the signature
    }
  }
  try {
    return recoverAddress(digest, signature) === getAddress(signer);
  } catch {
    return false; // not a well-formed 65-byte signature
  }
}

/**
 * A call that reverted or returned nothing decodable: ethers' CALL_EXCEPTION / BAD_DATA over JSON-RPC,
 * or an EIP-1474 "execution reverted" (code 3) from an EIP-1193 provider that throws its own errors.
 */
function isRevertOrEmptyResult(error: unknown): boolean {
  if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) return true;
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 3;
}

function checkedAddress(value: unknown, field: string, code: CredentialErrorCode): string {
  try {
    return getAddress(String(value));
  } catch (cause) {
    throw new CredentialError(code, `${field} is not an address: ${String(value)}`, field, { cause });
  }
}

function checkedBytes32(value: string, field: string): string {
  if (!isHexString(value, 32)) throw new CredentialError("INVALID_CREDENTIAL", `${field} is not 32 bytes of hex: ${value}`, field);
  return value.toLowerCase();
}

function checkedUint64(value: bigint, field: string): bigint {
  if (typeof value !== "bigint" || value < 0n || value > UINT64_MAX) {
    throw new CredentialError("INVALID_CREDENTIAL", `${field} is not a uint64: ${String(value)}`, field);
  }
  return value;
}

function decimalBigint(value: unknown, field: string): bigint {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new CredentialError("INVALID_SIGNED_CREDENTIAL", `${field} is not a decimal string`, field);
  }
  return BigInt(value);
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CredentialError("INVALID_SIGNED_CREDENTIAL", `${what} is not an object`, what);
  }
  return value as Record<string, unknown>;
}
