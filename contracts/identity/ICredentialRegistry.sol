// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEthereumDIDRegistry} from "./IEthereumDIDRegistry.sol";

/**
 * @title ICredentialRegistry
 * @notice Status registry for Concord verifiable credentials. A credential is an EIP-712 typed
 * statement by an issuer about a subject; its id is its EIP-712 digest under this registry's domain.
 * The credential itself (and its claims) stays with the holder: only the id, the issuer, the expiry
 * and the status are kept on chain, so anyone holding a credential can check that it is still good.
 *
 * An issuer acts through the keys its `did:ethr` document lists for assertions: the DID's current
 * controller (`identityOwner(issuer)` in the ERC-1056 registry: the issuer's own address until it
 * changes owner) and its valid "veriKey" and "sigAuth" delegates.
 */
interface ICredentialRegistry {
    /**
     * @notice The signed content of a Concord credential (EIP-712 primary type `Credential`).
     * @param issuer did:ethr identity (address) of the issuer
     * @param subject did:ethr identity (address) the credential is about
     * @param schema keccak256 of the credential type's identifier (e.g. a schema URI or CID)
     * @param claimsHash keccak256 of the canonical JSON of the claims (see lib/credentials.ts)
     * @param issuedAt issuance time, seconds since the epoch
     * @param expiresAt expiry time in seconds, 0 for a credential that does not expire
     * @param salt random value that makes two credentials with the same content distinct
     */
    struct Credential {
        address issuer;
        address subject;
        bytes32 schema;
        bytes32 claimsHash;
        uint64 issuedAt;
        uint64 expiresAt;
        bytes32 salt;
    }

    /// @notice Status of a credential id. `Expired` and `Unknown` are never stored: they are read off the clock and the absence of a record.
    enum Status {
        Unknown,
        Active,
        Suspended,
        Revoked,
        Expired
    }

    /// @notice What an issuer can do to an anchored credential.
    enum StatusChange {
        Revoke,
        Suspend,
        Reinstate
    }

    /// @notice What the registry keeps about an anchored credential.
    struct CredentialRecord {
        address issuer;
        Status status;
        uint64 expiresAt;
        uint64 anchoredAt;
    }

    /// @notice `anchoredBy`, acting for `issuer`, registered credential `credentialId` about `subject`.
    event CredentialAnchored(
        bytes32 indexed credentialId,
        address indexed issuer,
        address indexed subject,
        bytes32 schema,
        uint64 expiresAt,
        address anchoredBy
    );

    /// @notice Credential `credentialId` of `issuer` is permanently revoked.
    event CredentialRevoked(bytes32 indexed credentialId, address indexed issuer, address revokedBy);

    /// @notice Credential `credentialId` of `issuer` is suspended until reinstated.
    event CredentialSuspended(bytes32 indexed credentialId, address indexed issuer, address suspendedBy);

    /// @notice Suspended credential `credentialId` of `issuer` is active again.
    event CredentialReinstated(bytes32 indexed credentialId, address indexed issuer, address reinstatedBy);

    /// @notice `actor` is neither the DID controller of `issuer` nor one of its valid veriKey / sigAuth delegates.
    error CredentialRegistryUnauthorized(address issuer, address actor);

    /// @notice Credential `credentialId` has already been anchored (possibly revoked since).
    error CredentialRegistryAlreadyAnchored(bytes32 credentialId);

    /// @notice No credential `credentialId` has been anchored.
    error CredentialRegistryUnknownCredential(bytes32 credentialId);

    /// @notice A credential that expires no later than it is issued.
    error CredentialRegistryInvalidValidity(uint64 issuedAt, uint64 expiresAt);

    /// @notice Credential `credentialId` expired at `expiresAt`, before it could be anchored.
    error CredentialRegistryCredentialExpired(bytes32 credentialId, uint64 expiresAt);

    /// @notice `change` cannot be applied to credential `credentialId` in status `status`.
    error CredentialRegistryInvalidStatusChange(bytes32 credentialId, Status status, StatusChange change);

    /// @notice A relayed authorisation whose `deadline` has passed.
    error CredentialRegistryExpiredAuthorization(uint256 deadline);

    /// @notice A relayed authorisation for nonce `given` of `issuer`, whose next nonce is `expected` (a replay, or out of order).
    error CredentialRegistryInvalidNonce(address issuer, uint256 expected, uint256 given);

    /// @notice `signature` is not `signer`'s signature of the message (ECDSA, or ERC-1271 for a contract).
    error CredentialRegistryInvalidSignature(address signer);

    /// @notice Credential `credentialId` is anchored but `status`, not Active.
    error CredentialRegistryNotActive(bytes32 credentialId, Status status);

    /// @notice The ERC-1056 registry whose owners and delegates say who may act for an issuer.
    function didRegistry() external view returns (IEthereumDIDRegistry);

    /// @notice The id of `credential`: its EIP-712 digest under this registry's domain.
    function credentialId(Credential calldata credential) external view returns (bytes32);

    /// @notice Whether `actor` may sign and manage credentials for `issuer` right now.
    function isAuthorized(address issuer, address actor) external view returns (bool);

    /// @notice Next nonce of `issuer` for relayed authorisations (shared by the issuer and its delegates).
    function nonces(address issuer) external view returns (uint256);

    /// @notice The record of `id`, with its status as of now (zeroes for an unknown id).
    function recordOf(bytes32 id) external view returns (CredentialRecord memory);

    /// @notice The status of credential `id` as of now.
    function statusOf(bytes32 id) external view returns (Status);

    /**
     * @notice Anchors `credential` as Active, on behalf of its issuer. The caller must be authorised for
     * the issuer (see {isAuthorized}).
     * @return id the credential id
     */
    function anchor(Credential calldata credential) external returns (bytes32 id);

    /**
     * @notice Anchors `credential`, sent by anyone, authorised by `signer`'s EIP-712 signature of
     * `AnchorCredential(bytes32 credentialId,address signer,uint256 nonce,uint256 deadline)`, where
     * `nonce` is the issuer's next nonce. `signer` may be an ERC-1271 contract.
     * @return id the credential id
     */
    function anchorBySig(
        Credential calldata credential,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 id);

    /// @notice Revokes credential `id` for good (also a suspended or expired one). Issuer or delegate only.
    function revoke(bytes32 id) external;

    /// @notice Suspends active credential `id`. Issuer or delegate only.
    function suspend(bytes32 id) external;

    /// @notice Makes suspended credential `id` active again. Issuer or delegate only.
    function reinstate(bytes32 id) external;

    /**
     * @notice Applies `change` to credential `id`, sent by anyone, authorised by `signer`'s EIP-712
     * signature of `ChangeCredentialStatus(bytes32 credentialId,uint8 change,address signer,uint256 nonce,uint256 deadline)`.
     */
    function changeStatusBySig(
        bytes32 id,
        StatusChange change,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /**
     * @notice Checks a presented credential: `signature` is `signer`'s EIP-712 signature of it, `signer` is
     * authorised for its issuer now, and it is anchored and Active. Reverts with the first problem found.
     * @return id the credential id
     */
    function verifyCredential(
        Credential calldata credential,
        address signer,
        bytes calldata signature
    ) external view returns (bytes32 id);

    /// @notice {verifyCredential} as a boolean, for callers that only need a yes or no.
    function isValidCredential(
        Credential calldata credential,
        address signer,
        bytes calldata signature
    ) external view returns (bool);
}
