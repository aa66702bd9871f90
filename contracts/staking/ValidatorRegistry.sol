// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Arrays} from "@openzeppelin/contracts/utils/Arrays.sol";
import {Comparators} from "@openzeppelin/contracts/utils/Comparators.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IValidatorRegistry} from "./IValidatorRegistry.sol";

/**
 * @title ValidatorRegistry
 * @notice Concord's staking system contract: registration, stake, unbonding, jailing, slashing, rewards,
 * and the per-epoch snapshot of the active validator set that the proof-of-stake node reads.
 *
 * Design choices (why):
 * - Genesis-deployable: all initialization happens in the constructor (the node runs it in a VM with
 *   msg.value = sum of initial stakes and copies code, storage and balance into genesis). Parameters are
 *   immutables, so they live in the runtime code the node copies.
 * - Only the operator may add stake: third-party stake would need delegation accounting (whose funds are
 *   slashed, who may withdraw them) and would let anyone push a validator into the active set.
 * - Slashed funds are burned by staying locked here forever (`totalBurned` counts them). Sending them to a
 *   sink inside the node's system call would let a reverting sink block slashing.
 * - Slashing also reaches unbonding requests that have not matured yet, so a validator cannot escape a
 *   slash by unbonding right after double signing. The number of pending requests per validator is
 *   capped (`MAX_PENDING_UNBONDINGS`) to bound that loop.
 * - The active set is computed once per epoch by sorting at most `MAX_REGISTERED_VALIDATORS` packed
 *   (stake, signer) keys with OpenZeppelin's in-memory sort; stakes are capped at 2^96 - 1 wei
 *   (~7.9e10 coins) so a key fits in one word.
 * - If no validator is eligible at an epoch boundary the previous set is kept: an empty set would halt
 *   the chain with no way to recover it from a transaction.
 * - The signer key consents to its operator (an EIP-712 signature over signer, operator, chain id and this
 *   registry's address). Without it anyone could register someone else's key first: the owner's own
 *   registration would revert, and if the owner's node ran with that key the squatter would collect its
 *   rewards. The consent names the operator, so only that operator can use it; it does not expire
 *   (re-registering the same pair after an exit needs no new signature).
 * - Slashing answers the operator of the offence: each record keeps the block from which its operator
 *   answers for the signer, and a double sign from before it slashes nobody. Another operator can take a
 *   signer only once the previous one's funds are all withdrawn, so there is nothing of theirs left to cut.
 * - A slot costs real stake: when the registry is full, a candidate offering more stake than the smallest
 *   registered validator takes its slot, and the displaced validator's stake starts unbonding (slashable
 *   until released). Without it, 100 slots held at dust stake (registered at the minimum, then unbonded
 *   down to 1 wei) would lock every newcomer out for ever, at no risk to the squatter.
 *
 * Invariant: address(this).balance == sum(stake) + sum(unbonding) + sum(rewards) + totalBurned.
 */
