// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";

/**
 * @title ConcordGovernor
 * @notice The DAO's Governor, composed entirely from OpenZeppelin's audited modules:
 * - GovernorSettings: voting delay, voting period and proposal threshold, changeable only by governance;
 * - GovernorCountingSimple: For / Against / Abstain, quorum counts For + Abstain ("support=bravo&quorum=for,abstain");
 * - GovernorVotes + GovernorVotesQuorumFraction: voting power and quorum from the token's checkpoints, with the
 *   token's timestamp clock, so every duration here is in seconds;
 * - GovernorTimelockControl: approved proposals are queued in and executed by the TimelockController, which
 *   also holds the treasury;
 * - GovernorPreventLateQuorum: a proposal that reaches quorum late stays open for at least the extension,
 *   so a last-minute whale vote can be answered;
 * - GovernorProposalGuardian: a guardian may cancel any proposal that is not yet executed (an emergency brake
 *   that can only stop things, never do them); governance can replace or remove the guardian; a proposer may
 *   cancel their own proposal only while it is Pending, guardian or not (see _validateCancel);
 * - GovernorStorage: proposals are enumerable on chain (proposalCount / proposalDetailsAt), so a front end
 *   lists them without an indexer, and queue / execute / cancel accept a bare proposal id.
 *
 * Every event and function that Tally indexes or calls comes from the IGovernor / ERC-6372 surface of these
 * modules; nothing is renamed.
 */
contract ConcordGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian
{
    /**
     * @param token_ the voting token (ERC-5805, timestamp clock)
     * @param timelock_ the TimelockController that queues and executes proposals and holds the treasury
     * @param initialVotingDelay seconds from proposal creation to the vote's start (the voting snapshot)
     * @param initialVotingPeriod seconds the vote stays open
     * @param initialProposalThreshold votes (token base units) needed to create a proposal
     * @param initialQuorumNumerator percent of the total supply at the snapshot that must vote For or Abstain
     * @param initialLateQuorumExtension seconds a proposal stays open after reaching quorum, at least
     * @param initialProposalGuardian the account that may cancel proposals (address(0): none; proposers
     *        may always cancel their own proposal while it is Pending)
     */
    constructor(
        IVotes token_,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 initialQuorumNumerator,
        uint48 initialLateQuorumExtension,
        address initialProposalGuardian
    )
        Governor("Concord Governor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token_)
        GovernorVotesQuorumFraction(initialQuorumNumerator)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(initialLateQuorumExtension)
    {
        _setProposalGuardian(initialProposalGuardian);
    }

    /// @notice Seconds from a proposal's creation to the start of its vote.
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @notice Seconds a proposal's vote stays open (before any late-quorum extension).
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice Votes an account must hold (at the clock's previous second) to create a proposal.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @notice The votes For + Abstain needed at `timepoint` (a timestamp) for a proposal to pass.
    function quorum(
        uint256 timepoint
    ) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        return super.quorum(timepoint);
    }

    /// @notice The proposal's state, including Queued and Executed as reported by the timelock.
    function state(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @notice Always true: every proposal goes through the timelock before it is executed.
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @notice When voting ends, including a late-quorum extension if one happened.
    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    /**
     * @dev Who may cancel: the proposal guardian, any proposal not yet executed (an emergency brake);
     * the proposer, only while the proposal is Pending (Governor's own rule), guardian or not.
     *
     * OpenZeppelin's GovernorProposalGuardian lets the proposer cancel in any state when no guardian is
     * set. With proposal ids that do not include the proposer, that let anyone copy a pending `propose`,
     * get it in first, let the DAO pass and queue it, and cancel it at the last moment: the same proposal
     * could then never be made again. Clients also append OpenZeppelin's `#proposer=<address>` suffix to
     * descriptions, so a copied proposal is refused to anyone else (Governor._isValidDescriptionForProposer).
     */
    function _validateCancel(
        uint256 proposalId,
        address caller
    ) internal view override(Governor, GovernorProposalGuardian) returns (bool) {
        address guardian = proposalGuardian();
        if (guardian != address(0) && caller == guardian) return true;
        return Governor._validateCancel(proposalId, caller);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
