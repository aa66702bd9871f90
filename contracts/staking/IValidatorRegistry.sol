// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IValidatorRegistry
 * @notice The staking system contract that Concord's proof-of-stake node reads: who validates, with what
 * stake, as of which epoch. Predeployed in genesis at 0x…1000; the node calls the system functions
 * (`advanceEpoch`, `slash`, `jail`, `distributeReward`) from its system address.
 *
 * A validator is identified by its signer (the secp256k1 address that signs consensus votes); its operator
 * is the account that registered it, owns its stake and rewards, and is the only one who may change it.
 */
interface IValidatorRegistry {
    /// @notice Network parameters, fixed at genesis.
    struct Config {
        /// Minimum bonded stake (wei) to register and to be eligible for the active set.
        uint256 minSelfStake;
        /// Seconds between an unbonding request and the moment its funds can be withdrawn.
        uint64 unbondingPeriod;
        /// Blocks per epoch; the node calls `advanceEpoch` when `block.number % epochLength == 0`.
        uint64 epochLength;
        /// Size of the active set: the top `maxValidators` eligible validators by stake.
        uint32 maxValidators;
        /// Fraction of bonded and unbonding stake slashed for double signing, in basis points.
        uint16 slashFractionBps;
        /// Seconds a validator stays jailed after a slash.
        uint64 jailDuration;
    }

    /// @notice A validator present in the genesis state; its operator is set as if it had registered.
    struct InitialValidator {
        address operator;
        address signer;
        uint256 stake;
    }

    /// @notice The state of one validator, as returned by `validatorBySigner`.
    struct Validator {
        /// Owner of the stake and rewards; address(0) for a signer never registered.
        address operator;
        address signer;
        /// Bonded stake (wei): what the next epoch snapshot counts.
        uint256 stake;
        bool jailed;
        /// Unix time from which the operator may unjail.
        uint64 jailedUntil;
        /// True between registration and the unbonding of its whole stake.
        bool registered;
        /// Sum of pending (not yet withdrawn) unbonding requests (wei).
        uint256 unbonding;
        /// Rewards credited and not yet claimed (wei).
        uint256 rewards;
        /// Block from which the current operator answers for this signer (its first registration of it):
        /// double signs from before it are a previous operator's and do not slash this one.
        uint64 operatorSince;
    }

    /// @notice One unbonding request: funds leaving a validator, withdrawable from `releaseTime`.
    struct UnbondingRequest {
        address signer;
        /// Unix time from which the funds can be withdrawn.
        uint64 releaseTime;
        /// Who receives the funds: the validator's operator when the request was made.
        address operator;
        uint256 amount;
    }

    /// @notice Which configuration parameter a constructor rejected.
    enum ConfigParameter {
        MinSelfStake,
        UnbondingPeriod,
        EpochLength,
        MaxValidators,
        SlashFractionBps,
        JailDuration
    }

    // ---------------------------------------------------------------- errors

