// In-memory stand-ins for what front-end logic talks to: the network (answers held until
// the test releases them, as a network would), local storage and the outbox's store.
#pragma once

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/member_session.hpp"
#include "client/outbox.hpp"
#include "client/transport.hpp"

namespace kopilka::client::fakes {

using Done = std::function<void(TransportReply)>;

// Requests as Asked (what the test checks), each with its callback, oldest first.
template <class Asked>
struct HeldReplies {
    std::deque<std::pair<Asked, Done>> pending;
    void answer(int status, std::string body) { take().second({true, status, std::move(body)}); }
    void drop() { take().second({false, 0, ""}); }  // offline: no answer
    std::pair<Asked, Done> take() {
        REQUIRE_FALSE(pending.empty());
        auto p = std::move(pending.front());
        pending.pop_front();
        return p;
    }
};

// Holds every request as sent.
struct HeldTransport : Transport, HeldReplies<Request> {
    void request(const Request& r, Done done) override { pending.emplace_back(r, std::move(done)); }
};

struct MemoryStorage : KioskStorage {
    std::map<std::string, std::string> values;
    std::string get(const std::string& k) override { return values.count(k) ? values[k] : ""; }
    void set(const std::string& k, const std::string& v) override { values[k] = v; }
    void remove(const std::string& k) override { values.erase(k); }
};

// Stores at once.
struct MemoryOutboxStore : OutboxStore {
    std::map<std::string, OutboxItem> rows;
    void save(const OutboxItem& i, std::function<void(bool)> done) override {
        rows[i.op_id] = i;
        done(true);
    }
    void remove(const std::string& id) override { rows.erase(id); }
    void load(std::function<void(std::vector<OutboxItem>)> done) override {
        std::vector<OutboxItem> out;
        for (const auto& [id, i] : rows) out.push_back(i);
        done(out);
    }
};

// Counts up: "000…01", "000…02", … (32 hex digits).
inline std::function<std::string()> counting_ids(int* counter) {
    return [counter] {
        char buf[33];
        std::snprintf(buf, sizeof buf, "%032x", ++*counter);
        return std::string(buf);
    };
}

}  // namespace kopilka::client::fakes
