// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IValidatorRegistry} from "../staking/IValidatorRegistry.sol";

/**
 * @title SystemCallBatcher
 * @notice Test-only stand-in for the node's system address that can make several system calls in one
 * transaction (hence one block), which an externally owned system caller cannot.
 */
contract SystemCallBatcher {
    IValidatorRegistry public registry;

    /// @notice Points the batcher at the registry it is the system caller of (set after deployment).
    function setRegistry(IValidatorRegistry registry_) external {
        registry = registry_;
    }

    /// @notice Calls advanceEpoch `times` times in this transaction.
    function advanceEpochTimes(uint256 times) external {
        for (uint256 i = 0; i < times; ++i) registry.advanceEpoch();
    }
}
