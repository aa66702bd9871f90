// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IEthereumDIDRegistry
 * @notice The ERC-1056 lightweight identity registry behind `did:ethr`, with exactly the ABI of
 * uport/veramo's EthereumDIDRegistry (v1.0 nonce semantics), so ethr-did, ethr-did-resolver and
 * Veramo work against it unchanged.
 *
 * Any address is an identity with no registration: until changed, it owns itself. A DID document is
 * not stored; it is rebuilt by resolvers from the event log, which `changed[identity]` links as a
 * backwards list (each event carries the block number of the identity's previous change).
 */
interface IEthereumDIDRegistry {
    /// @notice `identity` is now controlled by `owner`. `owner == address(0)` deactivates the DID in resolvers.
    event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);

    /// @notice `delegate` may act as `delegateType` for `identity` until `validTo` (a timestamp; revoked: now).
    event DIDDelegateChanged(
        address indexed identity,
        bytes32 delegateType,
        address delegate,
        uint256 validTo,
        uint256 previousChange
    );

    /// @notice Attribute `name` = `value` holds for `identity` until `validTo` (0 when revoked).
    event DIDAttributeChanged(
        address indexed identity,
        bytes32 name,
        bytes value,
        uint256 validTo,
        uint256 previousChange
    );

    /// @notice `actor` tried to change `identity` but is not its current owner.
    error EthereumDIDRegistryBadActor(address identity, address actor);

    /// @notice A `...Signed` call whose signature recovers to `signer`, who is not the current owner of
    /// `identity` (also what a replayed signature gives: the nonce it signed has been used). A
    /// signature that recovers to no address at all is reported with `signer == address(0)`.
    error EthereumDIDRegistryBadSignature(address identity, address signer);

    /// @notice `block.timestamp + validity` does not fit in a uint256.
    error EthereumDIDRegistryValidityOverflow(uint256 validity);

    /// @notice The owner set for `identity`, or address(0) when it never changed (see {identityOwner}).
    function owners(address identity) external view returns (address);

    /// @notice Expiry timestamp of `delegate` for `identity` under `keccak256(delegateType)`.
    function delegates(address identity, bytes32 delegateTypeHash, address delegate) external view returns (uint256);

    /// @notice Block number of the last change to `identity` (0 when never changed).
    function changed(address identity) external view returns (uint256);

    /// @notice Count of `...Signed` calls signed by `signer`; part of every signed hash, so each signature works once.
    function nonce(address signer) external view returns (uint256);

    /// @notice The address that controls `identity`: the owner set for it, or `identity` itself.
    function identityOwner(address identity) external view returns (address);

    /// @notice Whether `delegate` is, right now, a delegate of `identity` of type `delegateType`.
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);

    /// @notice Hands control of `identity` to `newOwner`. Only the current owner.
    function changeOwner(address identity, address newOwner) external;

    /**
     * @notice {changeOwner} relayed by anyone, authorised by the owner's signature over
     * `keccak256(0x19 0x00 ‖ registry ‖ nonce[owner] ‖ identity ‖ "changeOwner" ‖ newOwner)`.
     */
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external;

    /// @notice Makes `delegate` a `delegateType` delegate of `identity` for `validity` seconds. Only the owner.
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external;

    /// @notice {addDelegate} authorised by a signature over (... "addDelegate" ‖ delegateType ‖ delegate ‖ validity).
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external;

    /// @notice Ends `delegate`'s `delegateType` delegation for `identity` now. Only the owner.
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external;

    /// @notice {revokeDelegate} authorised by a signature over (... "revokeDelegate" ‖ delegateType ‖ delegate).
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external;

    /// @notice Publishes attribute `name` = `value` of `identity`, valid for `validity` seconds. Only the owner.
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external;

    /// @notice {setAttribute} authorised by a signature over (... "setAttribute" ‖ name ‖ value ‖ validity).
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external;

    /// @notice Withdraws attribute `name` = `value` of `identity`. Only the owner.
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external;

    /// @notice {revokeAttribute} authorised by a signature over (... "revokeAttribute" ‖ name ‖ value).
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external;
}