    /// @notice A system function was called by someone other than the node's system address.
    error ValidatorRegistryNotSystemCaller(address caller);
    /// @notice The caller is not the operator of the validator (or of the unbonding request).
    error ValidatorRegistryNotOperator(address signer, address caller);
    /// @notice The constructor got address(0) as the system caller.
    error ValidatorRegistryInvalidSystemCaller(address systemCaller);
    /// @notice The constructor got an out-of-range configuration parameter.
    error ValidatorRegistryInvalidConfig(ConfigParameter parameter);
    /// @notice The genesis validator list is empty.
    error ValidatorRegistryNoInitialValidators();
    /// @notice msg.value of the constructor differs from the sum of the initial stakes.
    error ValidatorRegistryInitialStakeMismatch(uint256 expected, uint256 received);
    /// @notice A signer address of zero.
    error ValidatorRegistryInvalidSigner(address signer);
    /// @notice An operator address of zero.
    error ValidatorRegistryInvalidOperator(address operator);
    /// @notice The signer is already registered (or still owned by another operator's pending funds).
    error ValidatorRegistrySignerAlreadyRegistered(address signer);
    /// @notice The registry already holds the maximum number of registered validators.
    error ValidatorRegistryTooManyValidators(uint256 max);
    /// @notice The registry is full and the candidate's stake does not exceed the smallest registered stake,
    /// which a newcomer must exceed to take that validator's slot.
    error ValidatorRegistryFull(uint256 max, uint256 smallestStake, uint256 offered);
    /// @notice The stake is below the configured minimum self-stake.
    error ValidatorRegistryStakeBelowMinimum(uint256 stake, uint256 minSelfStake);
    /// @notice The stake would exceed what the active-set ordering can represent (2^96 - 1 wei).
    error ValidatorRegistryStakeTooLarge(uint256 stake, uint256 max);
    /// @notice No validator is registered (or was ever registered, for system calls) under this signer.
    error ValidatorRegistryUnknownValidator(address signer);
    /// @notice An amount of zero where a positive one is required.
    error ValidatorRegistryZeroAmount();
    /// @notice More unbonding requested than is bonded.
    error ValidatorRegistryInsufficientStake(uint256 stake, uint256 requested);
    /// @notice The validator already has the maximum number of pending unbonding requests.
    error ValidatorRegistryTooManyUnbondingRequests(address signer, uint256 max);
    /// @notice No pending unbonding request has this id (never created, or already withdrawn).
    error ValidatorRegistryUnknownUnbondingRequest(uint256 requestId);
    /// @notice The unbonding request cannot be withdrawn before `releaseTime`.
    error ValidatorRegistryUnbondingNotMature(uint256 requestId, uint64 releaseTime);
    /// @notice This double-sign evidence has already been used to slash.
    error ValidatorRegistryEvidenceAlreadyUsed(bytes32 evidenceHash);
    /// @notice A double sign cannot be reported at or after the block that reports it.
    error ValidatorRegistryInvalidOffenceHeight(uint64 offenceHeight, uint256 blockNumber);
    /// @notice `consent` is not the signer key's EIP-712 signature of ValidatorConsent(signer, operator).
    error ValidatorRegistryInvalidSignerConsent(address signer, address operator);
    /// @notice A jail release time that is not in the future.
    error ValidatorRegistryInvalidJailRelease(uint64 until, uint256 nowTimestamp);
    /// @notice The validator is not jailed.
    error ValidatorRegistryNotJailed(address signer);
    /// @notice The validator cannot be unjailed before `jailedUntil`.
    error ValidatorRegistryStillJailed(address signer, uint64 jailedUntil);
    /// @notice The validator has no rewards to claim.
    error ValidatorRegistryNoRewards(address signer);
    /// @notice `advanceEpoch` was already called in this block (a node calls it once per epoch boundary).
    error ValidatorRegistryEpochAlreadyAdvanced(uint256 blockNumber);

    // ---------------------------------------------------------------- events

    /// @notice A validator joined the registry (it counts from the next epoch snapshot; at genesis, at once).
    event ValidatorRegistered(address indexed signer, address indexed operator, uint256 stake);
    /// @notice The operator bonded `amount` more; the validator's bonded stake is now `newStake`.
    event StakeAdded(address indexed signer, uint256 amount, uint256 newStake);
    /// @notice `amount` left the bonded stake; request `requestId` can be withdrawn from `releaseTime`.
    event UnbondingRequested(address indexed signer, uint256 indexed requestId, uint256 amount, uint64 releaseTime);
    /// @notice The validator's whole stake is unbonding: it left the registry (its slot is free again).
    event ValidatorExited(address indexed signer);
    /// @notice The registry was full and `newcomer` offered more stake: `signer`, the smallest, left and its
    /// stake started unbonding (request `requestId`), slashable until it is released.
    event ValidatorDisplaced(address indexed signer, address indexed newcomer, uint256 indexed requestId);
    /// @notice Request `requestId` paid `amount` to `operator`.
    event StakeWithdrawn(address indexed signer, uint256 indexed requestId, address indexed operator, uint256 amount);
    /// @notice The validator is jailed (out of the next snapshots) until at least `jailedUntil`.
    event ValidatorJailed(address indexed signer, uint64 jailedUntil);
    /// @notice The operator lifted the jail; the validator is eligible again from the next snapshot.
    event ValidatorUnjailed(address indexed signer);
    /// @notice `amount` (bonded + unbonding) was slashed and burned for the double sign proven by `evidenceHash`.
    event ValidatorSlashed(address indexed signer, bytes32 indexed evidenceHash, uint256 amount);
    /// @notice Evidence of a double sign at `offenceHeight` was recorded but slashed nobody: the signer's
    /// operator since `operatorSince` is not the one that ran it then (whose funds had all been withdrawn).
    event SlashSkippedOperatorChanged(address indexed signer, bytes32 indexed evidenceHash, uint64 offenceHeight, uint64 operatorSince);
    /// @notice The node credited `amount` to the validator's claimable rewards.
    event RewardDistributed(address indexed signer, uint256 amount);
    /// @notice `operator` received the validator's accumulated rewards.
    event RewardsClaimed(address indexed signer, address indexed operator, uint256 amount);
    /// @notice The active set of `epoch`, ordered by stake descending then signer ascending.
    event ValidatorSetUpdated(uint64 epoch, address[] signers, uint256[] stakes);

