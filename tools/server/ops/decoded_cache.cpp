#include "decoded_cache.hpp"

#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace kopilka::server {

namespace {
// Each part with its length first, so no two keys run together into one.
std::string flat_key(const DecodedKey& k) {
    std::string out;
    for (const std::string* part : {&k.merchant_id, &k.kind, &k.id})
        out += std::to_string(part->size()) + ':' + *part;
    return out + std::to_string(k.version);
}

struct Entry {
    std::string key;
    std::string text;
    std::type_index type;
    std::shared_ptr<const void> value;
};
}  // namespace

struct DecodedCache::Impl {
    DecodedCacheOptions options;
    mutable std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
    DecodedCacheStats stats;

    void erase(std::list<Entry>::iterator it) {
        stats.text_bytes -= it->text.size();
        index.erase(it->key);
        lru.erase(it);
    }
};

DecodedCache::DecodedCache(DecodedCacheOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
}

DecodedCache::~DecodedCache() = default;

std::shared_ptr<const void> DecodedCache::find(const DecodedKey& key, const std::string& text,
                                               std::type_index type) {
    const std::string k = flat_key(key);
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const auto it = impl_->index.find(k);
    if (it == impl_->index.end() || it->second->type != type || it->second->text != text) {
        ++impl_->stats.misses;
        return nullptr;
    }
    impl_->lru.splice(impl_->lru.begin(), impl_->lru, it->second);
    ++impl_->stats.hits;
    return it->second->value;
}

void DecodedCache::put(const DecodedKey& key, const std::string& text, std::type_index type,
                       std::shared_ptr<const void> value) {
    Entry e{flat_key(key), text, type, std::move(value)};
    std::lock_guard<std::mutex> lock(impl_->mutex);
    Impl& c = *impl_;
    if (const auto it = c.index.find(e.key); it != c.index.end()) c.erase(it->second);
    c.stats.text_bytes += e.text.size();
    c.lru.push_front(std::move(e));
    c.index.emplace(c.lru.front().key, c.lru.begin());
    // The newest entry stays even when it alone is over the bytes bound.
    while (c.lru.size() > 1 && (c.lru.size() > c.options.entries_max ||
                                c.stats.text_bytes > c.options.text_bytes_max)) {
        c.erase(std::prev(c.lru.end()));
        ++c.stats.evictions;
    }
}

DecodedCacheStats DecodedCache::stats() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    DecodedCacheStats s = impl_->stats;
    s.entries = impl_->lru.size();
    return s;
}

DecodedCache& decoded_cache() {
    static DecodedCache cache;
    return cache;
}

}  // namespace kopilka::server
