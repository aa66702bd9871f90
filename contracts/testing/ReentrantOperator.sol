// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IValidatorRegistry} from "../staking/IValidatorRegistry.sol";

/**
 * @title ReentrantOperator
 * @notice Test-only attacker: a validator operator contract whose `receive` calls back into the registry
 * when it is paid (withdraw or claimRewards), to prove the registry pays once and stays consistent.
 */
contract ReentrantOperator {
    IValidatorRegistry public immutable registry;

    /// Calldata to send back into the registry on the next payment; empty means "just accept".
    bytes public reentryCall;
    /// When true a failed re-entry reverts the payment (so the outer call fails); else it is recorded.
    bool public propagateFailure;
    /// Revert data of the last failed re-entry.
    bytes public lastReentryError;
    bool public lastReentrySucceeded;
    uint256 public reentryAttempts;
    uint256 public totalReceived;

    constructor(IValidatorRegistry registry_) {
        registry = registry_;
    }

    /// @notice Registers a validator operated by this contract (`consent`: the signer key's signature for it).
    function register(address signer, bytes calldata consent) external payable {
        registry.register{value: msg.value}(signer, consent);
    }

    /// @notice Requests unbonding as this validator's operator.
    function requestUnbond(address signer, uint256 amount) external returns (uint256) {
        return registry.requestUnbond(signer, amount);
    }

    /// @notice Withdraws a matured request as its operator.
    function withdraw(uint256 requestId) external {
        registry.withdraw(requestId);
    }

    /// @notice Claims rewards as the validator's operator.
    function claimRewards(address signer) external {
        registry.claimRewards(signer);
    }

    /// @notice Arms the attack: on the next payment, call the registry with `call`.
    function arm(bytes calldata call, bool propagate) external {
        reentryCall = call;
        propagateFailure = propagate;
    }

    receive() external payable {
        totalReceived += msg.value;
        bytes memory call = reentryCall;
        if (call.length == 0) return;
        delete reentryCall; // one attempt per arming
        ++reentryAttempts;
        (bool ok, bytes memory returned) = address(registry).call(call);
        lastReentrySucceeded = ok;
        if (!ok) {
            lastReentryError = returned;
            if (propagateFailure) {
                assembly ("memory-safe") {
                    revert(add(returned, 0x20), mload(returned))
                }
            }
        }
    }
}
