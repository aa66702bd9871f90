// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title OwnedContractWallet
 * @notice The smallest real smart-contract account: one EOA owner executes calls through it and signs
 * for it (ERC-1271). Tests use it as an issuer whose signatures can only be checked by asking the
 * contract, as a DAO's or a multisig's would be. Not deployed by the Ignition modules.
 */
contract OwnedContractWallet is IERC1271 {
    /// @notice Only the owner may make the wallet call other contracts.
    error OwnedContractWalletNotOwner(address caller);

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Calls `target` with `data` as this wallet and returns what it returned; bubbles up reverts.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert OwnedContractWalletNotOwner(msg.sender);
        return Address.functionCall(target, data);
    }

    /// @notice ERC-1271: `signature` is valid for the wallet when the owner signed `hash` itself.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
