// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/**
 * @title ConcordToken
 * @notice The DAO's voting token: ERC-20 with EIP-2612 permits and ERC-5805 delegated voting power.
 *
 * Voting checkpoints are keyed by block timestamp (ERC-6372 "mode=timestamp"), not block number:
 * a proof-of-stake chain's block times are irregular (a round can take several consensus rounds), so
 * seconds are the only unit in which "a 5-minute vote" means the same thing on every network.
 *
 * The whole supply is minted once, to the initial distribution given at deployment. There is no
 * owner and no mint function: a mint authority would be a second, unaccountable source of voting
 * power next to the Governor. Should the DAO ever want inflation, it can deploy a new token and move
 * to it through a governance proposal (`updateTimelock` / a new Governor), in the open.
 */
contract ConcordToken is ERC20, ERC20Permit, ERC20Votes {
    /// @notice The recipients and amounts of the initial distribution have different lengths.
    error ConcordTokenDistributionLengthMismatch(uint256 recipients, uint256 amounts);

    /// @notice The initial distribution has no recipient, so the token would have no supply and no voters.
    error ConcordTokenEmptyDistribution();

    /**
     * @notice Mints the whole supply: `amounts[i]` to `recipients[i]`.
     * @param recipients who receives tokens (none may be the zero address)
     * @param amounts how many base units each recipient receives (18 decimals)
     */
    constructor(
        address[] memory recipients,
        uint256[] memory amounts
    ) ERC20("Concord", "CORD") ERC20Permit("Concord") {
        if (recipients.length != amounts.length) {
            revert ConcordTokenDistributionLengthMismatch(recipients.length, amounts.length);
        }
        if (recipients.length == 0) revert ConcordTokenEmptyDistribution();
        for (uint256 i = 0; i < recipients.length; i++) {
            _mint(recipients[i], amounts[i]);
        }
    }

    /// @notice The current timepoint of the voting clock: the block timestamp in seconds (ERC-6372).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice Describes the voting clock for ERC-6372 consumers such as Governors and Tally.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice The next nonce of `owner`, shared by permits and delegations by signature.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
