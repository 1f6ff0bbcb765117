// The rows nearly every request reads and merchants rarely change — merchants, API keys,
// program versions and documents (themes, wheels, kiosk settings) — kept in memory under the
// generation of those tables at the time they were read. The store's adapter says what the
// generation is now (PostgreSQL: bumped by its own commits that wrote those tables and by
// every NOTIFY the tables' triggers send, storage/pg_store.cpp); an entry is used only while
// the generation it was read under is still current, so a change made by this process is seen
// by its next read and one made by another server as soon as its notification arrives.
#pragma once

#include <any>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace kopilka::server {

class ConfigCache {
  public:
    // What load() returns for key, from memory when it was read under `generation` and fits;
    // nothing is kept without a generation (nullopt: the adapter can't tell what changed).
    // `current` gives the generation again after loading: the value is kept only if it has not
    // moved meanwhile, so a read that raced a change is never kept.
    template <class T, class Current, class Load, class Fits>
    T get(const std::string& key, Current&& current, Load&& load, Fits&& fits) {
        const std::optional<std::uint64_t> before = current();
        if (!before) return load();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (generation_ == *before) {
                const auto found = entries_.find(key);
                if (found != entries_.end()) {
                    const T& kept = std::any_cast<const T&>(found->second);
                    if (fits(kept)) return kept;
                }
            }
        }
        T value = load();
        if (current() != before) return value;
        std::lock_guard<std::mutex> lock(mutex_);
        if (generation_ != *before || entries_.size() >= kEntriesMax) {
            entries_.clear();
            generation_ = *before;
        }
        entries_.insert_or_assign(key, value);
        return value;
    }

  private:
    // More keys than a server's merchants need at once (a few per merchant); past it the cache
    // starts over, so unknown keys asked for in bulk can't grow it without bound.
    static constexpr std::size_t kEntriesMax = 4096;

    std::mutex mutex_;
    std::uint64_t generation_ = 0;  // the generation every entry was read under
    std::unordered_map<std::string, std::any> entries_;
};

}  // namespace kopilka::server
