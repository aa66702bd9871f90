// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ICredentialRegistry} from "./ICredentialRegistry.sol";
import {IEthereumDIDRegistry} from "./IEthereumDIDRegistry.sol";

/**
 * @title CredentialRegistry
 * @notice Status registry for Concord verifiable credentials, bound to an ERC-1056 DID registry for
 * who may act for an issuer. See {ICredentialRegistry}.
 *
 * EIP-712 domain: name "Concord Credentials", version "1", this chain, this contract.
 *
 * Authorisation is judged when something is done: a delegate removed from the DID document can no
 * longer anchor, change status or sign credentials that verify, including the ones it signed before
 * (rotating a compromised key must be enough to stop it).
 */
contract CredentialRegistry is ICredentialRegistry, EIP712, Nonces {
    bytes32 public constant CREDENTIAL_TYPEHASH = keccak256(
        "Credential(address issuer,address subject,bytes32 schema,bytes32 claimsHash,uint64 issuedAt,uint64 expiresAt,bytes32 salt)"
    );
    bytes32 public constant ANCHOR_TYPEHASH =
        keccak256("AnchorCredential(bytes32 credentialId,address signer,uint256 nonce,uint256 deadline)");
    bytes32 public constant STATUS_CHANGE_TYPEHASH = keccak256(
        "ChangeCredentialStatus(bytes32 credentialId,uint8 change,address signer,uint256 nonce,uint256 deadline)"
    );

    /// @dev The did:ethr delegate types a resolver lists under `assertionMethod`.
    bytes32 private constant VERI_KEY = "veriKey";
    bytes32 private constant SIG_AUTH = "sigAuth";

    IEthereumDIDRegistry private immutable _didRegistry;

    mapping(bytes32 id => CredentialRecord) private _records;

    enum Verdict {
        Valid,
        BadSignature,
        Unauthorized,
        Unknown,
        NotActive
    }

    /// @param didRegistry_ the ERC-1056 registry that lists each issuer's controller and delegates
    constructor(IEthereumDIDRegistry didRegistry_) EIP712("Concord Credentials", "1") {
        _didRegistry = didRegistry_;
    }

    /// @inheritdoc ICredentialRegistry
    function didRegistry() external view returns (IEthereumDIDRegistry) {
        return _didRegistry;
    }

    /// @inheritdoc ICredentialRegistry
    function credentialId(Credential calldata credential) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CREDENTIAL_TYPEHASH, credential)));
    }

    /// @inheritdoc ICredentialRegistry
    function isAuthorized(address issuer, address actor) public view returns (bool) {
        return actor == _didRegistry.identityOwner(issuer) ||
            _didRegistry.validDelegate(issuer, VERI_KEY, actor) ||
            _didRegistry.validDelegate(issuer, SIG_AUTH, actor);
    }

    /// @inheritdoc ICredentialRegistry
    function nonces(address issuer) public view override(ICredentialRegistry, Nonces) returns (uint256) {
        return super.nonces(issuer);
    }

    /// @inheritdoc ICredentialRegistry
    function recordOf(bytes32 id) external view returns (CredentialRecord memory record) {
        record = _records[id];
        record.status = statusOf(id);
    }

    /// @inheritdoc ICredentialRegistry
    function statusOf(bytes32 id) public view returns (Status) {
        CredentialRecord storage record = _records[id];
        Status stored = record.status;
        if (stored == Status.Unknown || stored == Status.Revoked) return stored;
        if (record.expiresAt != 0 && block.timestamp >= record.expiresAt) return Status.Expired;
        return stored;
    }

    /// @inheritdoc ICredentialRegistry
    function anchor(Credential calldata credential) external returns (bytes32 id) {
        if (!isAuthorized(credential.issuer, msg.sender)) {
            revert CredentialRegistryUnauthorized(credential.issuer, msg.sender);
        }
        return _anchor(credential, credentialId(credential), msg.sender);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorBySig(
        Credential calldata credential,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 id) {
        id = credentialId(credential);
        bytes32 structHash = keccak256(abi.encode(ANCHOR_TYPEHASH, id, signer, nonce, deadline));
        _checkRelayedAuthorization(credential.issuer, structHash, signer, nonce, deadline, signature);
        _anchor(credential, id, signer);
    }

    /// @inheritdoc ICredentialRegistry
    function revoke(bytes32 id) external {
        _changeStatus(id, StatusChange.Revoke, _authorizedIssuerOf(id, msg.sender), msg.sender);
    }

    /// @inheritdoc ICredentialRegistry
    function suspend(bytes32 id) external {
        _changeStatus(id, StatusChange.Suspend, _authorizedIssuerOf(id, msg.sender), msg.sender);
    }

    /// @inheritdoc ICredentialRegistry
    function reinstate(bytes32 id) external {
        _changeStatus(id, StatusChange.Reinstate, _authorizedIssuerOf(id, msg.sender), msg.sender);
    }

    /// @inheritdoc ICredentialRegistry
    function changeStatusBySig(
        bytes32 id,
        StatusChange change,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address issuer = _records[id].issuer;
        if (issuer == address(0)) revert CredentialRegistryUnknownCredential(id);
        bytes32 structHash = keccak256(abi.encode(STATUS_CHANGE_TYPEHASH, id, change, signer, nonce, deadline));
        _checkRelayedAuthorization(issuer, structHash, signer, nonce, deadline, signature);
        _changeStatus(id, change, issuer, signer);
    }

    /// @inheritdoc ICredentialRegistry
    function verifyCredential(
        Credential calldata credential,
        address signer,
        bytes calldata signature
    ) external view returns (bytes32 id) {
        Verdict verdict;
        (id, verdict) = _verify(credential, signer, signature);
        if (verdict == Verdict.BadSignature) revert CredentialRegistryInvalidSignature(signer);
        if (verdict == Verdict.Unauthorized) revert CredentialRegistryUnauthorized(credential.issuer, signer);
        if (verdict == Verdict.Unknown) revert CredentialRegistryUnknownCredential(id);
        if (verdict == Verdict.NotActive) revert CredentialRegistryNotActive(id, statusOf(id));
    }

    /// @inheritdoc ICredentialRegistry
    function isValidCredential(
        Credential calldata credential,
        address signer,
        bytes calldata signature
    ) external view returns (bool) {
        (, Verdict verdict) = _verify(credential, signer, signature);
        return verdict == Verdict.Valid;
    }

    function _verify(
        Credential calldata credential,
        address signer,
        bytes calldata signature
    ) private view returns (bytes32 id, Verdict) {
        id = credentialId(credential);
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, id, signature)) return (id, Verdict.BadSignature);
        if (!isAuthorized(credential.issuer, signer)) return (id, Verdict.Unauthorized);
        // The id is a digest of every field, issuer included: a record under it was anchored for this credential.
        Status status = statusOf(id);
        if (status == Status.Unknown) return (id, Verdict.Unknown);
        if (status != Status.Active) return (id, Verdict.NotActive);
        return (id, Verdict.Valid);
    }

    function _anchor(Credential calldata credential, bytes32 id, address actor) private returns (bytes32) {
        if (credential.expiresAt != 0) {
            if (credential.expiresAt <= credential.issuedAt) {
                revert CredentialRegistryInvalidValidity(credential.issuedAt, credential.expiresAt);
            }
            if (credential.expiresAt <= block.timestamp) {
                revert CredentialRegistryCredentialExpired(id, credential.expiresAt);
            }
        }
        if (_records[id].status != Status.Unknown) revert CredentialRegistryAlreadyAnchored(id);
        _records[id] = CredentialRecord({
            issuer: credential.issuer,
            status: Status.Active,
            expiresAt: credential.expiresAt,
            anchoredAt: uint64(block.timestamp)
        });
        emit CredentialAnchored(id, credential.issuer, credential.subject, credential.schema, credential.expiresAt, actor);
        return id;
    }

    function _authorizedIssuerOf(bytes32 id, address actor) private view returns (address issuer) {
        issuer = _records[id].issuer;
        if (issuer == address(0)) revert CredentialRegistryUnknownCredential(id);
        if (!isAuthorized(issuer, actor)) revert CredentialRegistryUnauthorized(issuer, actor);
    }

    function _changeStatus(bytes32 id, StatusChange change, address issuer, address actor) private {
        Status current = statusOf(id);
        CredentialRecord storage record = _records[id];
        if (change == StatusChange.Revoke) {
            if (current == Status.Revoked) revert CredentialRegistryInvalidStatusChange(id, current, change);
            record.status = Status.Revoked;
            emit CredentialRevoked(id, issuer, actor);
        } else if (change == StatusChange.Suspend) {
            if (current != Status.Active) revert CredentialRegistryInvalidStatusChange(id, current, change);
            record.status = Status.Suspended;
            emit CredentialSuspended(id, issuer, actor);
        } else {
            if (current != Status.Suspended) revert CredentialRegistryInvalidStatusChange(id, current, change);
            record.status = Status.Active;
            emit CredentialReinstated(id, issuer, actor);
        }
    }

    /// @dev Checks, in order: deadline, nonce (a replay fails here), signature, authority; then burns the nonce.
    function _checkRelayedAuthorization(
        address issuer,
        bytes32 structHash,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert CredentialRegistryExpiredAuthorization(deadline);
        uint256 expected = nonces(issuer);
        if (nonce != expected) revert CredentialRegistryInvalidNonce(issuer, expected, nonce);
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(structHash), signature)) {
            revert CredentialRegistryInvalidSignature(signer);
        }
        if (!isAuthorized(issuer, signer)) revert CredentialRegistryUnauthorized(issuer, signer);
        _useNonce(issuer);
    }
}
