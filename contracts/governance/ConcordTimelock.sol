// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/**
 * @title ConcordTimelock
 * @notice The DAO's executor and treasury: OpenZeppelin's TimelockController, unchanged.
 *
 * This contract adds nothing. It exists because Hardhat emits artifacts only for the project's own
 * sources, and Ignition deploys from artifacts; OpenZeppelin's audited code does all the work.
 * It holds the DAO's ETH and tokens, and every call it makes has waited `getMinDelay()` seconds in
 * the open after the Governor queued it.
 */
contract ConcordTimelock is TimelockController {
    /**
     * @param minDelay seconds between queueing and executing an operation
     * @param proposers accounts granted PROPOSER_ROLE and CANCELLER_ROLE (the Governor)
     * @param executors accounts granted EXECUTOR_ROLE; address(0) lets anyone execute
     * @param admin optional bootstrap admin, to be renounced once roles are wired (address(0) for none)
     */
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
