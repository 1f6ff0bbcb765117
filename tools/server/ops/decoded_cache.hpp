// Decoded copies of stored documents (programs, themes, wheels, settings), so that a server
// decodes each stored version once instead of on every request that uses it.
// Implemented: entries keyed by (merchant, kind, id, version) and checked against the stored
// text and the decoded type; LRU eviction bounded by entries and by text bytes; thread-safe;
// hit, miss and eviction counts.
// Missing: a per-merchant cap (one merchant with many documents can push others out).
//
// The cache decides nothing and holds no truth: callers still read the version in force from
// the database on every request (one indexed query, as before) and hand its text here, so a
// publish on any server is seen by the next request on every server. Only the decode of a
// version seen before is skipped. The text is compared because a key alone can name two
// different documents: a document deleted and created again starts at version 1 again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>

namespace kopilka::server {

struct DecodedKey {
    std::string merchant_id;
    std::string kind;  // "program", "theme", "wheel", "kiosk", "widget"
    std::string id;    // the document's id ("" for the program: one per merchant)
    std::int64_t version = 0;
};

struct DecodedCacheOptions {
    std::size_t entries_max = 4096;
    std::size_t text_bytes_max = std::size_t{32} << 20;  // stored texts; the decoded copies
                                                         // are of the same order
};

struct DecodedCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;  // decodes asked of the caller
    std::uint64_t evictions = 0;
    std::size_t entries = 0;
    std::size_t text_bytes = 0;
};

class DecodedCache {
public:
    explicit DecodedCache(DecodedCacheOptions options = {});
    ~DecodedCache();
    DecodedCache(const DecodedCache&) = delete;
    DecodedCache& operator=(const DecodedCache&) = delete;

    // The value decoded from text, stored under key: the kept one when key was filled from
    // the same text as a T, else decode() (run outside the lock; two threads may both decode a
    // new version, one result is kept). A null result (text that doesn't decode) is not kept.
    template <class T, class Decode>
    std::shared_ptr<const T> get(const DecodedKey& key, const std::string& text, Decode&& decode) {
        if (auto kept = find(key, text, typeid(T))) return std::static_pointer_cast<const T>(kept);
        std::shared_ptr<const T> fresh = decode();
        if (fresh) put(key, text, typeid(T), fresh);
        return fresh;
    }

    DecodedCacheStats stats() const;

private:
    std::shared_ptr<const void> find(const DecodedKey& key, const std::string& text,
                                     std::type_index type);
    void put(const DecodedKey& key, const std::string& text, std::type_index type,
             std::shared_ptr<const void> value);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The process's cache, shared by every request (its entries are derived copies of rows, keyed
// by what identifies the row in any database).
DecodedCache& decoded_cache();

}  // namespace kopilka::server
