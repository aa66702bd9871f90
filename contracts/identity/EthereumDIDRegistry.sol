// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IEthereumDIDRegistry} from "./IEthereumDIDRegistry.sol";

/**
 * @title EthereumDIDRegistry
 * @notice ERC-1056 identity registry for `did:ethr` DIDs on Concord. Same storage layout of public
 * mappings, same functions, events and signed-message hashes as the reference registry (v1.0: every
 * signed hash uses the nonce of the identity's current owner), so existing tooling needs no change.
 *
 * Differences from the reference, none visible to tooling that follows the ABI:
 * - failures are custom errors (EthereumDIDRegistryBadActor / BadSignature / ValidityOverflow) instead
 *   of the strings "bad_actor" / "bad_signature" or a bare overflow panic;
 * - signatures are recovered with OpenZeppelin's ECDSA, which also refuses malleable (high-s) forms.
 */
contract EthereumDIDRegistry is IEthereumDIDRegistry {
    /// @inheritdoc IEthereumDIDRegistry
    mapping(address => address) public owners;
    /// @inheritdoc IEthereumDIDRegistry
    mapping(address => mapping(bytes32 => mapping(address => uint256))) public delegates;
    /// @inheritdoc IEthereumDIDRegistry
    mapping(address => uint256) public changed;
    /// @inheritdoc IEthereumDIDRegistry
    mapping(address => uint256) public nonce;

    modifier onlyOwner(address identity, address actor) {
        _checkOwner(identity, actor);
        _;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function identityOwner(address identity) public view returns (address) {
        address owner = owners[identity];
        return owner == address(0) ? identity : owner;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function validDelegate(address identity, bytes32 delegateType, address delegate) public view returns (bool) {
        return delegates[identity][_delegateKey(delegateType)][delegate] > block.timestamp;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function changeOwner(address identity, address newOwner) external {
        _changeOwner(identity, msg.sender, newOwner);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external {
        bytes32 hash = _signedHash(identity, abi.encodePacked("changeOwner", newOwner));
        _changeOwner(identity, _consumeSignature(identity, sigV, sigR, sigS, hash), newOwner);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external {
        _addDelegate(identity, msg.sender, delegateType, delegate, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external {
        bytes32 hash = _signedHash(identity, abi.encodePacked("addDelegate", delegateType, delegate, validity));
        _addDelegate(identity, _consumeSignature(identity, sigV, sigR, sigS, hash), delegateType, delegate, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external {
        _revokeDelegate(identity, msg.sender, delegateType, delegate);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external {
        bytes32 hash = _signedHash(identity, abi.encodePacked("revokeDelegate", delegateType, delegate));
        _revokeDelegate(identity, _consumeSignature(identity, sigV, sigR, sigS, hash), delegateType, delegate);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external {
        _setAttribute(identity, msg.sender, name, value, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external {
        bytes32 hash = _signedHash(identity, abi.encodePacked("setAttribute", name, value, validity));
        _setAttribute(identity, _consumeSignature(identity, sigV, sigR, sigS, hash), name, value, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external {
        _revokeAttribute(identity, msg.sender, name, value);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external {
        bytes32 hash = _signedHash(identity, abi.encodePacked("revokeAttribute", name, value));
        _revokeAttribute(identity, _consumeSignature(identity, sigV, sigR, sigS, hash), name, value);
    }

    function _changeOwner(address identity, address actor, address newOwner) private onlyOwner(identity, actor) {
        owners[identity] = newOwner;
        emit DIDOwnerChanged(identity, newOwner, changed[identity]);
        changed[identity] = block.number;
    }

    function _addDelegate(
        address identity,
        address actor,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) private onlyOwner(identity, actor) {
        uint256 validTo = _validTo(validity);
        delegates[identity][_delegateKey(delegateType)][delegate] = validTo;
        emit DIDDelegateChanged(identity, delegateType, delegate, validTo, changed[identity]);
        changed[identity] = block.number;
    }

    function _revokeDelegate(
        address identity,
        address actor,
        bytes32 delegateType,
        address delegate
    ) private onlyOwner(identity, actor) {
        // Expiring "now" (not deleting) is what resolvers read as revoked: validTo <= the block's time.
        delegates[identity][_delegateKey(delegateType)][delegate] = block.timestamp;
        emit DIDDelegateChanged(identity, delegateType, delegate, block.timestamp, changed[identity]);
        changed[identity] = block.number;
    }

    function _setAttribute(
        address identity,
        address actor,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) private onlyOwner(identity, actor) {
        emit DIDAttributeChanged(identity, name, value, _validTo(validity), changed[identity]);
        changed[identity] = block.number;
    }

    function _revokeAttribute(
        address identity,
        address actor,
        bytes32 name,
        bytes calldata value
    ) private onlyOwner(identity, actor) {
        emit DIDAttributeChanged(identity, name, value, 0, changed[identity]);
        changed[identity] = block.number;
    }

    function _checkOwner(address identity, address actor) private view {
        if (actor != identityOwner(identity)) revert EthereumDIDRegistryBadActor(identity, actor);
    }

    /// @dev The reference registry's message: `0x19 0x00 ‖ registry ‖ nonce[owner] ‖ identity ‖ payload`
    /// (ERC-191 version 0, "data with intended validator"), hashed without any further prefix.
    function _signedHash(address identity, bytes memory payload) private view returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                address(this),
                nonce[identityOwner(identity)],
                identity,
                payload
            )
        );
    }

    /// @dev Returns the signer after checking it owns `identity`, and burns the signer's nonce so the
    /// same signature can never be replayed.
    function _consumeSignature(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 hash
    ) private returns (address signer) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, sigV, sigR, sigS);
        signer = err == ECDSA.RecoverError.NoError ? recovered : address(0);
        if (signer == address(0) || signer != identityOwner(identity)) {
            revert EthereumDIDRegistryBadSignature(identity, signer);
        }
        nonce[signer]++;
    }

    function _validTo(uint256 validity) private view returns (uint256) {
        if (validity > type(uint256).max - block.timestamp) revert EthereumDIDRegistryValidityOverflow(validity);
        return block.timestamp + validity;
    }

    /// @dev The reference keys delegates by `keccak256(delegateType)` over the 32 bytes of the type.
    function _delegateKey(bytes32 delegateType) private pure returns (bytes32) {
        return keccak256(abi.encode(delegateType));
    }
}