contract ValidatorRegistry is IValidatorRegistry, ReentrancyGuardTransient, EIP712 {
    /// @notice Cap on registered validators; bounds the per-epoch active-set computation.
    uint256 public constant MAX_REGISTERED_VALIDATORS = 100;
    /// @notice Cap on pending unbonding requests per validator; bounds the slash loop.
    uint256 public constant MAX_PENDING_UNBONDINGS = 16;
    /// @notice Largest stake of one validator, so (stake, signer) packs into one sort key.
    uint256 public constant MAX_STAKE = type(uint96).max;

    /// @notice Shortest time between blocks, in seconds: Ethereum requires each block's timestamp to exceed its parent's.
    uint256 public constant MIN_BLOCK_TIME = 1;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _SIGNER_MASK = type(uint160).max;
    bytes32 private constant _CONSENT_TYPEHASH = keccak256("ValidatorConsent(address signer,address operator)");

    /// @notice The node's system address: the only caller of advanceEpoch, slash, jail, distributeReward.
    address public immutable systemCaller;

    uint256 private immutable _minSelfStake;
    uint64 private immutable _unbondingPeriod;
    uint64 private immutable _epochLength;
    uint32 private immutable _maxValidators;
    uint16 private immutable _slashFractionBps;
    uint64 private immutable _jailDuration;

    uint64 private _currentEpoch;
    uint64 private _epochStartBlock;
    uint256 private _lastRequestId;

    /// @notice Total wei slashed so far; it stays locked in this contract forever (burned).
    uint256 public totalBurned;

    /// Storage form of a validator, packed for genesis size and epoch-snapshot reads: the first slot
    /// holds operator, jail state and the 1-based position in `_registeredSigners` (0 = not registered).
    struct ValidatorRecord {
        address operator;
        uint64 jailedUntil;
        bool jailed;
        uint8 registeredIndex;
        uint256 stake;
        uint256 unbonding;
        uint256 rewards;
        uint64 operatorSince;
    }

    mapping(address signer => ValidatorRecord) private _validators;
    address[] private _registeredSigners;

    mapping(uint256 requestId => UnbondingRequest) private _unbondingRequests;
    mapping(address signer => uint256[]) private _pendingRequestIds;

    mapping(bytes32 evidenceHash => bool) private _usedEvidence;

    /// The current epoch's set as sort keys (see `_sortKey`), in order: one slot per seat.
    uint256[] private _activeSet;

    modifier onlySystemCaller() {
        if (msg.sender != systemCaller) revert ValidatorRegistryNotSystemCaller(msg.sender);
        _;
    }

    /**
     * @notice Creates the registry with its genesis validators, which form the epoch-0 active set.
     * @param systemCaller_ the node's system address (0xff…fe)
     * @param config_ the network parameters
     * @param initial the genesis validators; msg.value must equal the sum of their stakes
     */
    constructor(
        address systemCaller_,
        Config memory config_,
        InitialValidator[] memory initial
    ) payable EIP712("Concord ValidatorRegistry", "1") {
        if (systemCaller_ == address(0)) revert ValidatorRegistryInvalidSystemCaller(systemCaller_);
        _validateConfig(config_);
        systemCaller = systemCaller_;
        _minSelfStake = config_.minSelfStake;
        _unbondingPeriod = config_.unbondingPeriod;
        _epochLength = config_.epochLength;
        _maxValidators = config_.maxValidators;
        _slashFractionBps = config_.slashFractionBps;
        _jailDuration = config_.jailDuration;

        if (initial.length == 0) revert ValidatorRegistryNoInitialValidators();
        if (initial.length > MAX_REGISTERED_VALIDATORS) {
            revert ValidatorRegistryTooManyValidators(MAX_REGISTERED_VALIDATORS);
        }
        uint256 totalStake = 0;
        for (uint256 i = 0; i < initial.length; ++i) {
            InitialValidator memory iv = initial[i];
            if (iv.operator == address(0)) revert ValidatorRegistryInvalidOperator(iv.operator);
            _checkNewSigner(iv.signer);
            _checkStakeBounds(iv.stake, config_.minSelfStake);
            _addValidator(iv.signer, iv.operator, iv.stake);
            totalStake += iv.stake;
        }
        if (msg.value != totalStake) revert ValidatorRegistryInitialStakeMismatch(totalStake, msg.value);

        uint256[] memory keys = _computeActiveSet();
        _storeActiveSet(keys);
        _epochStartBlock = uint64(block.number);
        (address[] memory signers, uint256[] memory stakes) = _unpackSet(keys);
        emit ValidatorSetUpdated(0, signers, stakes);
    }

    // ================================================================ views

    /// @inheritdoc IValidatorRegistry
    function getActiveValidators() external view returns (address[] memory signers, uint256[] memory stakes) {
        return _unpackSet(_activeSet);
    }

    /// @inheritdoc IValidatorRegistry
    function currentEpoch() external view returns (uint64) {
        return _currentEpoch;
    }

    /// @notice The block in which the current epoch's set was snapshotted (for epoch 0: the genesis block).
    function epochStartBlock() external view returns (uint64) {
        return _epochStartBlock;
    }

    /// @inheritdoc IValidatorRegistry
    function config() external view returns (Config memory) {
        return
            Config({
                minSelfStake: _minSelfStake,
                unbondingPeriod: _unbondingPeriod,
                epochLength: _epochLength,
                maxValidators: _maxValidators,
                slashFractionBps: _slashFractionBps,
                jailDuration: _jailDuration
            });
    }

    /// @inheritdoc IValidatorRegistry
    function validatorBySigner(address signer) external view returns (Validator memory) {
        ValidatorRecord storage v = _validators[signer];
        return
            Validator({
                operator: v.operator,
                signer: v.operator == address(0) ? address(0) : signer,
                stake: v.stake,
                jailed: v.jailed,
                jailedUntil: v.jailedUntil,
                registered: v.registeredIndex != 0,
                unbonding: v.unbonding,
                rewards: v.rewards,
                operatorSince: v.operatorSince
            });
    }

    /// @notice Signers of every registered validator (any stake, jailed or not), in no particular order.
    function registeredValidators() external view returns (address[] memory) {
        return _registeredSigners;
    }

    /// @notice The pending unbonding request `requestId` (all zero if unknown or already withdrawn).
    /// @param requestId the id returned by `requestUnbond`
    function unbondingRequest(uint256 requestId) external view returns (UnbondingRequest memory) {
        return _unbondingRequests[requestId];
    }

    /// @notice Ids of the validator's unbonding requests not yet withdrawn.
    /// @param signer the validator
    function pendingUnbondingRequests(address signer) external view returns (uint256[] memory) {
        return _pendingRequestIds[signer];
    }

    /// @notice Whether this double-sign evidence has already slashed someone.
    /// @param evidenceHash the evidence identifier passed to `slash`
    function isEvidenceUsed(bytes32 evidenceHash) external view returns (bool) {
        return _usedEvidence[evidenceHash];
    }

    // ================================================================ system calls

    /// @inheritdoc IValidatorRegistry
    function advanceEpoch() external onlySystemCaller {
        // Two snapshots in one block would skip an epoch: that is a node bug, refuse it loudly.
        if (block.number <= _epochStartBlock) revert ValidatorRegistryEpochAlreadyAdvanced(block.number);
        uint256[] memory keys = _computeActiveSet();
        if (keys.length == 0) {
            // Keep the chain alive: re-announce the previous set rather than an empty one.
            keys = _activeSet;
        } else {
            _storeActiveSet(keys);
        }
        (address[] memory signers, uint256[] memory stakes) = _unpackSet(keys);
        uint64 epoch = ++_currentEpoch;
        _epochStartBlock = uint64(block.number);
        emit ValidatorSetUpdated(epoch, signers, stakes);
    }

    /// @inheritdoc IValidatorRegistry
    function slash(address signer, bytes32 evidenceHash, uint64 offenceHeight) external onlySystemCaller {
        if (offenceHeight >= block.number) revert ValidatorRegistryInvalidOffenceHeight(offenceHeight, block.number);
        if (_usedEvidence[evidenceHash]) revert ValidatorRegistryEvidenceAlreadyUsed(evidenceHash);
        ValidatorRecord storage v = _knownValidator(signer);
        _usedEvidence[evidenceHash] = true;
        if (offenceHeight < v.operatorSince) {
            emit SlashSkippedOperatorChanged(signer, evidenceHash, offenceHeight, v.operatorSince);
            return;
        }

        uint256 fromStake = (v.stake * _slashFractionBps) / _BPS;
        v.stake -= fromStake;
        uint256 fromUnbonding = _slashUnbonding(signer);
        v.unbonding -= fromUnbonding;
        uint256 slashed = fromStake + fromUnbonding;
        totalBurned += slashed;

        _jailUntil(v, signer, _fromNow(_jailDuration));
        if (v.registeredIndex != 0 && v.stake == 0) _exit(v, signer);
        emit ValidatorSlashed(signer, evidenceHash, slashed);
    }

    /// @inheritdoc IValidatorRegistry
    function jail(address signer, uint64 until) external onlySystemCaller {
        ValidatorRecord storage v = _knownValidator(signer);
        if (until <= block.timestamp) revert ValidatorRegistryInvalidJailRelease(until, block.timestamp);
        _jailUntil(v, signer, until);
    }

    /// @inheritdoc IValidatorRegistry
    function distributeReward(address signer) external payable onlySystemCaller {
        ValidatorRecord storage v = _knownValidator(signer);
        if (msg.value == 0) revert ValidatorRegistryZeroAmount();
        v.rewards += msg.value;
        emit RewardDistributed(signer, msg.value);
    }

    // ================================================================ operators

    /// @inheritdoc IValidatorRegistry
    /// @dev A signer whose previous validator fully unbonded may be registered again: by the same operator
    /// at any time, by another operator only once the previous one's unbonding funds and rewards are gone.
    /// A jail carries over to the new registration.
    function register(address signer, bytes calldata consent) external payable nonReentrant {
        _checkNewSigner(signer);
        (address recovered, ECDSA.RecoverError failure, ) = ECDSA.tryRecover(_consentDigest(signer, msg.sender), consent);
        if (failure != ECDSA.RecoverError.NoError || recovered != signer) {
            revert ValidatorRegistryInvalidSignerConsent(signer, msg.sender);
        }
        ValidatorRecord storage previous = _validators[signer];
        if (
            previous.operator != address(0) &&
            previous.operator != msg.sender &&
            (previous.unbonding != 0 || previous.rewards != 0)
        ) revert ValidatorRegistrySignerAlreadyRegistered(signer);
        _checkStakeBounds(msg.value, _minSelfStake);
        if (_registeredSigners.length >= MAX_REGISTERED_VALIDATORS) _displaceSmallest(signer, msg.value);
        _addValidator(signer, msg.sender, msg.value);
    }

    /// @inheritdoc IValidatorRegistry
    function addStake(address signer) external payable nonReentrant {
        ValidatorRecord storage v = _operatedValidator(signer);
        if (msg.value == 0) revert ValidatorRegistryZeroAmount();
        uint256 newStake = v.stake + msg.value;
        if (newStake > MAX_STAKE) revert ValidatorRegistryStakeTooLarge(newStake, MAX_STAKE);
        v.stake = newStake;
        emit StakeAdded(signer, msg.value, newStake);
    }

    /// @inheritdoc IValidatorRegistry
    /// @dev Unbonding the whole stake removes the validator from the registry (freeing its slot); a
    /// partial unbond that leaves less than `minSelfStake` keeps it registered but out of the active set.
    function requestUnbond(address signer, uint256 amount) external nonReentrant returns (uint256 requestId) {
        ValidatorRecord storage v = _operatedValidator(signer);
        if (amount == 0) revert ValidatorRegistryZeroAmount();
        if (amount > v.stake) revert ValidatorRegistryInsufficientStake(v.stake, amount);
        uint256[] storage pending = _pendingRequestIds[signer];
        if (pending.length >= MAX_PENDING_UNBONDINGS) {
            revert ValidatorRegistryTooManyUnbondingRequests(signer, MAX_PENDING_UNBONDINGS);
        }

        v.stake -= amount;
        v.unbonding += amount;
        requestId = ++_lastRequestId;
        uint64 releaseTime = _fromNow(_unbondingPeriod);
        _unbondingRequests[requestId] = UnbondingRequest({
            signer: signer,
            releaseTime: releaseTime,
            operator: msg.sender,
            amount: amount
        });
        pending.push(requestId);
        emit UnbondingRequested(signer, requestId, amount, releaseTime);
        if (v.stake == 0) _exit(v, signer);
    }

    /// @inheritdoc IValidatorRegistry
    function withdraw(uint256 requestId) external nonReentrant {
        UnbondingRequest memory request = _unbondingRequests[requestId];
        if (request.operator == address(0)) revert ValidatorRegistryUnknownUnbondingRequest(requestId);
        if (msg.sender != request.operator) revert ValidatorRegistryNotOperator(request.signer, msg.sender);
        if (block.timestamp < request.releaseTime) {
            revert ValidatorRegistryUnbondingNotMature(requestId, request.releaseTime);
        }

        delete _unbondingRequests[requestId];
        _removePendingId(request.signer, requestId);
        _validators[request.signer].unbonding -= request.amount;
        emit StakeWithdrawn(request.signer, requestId, request.operator, request.amount);
        if (request.amount != 0) Address.sendValue(payable(request.operator), request.amount);
    }

    /// @inheritdoc IValidatorRegistry
    function claimRewards(address signer) external nonReentrant {
        ValidatorRecord storage v = _knownValidator(signer);
        if (msg.sender != v.operator) revert ValidatorRegistryNotOperator(signer, msg.sender);
        uint256 amount = v.rewards;
        if (amount == 0) revert ValidatorRegistryNoRewards(signer);
        v.rewards = 0;
        emit RewardsClaimed(signer, msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    /// @inheritdoc IValidatorRegistry
    function unjail(address signer) external nonReentrant {
        ValidatorRecord storage v = _operatedValidator(signer);
        if (!v.jailed) revert ValidatorRegistryNotJailed(signer);
        if (block.timestamp < v.jailedUntil) revert ValidatorRegistryStillJailed(signer, v.jailedUntil);
        if (v.stake < _minSelfStake) revert ValidatorRegistryStakeBelowMinimum(v.stake, _minSelfStake);
        v.jailed = false;
        emit ValidatorUnjailed(signer);
    }

    /// @inheritdoc IValidatorRegistry
    function consentDigest(address signer, address operator) external view returns (bytes32) {
        return _consentDigest(signer, operator);
    }

    // ================================================================ internals

    function _consentDigest(address signer, address operator) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_CONSENT_TYPEHASH, signer, operator)));
    }

    function _validateConfig(Config memory c) private pure {
        if (c.minSelfStake == 0 || c.minSelfStake > MAX_STAKE) {
            revert ValidatorRegistryInvalidConfig(ConfigParameter.MinSelfStake);
        }
        if (c.unbondingPeriod == 0) revert ValidatorRegistryInvalidConfig(ConfigParameter.UnbondingPeriod);
        if (c.epochLength == 0) revert ValidatorRegistryInvalidConfig(ConfigParameter.EpochLength);
        // Stake must not finish unbonding while it can still be in the active set: the set changes only at
        // epoch boundaries, so an epoch must be shorter than the unbonding period. An epoch lasts at least
        // epochLength x MIN_BLOCK_TIME (each block's timestamp exceeds its parent's by at least 1 s; the
        // devnet makes blocks on demand, at least 1 s apart in block time); a chain slower than that
        // stretches epochs, which is why the node's operators keep the two far apart.
        if (uint256(c.epochLength) * MIN_BLOCK_TIME >= c.unbondingPeriod) {
            revert ValidatorRegistryInvalidConfig(ConfigParameter.UnbondingPeriod);
        }
        if (c.maxValidators == 0 || c.maxValidators > MAX_REGISTERED_VALIDATORS) {
            revert ValidatorRegistryInvalidConfig(ConfigParameter.MaxValidators);
        }
        if (c.slashFractionBps > _BPS) revert ValidatorRegistryInvalidConfig(ConfigParameter.SlashFractionBps);
        if (c.jailDuration == 0) revert ValidatorRegistryInvalidConfig(ConfigParameter.JailDuration);
    }

    function _checkNewSigner(address signer) private view {
        if (signer == address(0)) revert ValidatorRegistryInvalidSigner(signer);
        if (_validators[signer].registeredIndex != 0) revert ValidatorRegistrySignerAlreadyRegistered(signer);
    }

    function _checkStakeBounds(uint256 stake, uint256 minSelfStake) private pure {
        if (stake < minSelfStake) revert ValidatorRegistryStakeBelowMinimum(stake, minSelfStake);
        if (stake > MAX_STAKE) revert ValidatorRegistryStakeTooLarge(stake, MAX_STAKE);
    }

    /// Registers (or re-registers) `signer`, keeping its jail, pending unbonding and rewards.
    function _addValidator(address signer, address operator, uint256 stake) private {
        ValidatorRecord storage v = _validators[signer];
        // A new operator answers for the signer from now on; the same operator coming back keeps its history.
        if (v.operator != operator) v.operatorSince = uint64(block.number);
        v.operator = operator;
        v.stake = stake;
        _registeredSigners.push(signer);
        // Fits: the registry never holds more than MAX_REGISTERED_VALIDATORS (100) signers.
        v.registeredIndex = uint8(_registeredSigners.length);
        emit ValidatorRegistered(signer, operator, stake);
    }

    function _exit(ValidatorRecord storage v, address signer) private {
        uint256 index = v.registeredIndex - 1;
        uint256 last = _registeredSigners.length - 1;
        if (index != last) {
            address moved = _registeredSigners[last];
            _registeredSigners[index] = moved;
            _validators[moved].registeredIndex = uint8(index + 1);
        }
        _registeredSigners.pop();
        v.registeredIndex = 0;
        emit ValidatorExited(signer);
    }

    /// The registry is full: the registered validator with the least stake (on a tie, the higher signer
    /// address) leaves to make room for `newcomer`, whose `stake` must be larger. Bounded: one pass over at
    /// most MAX_REGISTERED_VALIDATORS signers.
    function _displaceSmallest(address newcomer, uint256 stake) private {
        address smallest;
        uint256 smallestStake = type(uint256).max;
        uint256 count = _registeredSigners.length;
        for (uint256 i = 0; i < count; ++i) {
            address candidate = _registeredSigners[i];
            uint256 candidateStake = _validators[candidate].stake;
            if (candidateStake < smallestStake || (candidateStake == smallestStake && candidate > smallest)) {
                smallest = candidate;
                smallestStake = candidateStake;
            }
        }
        if (stake <= smallestStake) revert ValidatorRegistryFull(MAX_REGISTERED_VALIDATORS, smallestStake, stake);
        ValidatorRecord storage v = _validators[smallest];
        uint256 requestId = _unbondAll(v, smallest);
        _exit(v, smallest);
        emit ValidatorDisplaced(smallest, newcomer, requestId);
    }

    /// Moves a leaving validator's whole stake into unbonding, owed to its operator after the unbonding
    /// period. When it already has MAX_PENDING_UNBONDINGS requests, the stake joins the latest one (whose
    /// release moves to the later of the two), so the slash loop stays bounded. Returns the request id (0: no stake).
    function _unbondAll(ValidatorRecord storage v, address signer) private returns (uint256 requestId) {
        uint256 amount = v.stake;
        if (amount == 0) return 0;
        v.stake = 0;
        v.unbonding += amount;
        uint64 releaseTime = _fromNow(_unbondingPeriod);
        uint256[] storage pending = _pendingRequestIds[signer];
        if (pending.length >= MAX_PENDING_UNBONDINGS) {
            requestId = pending[pending.length - 1];
            UnbondingRequest storage request = _unbondingRequests[requestId];
            request.amount += amount;
            if (releaseTime > request.releaseTime) request.releaseTime = releaseTime;
        } else {
            requestId = ++_lastRequestId;
            _unbondingRequests[requestId] = UnbondingRequest({signer: signer, releaseTime: releaseTime, operator: v.operator, amount: amount});
            pending.push(requestId);
        }
        emit UnbondingRequested(signer, requestId, amount, releaseTime);
    }

    function _knownValidator(address signer) private view returns (ValidatorRecord storage v) {
        v = _validators[signer];
        if (v.operator == address(0)) revert ValidatorRegistryUnknownValidator(signer);
    }

    function _operatedValidator(address signer) private view returns (ValidatorRecord storage v) {
        v = _validators[signer];
        if (v.registeredIndex == 0) revert ValidatorRegistryUnknownValidator(signer);
        if (msg.sender != v.operator) revert ValidatorRegistryNotOperator(signer, msg.sender);
    }

    function _jailUntil(ValidatorRecord storage v, address signer, uint64 until) private {
        if (until > v.jailedUntil) v.jailedUntil = until;
        v.jailed = true;
        emit ValidatorJailed(signer, v.jailedUntil);
    }

    /// Slashes every not-yet-matured unbonding request of `signer`; returns the total taken.
    function _slashUnbonding(address signer) private returns (uint256 slashed) {
        uint256[] storage ids = _pendingRequestIds[signer];
        for (uint256 i = 0; i < ids.length; ++i) {
            UnbondingRequest storage request = _unbondingRequests[ids[i]];
            if (request.releaseTime <= block.timestamp) continue;
            uint256 cut = (request.amount * _slashFractionBps) / _BPS;
            request.amount -= cut;
            slashed += cut;
        }
    }

    function _removePendingId(address signer, uint256 requestId) private {
        uint256[] storage ids = _pendingRequestIds[signer];
        uint256 last = ids.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (ids[i] == requestId) {
                ids[i] = ids[last];
                ids.pop();
                return;
            }
        }
    }

    /// The top `maxValidators` eligible validators as sort keys, best first.
    function _computeActiveSet() private view returns (uint256[] memory keys) {
        uint256 registered = _registeredSigners.length;
        keys = new uint256[](registered);
        uint256 eligible = 0;
        for (uint256 i = 0; i < registered; ++i) {
            address signer = _registeredSigners[i];
            ValidatorRecord storage v = _validators[signer];
            if (v.jailed || v.stake < _minSelfStake) continue;
            keys[eligible++] = _sortKey(v.stake, signer);
        }
        assembly ("memory-safe") {
            mstore(keys, eligible)
        }
        Arrays.sort(keys, Comparators.gt);
        uint256 seats = _maxValidators;
        if (eligible > seats) {
            assembly ("memory-safe") {
                mstore(keys, seats)
            }
        }
    }

    /// Packs (stake, signer) into one word whose descending order is stake descending, then signer
    /// ascending: the stake (< 2^96) in the high bits, the bitwise complement of the signer below.
    /// Signers are distinct, so keys are too and the order is total.
    function _sortKey(uint256 stake, address signer) private pure returns (uint256) {
        return (stake << 160) | (_SIGNER_MASK ^ uint160(signer));
    }

    function _unpackSet(uint256[] memory keys) private pure returns (address[] memory signers, uint256[] memory stakes) {
        signers = new address[](keys.length);
        stakes = new uint256[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            signers[i] = address(uint160((keys[i] & _SIGNER_MASK) ^ _SIGNER_MASK));
            stakes[i] = keys[i] >> 160;
        }
    }

    /// Overwrites the stored set in place (rewriting an unchanged slot is cheap), then trims the tail.
    function _storeActiveSet(uint256[] memory keys) private {
        uint256 stored = _activeSet.length;
        for (uint256 i = 0; i < keys.length; ++i) {
            if (i < stored) _activeSet[i] = keys[i];
            else _activeSet.push(keys[i]);
        }
        for (uint256 i = keys.length; i < stored; ++i) _activeSet.pop();
    }

    /// `block.timestamp + duration`, saturating at the largest uint64 (a huge configured duration must
    /// not make a system call revert).
    function _fromNow(uint64 duration) private view returns (uint64) {
        uint256 time = block.timestamp + duration;
        return time > type(uint64).max ? type(uint64).max : uint64(time);
    }
}