    // ---------------------------------------------------------------- views

    /// @notice The node's system address, the only caller of the system functions (set by the constructor).
    function systemCaller() external view returns (address);

    /// @notice The active set of the current epoch, ordered by stake descending then signer ascending.
    /// @return signers the validators' signing addresses
    /// @return stakes their stake as snapshotted at the start of the epoch
    function getActiveValidators() external view returns (address[] memory signers, uint256[] memory stakes);

    /// @notice The current epoch number (0 at genesis, +1 per `advanceEpoch`).
    function currentEpoch() external view returns (uint64);

    /// @notice The network parameters.
    function config() external view returns (Config memory);

    /// @notice The state of the validator with this signer (all zero if never registered).
    /// @param signer the validator's signing address
    function validatorBySigner(address signer) external view returns (Validator memory);

    // ---------------------------------------------------------------- system calls

    /// @notice Snapshots the next epoch's active set: the top `maxValidators` non-jailed validators with
    /// stake >= minSelfStake. Only the system caller, at most once per block.
    function advanceEpoch() external;

    /// @notice Slashes `slashFractionBps` of the validator's bonded and unbonding stake for a double sign,
    /// burns it and jails the validator for `jailDuration`. Each evidence hash slashes once. Only the system caller.
    /// A double sign from before the current operator took the signer slashes nobody (the operator of the
    /// offence has left with its funds; the new one did not sign it): the evidence is recorded and
    /// `SlashSkippedOperatorChanged` emitted.
    /// @param signer the validator that double-signed
    /// @param evidenceHash a hash identifying the evidence (two conflicting signed votes)
    /// @param offenceHeight the block height at which the conflicting votes were signed
    function slash(address signer, bytes32 evidenceHash, uint64 offenceHeight) external;

    /// @notice Jails the validator until `until` (unix seconds), e.g. for missed blocks. Only the system caller.
    /// @param signer the validator to jail
    /// @param until the earliest time the operator may unjail; an existing later release time is kept
    function jail(address signer, uint64 until) external;

    /// @notice Credits msg.value to the validator's claimable rewards. Only the system caller.
    /// @param signer the rewarded validator
    function distributeReward(address signer) external payable;

    // ---------------------------------------------------------------- operators

    /// @notice Registers a validator with msg.sender as operator and msg.value as self-stake. The signer key
    /// must consent: without it anyone could register someone else's key first (the owner's registration
    /// would then revert) and collect the rewards its node earns.
    /// @param signer the signing address of the validator's node
    /// @param consent the signer key's EIP-712 signature of ValidatorConsent(signer, operator = msg.sender)
    /// under this registry's domain (name "Concord ValidatorRegistry", version "1", chain id, address)
    function register(address signer, bytes calldata consent) external payable;

    /// @notice The EIP-712 digest the signer key signs to consent to `operator` registering it.
    /// @param signer the signing address of the validator's node
    /// @param operator the account that will register it and own its stake
    function consentDigest(address signer, address operator) external view returns (bytes32);

    /// @notice Adds msg.value to the validator's bonded stake. Only its operator.
    /// @param signer the validator
    function addStake(address signer) external payable;

    /// @notice Starts unbonding `amount` of the validator's stake; it stops counting at the next epoch
    /// snapshot and can be withdrawn after `unbondingPeriod`. Only its operator.
    /// @param signer the validator
    /// @param amount wei to unbond
    /// @return requestId the id to pass to `withdraw`
    function requestUnbond(address signer, uint256 amount) external returns (uint256 requestId);

    /// @notice Sends a matured unbonding request's funds to its operator. Only that operator.
    /// @param requestId the id returned by `requestUnbond`
    function withdraw(uint256 requestId) external;

    /// @notice Sends the validator's accumulated rewards to its operator. Only its operator.
    /// @param signer the validator
    function claimRewards(address signer) external;

    /// @notice Lifts the validator's jail once `jailedUntil` has passed and its stake is at least the
    /// minimum; it rejoins at the next epoch snapshot. Only its operator.
    /// @param signer the validator
    function unjail(address signer) external;
}
