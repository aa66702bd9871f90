// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IContentRegistry} from "./IContentRegistry.sol";

/**
 * @title CidValidation
 * @notice Structural check of a binary CID (https://github.com/multiformats/cid):
 * - CIDv0: the bare multihash 0x12 0x20 + 32-byte sha2-256 digest (34 bytes);
 * - CIDv1: 0x01, varint content codec, varint multihash code, varint digest length, digest.
 * Varints are multiformats unsigned varints: at most 9 bytes, minimally encoded. Codec and hash
 * codes are not looked up in the multicodec table (it grows; any code is well formed), but every
 * byte must be accounted for: no truncation and nothing after the digest.
 */
library CidValidation {
    uint8 private constant CID_V1 = 0x01;
    uint8 private constant SHA2_256 = 0x12;
    uint8 private constant SHA2_256_LENGTH = 0x20;
    uint256 private constant CID_V0_LENGTH = 34;
    uint256 private constant MAX_VARINT_BYTES = 9;

    /// @notice `problem == None` when `cid` is well formed; otherwise the problem and the byte offset where it was found.
    function check(
        bytes calldata cid,
        uint256 maxLength
    ) internal pure returns (IContentRegistry.CidProblem problem, uint256 offset) {
        if (cid.length == 0) return (IContentRegistry.CidProblem.Empty, 0);
        if (cid.length > maxLength) return (IContentRegistry.CidProblem.TooLong, maxLength);
        uint8 first = uint8(cid[0]);
        if (first == SHA2_256) return _checkV0(cid);
        if (first != CID_V1) return (IContentRegistry.CidProblem.UnsupportedVersion, 0);

        uint256 position = 1;
        uint256 digestLength;
        // codec, then multihash code, then digest length
        for (uint256 field = 0; field < 3; field++) {
            uint256 value;
            (value, position, problem) = _readVarint(cid, position);
            if (problem != IContentRegistry.CidProblem.None) return (problem, position);
            digestLength = value;
        }
        uint256 remaining = cid.length - position;
        if (remaining < digestLength) return (IContentRegistry.CidProblem.Truncated, cid.length);
        if (remaining > digestLength) return (IContentRegistry.CidProblem.TrailingBytes, position + digestLength);
        return (IContentRegistry.CidProblem.None, 0);
    }

    function _checkV0(bytes calldata cid) private pure returns (IContentRegistry.CidProblem, uint256) {
        if (cid.length < 2) return (IContentRegistry.CidProblem.Truncated, cid.length);
        if (uint8(cid[1]) != SHA2_256_LENGTH) return (IContentRegistry.CidProblem.MalformedV0, 1);
        if (cid.length < CID_V0_LENGTH) return (IContentRegistry.CidProblem.Truncated, cid.length);
        if (cid.length > CID_V0_LENGTH) return (IContentRegistry.CidProblem.TrailingBytes, CID_V0_LENGTH);
        return (IContentRegistry.CidProblem.None, 0);
    }

    /// @dev Reads the unsigned varint at `start`. On a problem, `next` is the offset of the offending byte.
    function _readVarint(
        bytes calldata data,
        uint256 start
    ) private pure returns (uint256 value, uint256 next, IContentRegistry.CidProblem problem) {
        for (uint256 i = 0; i < MAX_VARINT_BYTES; i++) {
            uint256 at = start + i;
            if (at >= data.length) return (0, data.length, IContentRegistry.CidProblem.Truncated);
            uint8 b = uint8(data[at]);
            value |= uint256(b & 0x7f) << (7 * i);
            if (b & 0x80 == 0) {
                // A last group of zero adds nothing: the same number has a shorter encoding.
                if (b == 0 && i > 0) return (0, at, IContentRegistry.CidProblem.NonMinimalVarint);
                return (value, at + 1, IContentRegistry.CidProblem.None);
            }
        }
        return (0, start + MAX_VARINT_BYTES - 1, IContentRegistry.CidProblem.VarintTooLong);
    }
}
