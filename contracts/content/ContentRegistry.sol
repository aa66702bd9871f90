// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IContentRegistry} from "./IContentRegistry.sol";
import {CidValidation} from "./CidValidation.sol";

/**
 * @title ContentRegistry
 * @notice Content published by IPFS CID, with versions. See {IContentRegistry}. No owner, no fees:
 * an item belongs to the account that published it.
 *
 * Sizes are bounded so that one item's page of reads stays small: a CID carries a hash (an identity
 * CID can inline a little data, up to MAX_CID_LENGTH bytes in all), the metadata points elsewhere for
 * anything large.
 */
contract ContentRegistry is IContentRegistry {
    uint256 public constant MAX_CID_LENGTH = 128;
    uint256 public constant MAX_TITLE_LENGTH = 200;
    uint256 public constant MAX_METADATA_LENGTH = 2048;
    uint256 public constant MAX_PAGE_SIZE = 100;

    struct Item {
        address author;
        uint64 createdAt;
        bool retracted;
        Version[] versions;
    }

    /// @dev Item ids are 1-based: `_items[itemId - 1]`.
    Item[] private _items;
    mapping(address author => uint256[] itemIds) private _itemsByAuthor;

    /// @inheritdoc IContentRegistry
    function publish(
        bytes calldata cid,
        string calldata title,
        string calldata metadata
    ) external returns (uint256 itemId) {
        _checkVersion(cid, title, metadata);
        Item storage item = _items.push();
        itemId = _items.length;
        item.author = msg.sender;
        item.createdAt = uint64(block.timestamp);
        item.versions.push(Version(cid, title, metadata, uint64(block.timestamp)));
        _itemsByAuthor[msg.sender].push(itemId);
        emit ContentPublished(itemId, msg.sender, cid, title, metadata);
    }

    /// @inheritdoc IContentRegistry
    function publishVersion(
        uint256 itemId,
        bytes calldata cid,
        string calldata title,
        string calldata metadata
    ) external returns (uint256 version) {
        Item storage item = _authoredItem(itemId);
        if (item.retracted) revert ContentRegistryItemRetracted(itemId);
        _checkVersion(cid, title, metadata);
        item.versions.push(Version(cid, title, metadata, uint64(block.timestamp)));
        version = item.versions.length;
        emit ContentVersionPublished(itemId, version, msg.sender, cid, title, metadata);
    }

    /// @inheritdoc IContentRegistry
    function retract(uint256 itemId) external {
        Item storage item = _authoredItem(itemId);
        if (item.retracted) revert ContentRegistryItemRetracted(itemId);
        item.retracted = true;
        emit ContentRetracted(itemId, msg.sender);
    }

    /// @inheritdoc IContentRegistry
    function checkCid(bytes calldata cid) external pure returns (CidProblem problem, uint256 offset) {
        return CidValidation.check(cid, MAX_CID_LENGTH);
    }

    /// @inheritdoc IContentRegistry
    function itemCount() external view returns (uint256) {
        return _items.length;
    }

    /// @inheritdoc IContentRegistry
    function getItem(uint256 itemId) external view returns (ItemView memory) {
        _existingItem(itemId);
        return _view(itemId);
    }

    /// @inheritdoc IContentRegistry
    function items(uint256 offset, uint256 limit) external view returns (ItemView[] memory page) {
        uint256 count = _pageLength(_items.length, offset, limit);
        page = new ItemView[](count);
        for (uint256 i = 0; i < count; i++) page[i] = _view(offset + i + 1);
    }

    /// @inheritdoc IContentRegistry
    function itemCountOf(address author) external view returns (uint256) {
        return _itemsByAuthor[author].length;
    }

    /// @inheritdoc IContentRegistry
    function itemsOf(address author, uint256 offset, uint256 limit) external view returns (ItemView[] memory page) {
        uint256[] storage ids = _itemsByAuthor[author];
        uint256 count = _pageLength(ids.length, offset, limit);
        page = new ItemView[](count);
        for (uint256 i = 0; i < count; i++) page[i] = _view(ids[offset + i]);
    }

    /// @inheritdoc IContentRegistry
    function versionCount(uint256 itemId) external view returns (uint256) {
        return _existingItem(itemId).versions.length;
    }

    /// @inheritdoc IContentRegistry
    function getVersion(uint256 itemId, uint256 version) external view returns (Version memory) {
        Version[] storage all = _existingItem(itemId).versions;
        if (version == 0 || version > all.length) revert ContentRegistryUnknownVersion(itemId, version);
        return all[version - 1];
    }

    /// @inheritdoc IContentRegistry
    function versions(uint256 itemId, uint256 offset, uint256 limit) external view returns (Version[] memory page) {
        Version[] storage all = _existingItem(itemId).versions;
        uint256 count = _pageLength(all.length, offset, limit);
        page = new Version[](count);
        for (uint256 i = 0; i < count; i++) page[i] = all[offset + i];
    }

    function _checkVersion(bytes calldata cid, string calldata title, string calldata metadata) private pure {
        (CidProblem problem, uint256 offset) = CidValidation.check(cid, MAX_CID_LENGTH);
        if (problem != CidProblem.None) revert ContentRegistryInvalidCid(problem, offset);
        uint256 titleLength = bytes(title).length;
        if (titleLength == 0) revert ContentRegistryEmptyTitle();
        if (titleLength > MAX_TITLE_LENGTH) revert ContentRegistryTitleTooLong(titleLength, MAX_TITLE_LENGTH);
        uint256 metadataLength = bytes(metadata).length;
        if (metadataLength > MAX_METADATA_LENGTH) {
            revert ContentRegistryMetadataTooLong(metadataLength, MAX_METADATA_LENGTH);
        }
    }

    function _existingItem(uint256 itemId) private view returns (Item storage) {
        if (itemId == 0 || itemId > _items.length) revert ContentRegistryUnknownItem(itemId);
        return _items[itemId - 1];
    }

    function _authoredItem(uint256 itemId) private view returns (Item storage item) {
        item = _existingItem(itemId);
        if (item.author != msg.sender) revert ContentRegistryNotAuthor(itemId, msg.sender);
    }

    function _view(uint256 itemId) private view returns (ItemView memory) {
        Item storage item = _items[itemId - 1];
        uint256 count = item.versions.length;
        Version storage latest = item.versions[count - 1];
        return ItemView({
            itemId: itemId,
            author: item.author,
            createdAt: item.createdAt,
            updatedAt: latest.publishedAt,
            versionCount: uint32(count),
            retracted: item.retracted,
            latest: latest
        });
    }

    /// @dev How many entries a page from `offset` holds: none past the end, at most MAX_PAGE_SIZE.
    function _pageLength(uint256 total, uint256 offset, uint256 limit) private pure returns (uint256) {
        if (offset >= total) return 0;
        uint256 available = total - offset;
        if (limit > MAX_PAGE_SIZE) limit = MAX_PAGE_SIZE;
        return limit < available ? limit : available;
    }
}
