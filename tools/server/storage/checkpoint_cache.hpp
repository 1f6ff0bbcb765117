// Members' ledger checkpoints as this process last decoded or wrote them, each under the
// revision its member_state row had then (member_state.rev: a fresh random number on every
// write of the row, SqlMemberTx::save_checkpoint). A write reads the member's row under its
// lock with the revision it holds here: when the row still has it, the database leaves the
// body out and the write takes the checkpoint from here instead of decoding it — the largest
// part of a receipt's own work for a member with many live batches; a read copies it. Any
// other writer (another thread, another server, the CLI) writes another revision, so an entry
// is never used for a row it did not come from; a write's entry is kept only once its
// transaction committed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/ledger/ledger.hpp"

namespace kopilka::server {

class CheckpointCache {
  public:
    // The checkpoint is not changed while it is shared: take() hands it over, and its taker
    // may move from it only while no get() made a copy of the pointer (use_count() == 1).
    struct Entry {
        std::int64_t rev = 0;
        std::shared_ptr<ledger::Checkpoint> checkpoint;
    };

    // At most about `budget` batches, history lines and reservations in all (a member's
    // checkpoint counts as 1 + those), the least recently used dropped first.
    explicit CheckpointCache(std::size_t budget) : budget_(budget) {}

    std::optional<Entry> get(const std::string& merchant_id, const std::string& member_id) {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto found = index_.find(key(merchant_id, member_id));
        if (found == index_.end()) return std::nullopt;
        lru_.splice(lru_.begin(), lru_, found->second);
        return found->second->entry;
    }

    // The member's entry, no longer kept: a write takes it (it writes the member's next one),
    // so its checkpoint is neither copied nor freed under the lock.
    std::optional<Entry> take(const std::string& merchant_id, const std::string& member_id) {
        std::list<Node> taken;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const auto found = index_.find(key(merchant_id, member_id));
            if (found == index_.end()) return std::nullopt;
            used_ -= found->second->weight;
            taken.splice(taken.end(), lru_, found->second);
            index_.erase(found);
        }
        return std::move(taken.front().entry);
    }

    // Keeps e for the member (replacing what was kept); a checkpoint larger than the whole
    // budget is not kept.
    void put(const std::string& merchant_id, const std::string& member_id, Entry e) {
        const std::size_t weight = weight_of(*e.checkpoint);
        std::string k = key(merchant_id, member_id);
        std::list<Node> dropped;  // freed after the lock: a checkpoint's batches are many
        std::lock_guard<std::mutex> lock(mutex_);
        if (const auto found = index_.find(k); found != index_.end()) {
            used_ -= found->second->weight;
            dropped.splice(dropped.end(), lru_, found->second);
            index_.erase(found);
        }
        if (weight > budget_) return;
        lru_.push_front(Node{k, std::move(e), weight});
        index_.emplace(std::move(k), lru_.begin());
        used_ += weight;
        while (used_ > budget_) {
            used_ -= lru_.back().weight;
            index_.erase(lru_.back().key);
            dropped.splice(dropped.end(), lru_, std::prev(lru_.end()));
        }
    }

    std::size_t size() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return index_.size();
    }

    // A checkpoint copied from here (hit) or decoded from its row (miss), for /metrics.
    void count(bool hit) { (hit ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
    std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  private:
    struct Node {
        std::string key;
        Entry entry;
        std::size_t weight = 0;
    };
    static std::string key(const std::string& merchant_id, const std::string& member_id) {
        std::string k;
        k.reserve(merchant_id.size() + 1 + member_id.size());
        k.append(merchant_id).push_back('\0');  // neither id holds a NUL (the API refuses them)
        k.append(member_id);
        return k;
    }
    static std::size_t weight_of(const ledger::Checkpoint& c) {
        return 1 + c.batches.size() + c.history.size() + c.reservations.size();
    }

    mutable std::mutex mutex_;
    std::list<Node> lru_;  // most recently used first
    std::unordered_map<std::string, std::list<Node>::iterator> index_;
    std::size_t budget_;
    std::size_t used_ = 0;
    std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace kopilka::server
