// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IContentRegistry
 * @notice Authors publish content by IPFS CID: an item has a title, free-form metadata and a list of
 * versions, each naming the CID of that version's bytes. The CIDs are checked on chain to be well
 * formed binary CIDs, so what an indexer reads always decodes.
 *
 * Item ids and version numbers start at 1. Lists are in publication order, read in pages.
 */
interface IContentRegistry {
    /// @notice What is wrong with a binary CID (`None` for a well-formed one).
    enum CidProblem {
        None,
        // no bytes at all
        Empty,
        // longer than MAX_CID_LENGTH
        TooLong,
        // first byte neither 0x12 (CIDv0 multihash) nor 0x01 (CIDv1)
        UnsupportedVersion,
        // starts like a CIDv0 but is not sha2-256 with a 32-byte digest (0x12 0x20)
        MalformedV0,
        // ends inside a varint or before the digest's declared length
        Truncated,
        // a varint with a redundant trailing zero group (multiformats requires minimal encoding)
        NonMinimalVarint,
        // a varint longer than the 9 bytes multiformats allows
        VarintTooLong,
        // bytes after the digest
        TrailingBytes
    }

    /// @notice One version of an item.
    struct Version {
        // binary CID of the content
        bytes cid;
        string title;
        // free-form, e.g. JSON with the media type and size
        string metadata;
        uint64 publishedAt;
    }

    /// @notice An item as read back, with its latest version.
    struct ItemView {
        uint256 itemId;
        address author;
        uint64 createdAt;
        uint64 updatedAt;
        uint32 versionCount;
        bool retracted;
        Version latest;
    }

    /// @notice `author` created item `itemId` with its first version.
    event ContentPublished(uint256 indexed itemId, address indexed author, bytes cid, string title, string metadata);

    /// @notice `author` published `version` (2, 3, ...) of item `itemId`.
    event ContentVersionPublished(
        uint256 indexed itemId,
        uint256 indexed version,
        address indexed author,
        bytes cid,
        string title,
        string metadata
    );

    /// @notice `author` withdrew item `itemId`: it stays readable but takes no new versions.
    event ContentRetracted(uint256 indexed itemId, address indexed author);

    /// @notice The CID is not a well-formed binary CID: `problem`, found at byte `offset`.
    error ContentRegistryInvalidCid(CidProblem problem, uint256 offset);

    /// @notice A version needs a title.
    error ContentRegistryEmptyTitle();

    /// @notice The title has `length` bytes, more than `maxLength`.
    error ContentRegistryTitleTooLong(uint256 length, uint256 maxLength);

    /// @notice The metadata has `length` bytes, more than `maxLength`.
    error ContentRegistryMetadataTooLong(uint256 length, uint256 maxLength);

    /// @notice No item `itemId` exists.
    error ContentRegistryUnknownItem(uint256 itemId);

    /// @notice Item `itemId` has no version `version`.
    error ContentRegistryUnknownVersion(uint256 itemId, uint256 version);

    /// @notice `caller` is not the author of item `itemId`.
    error ContentRegistryNotAuthor(uint256 itemId, address caller);

    /// @notice Item `itemId` was retracted.
    error ContentRegistryItemRetracted(uint256 itemId);

    /**
     * @notice Creates an item authored by the caller, with `cid` as its first version.
     * @param cid binary CID (CIDv0: 0x12 0x20 + 32 bytes; or CIDv1)
     * @param title 1 to MAX_TITLE_LENGTH bytes of UTF-8
     * @param metadata up to MAX_METADATA_LENGTH bytes
     * @return itemId the new item's id
     */
    function publish(bytes calldata cid, string calldata title, string calldata metadata) external returns (uint256 itemId);

    /// @notice Adds a version to item `itemId`. Its author only, while not retracted.
    /// @return version the new version's number
    function publishVersion(
        uint256 itemId,
        bytes calldata cid,
        string calldata title,
        string calldata metadata
    ) external returns (uint256 version);

    /// @notice Withdraws item `itemId` from further versions. Its author only.
    function retract(uint256 itemId) external;

    /// @notice Checks a binary CID as {publish} does; `problem == None` when it is well formed.
    function checkCid(bytes calldata cid) external pure returns (CidProblem problem, uint256 offset);

    /// @notice Number of items ever published.
    function itemCount() external view returns (uint256);

    /// @notice Item `itemId` with its latest version.
    function getItem(uint256 itemId) external view returns (ItemView memory);

    /// @notice Up to `limit` (at most MAX_PAGE_SIZE) items of all authors from position `offset`, oldest first.
    function items(uint256 offset, uint256 limit) external view returns (ItemView[] memory);

    /// @notice Number of items `author` created.
    function itemCountOf(address author) external view returns (uint256);

    /// @notice Up to `limit` (at most MAX_PAGE_SIZE) of `author`'s items from position `offset`, oldest first.
    function itemsOf(address author, uint256 offset, uint256 limit) external view returns (ItemView[] memory);

    /// @notice Number of versions of item `itemId`.
    function versionCount(uint256 itemId) external view returns (uint256);

    /// @notice Version `version` (1-based) of item `itemId`.
    function getVersion(uint256 itemId, uint256 version) external view returns (Version memory);

    /// @notice Up to `limit` (at most MAX_PAGE_SIZE) versions of item `itemId` from position `offset` (version offset + 1), oldest first.
    function versions(uint256 itemId, uint256 offset, uint256 limit) external view returns (Version[] memory);
}
