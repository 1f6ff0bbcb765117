// The SQLite adapter's concurrency, through the Store interface on a real database file:
// writes that arrive together are committed as a group yet each stands or falls alone, no
// update is lost among them, and a read is not held up by a write in progress.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.hpp"
#include "storage/test_store.hpp"

namespace kopilka::server {
namespace {

using test::spend_of;

// Starts n threads at once, each running fn(i); waits for them all.
template <class Fn>
void at_once(int n, Fn fn) {
    std::mutex m;
    std::condition_variable cv;
    bool go = false;
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back([&, i] {
            {
                std::unique_lock<std::mutex> lock(m);
                cv.wait(lock, [&] { return go; });
            }
            fn(i);
        });
    {
        std::lock_guard<std::mutex> lock(m);
        go = true;
    }
    cv.notify_all();
    for (auto& t : threads) t.join();
}

TEST_CASE("SQLite: writes arriving together each stand or fall alone") {
    test::TempStore t(false);  // a fresh database file
    constexpr int n = 48;
    std::vector<std::string> errors(n);
    std::vector<int> results(n, -1);
    at_once(n, [&](int i) {
        try {
            results[i] = t.store->with_member(
                             "m", "p" + std::to_string(i),
                             [&](MemberTx& tx) {
                                 MemberCounters c;
                                 c.spend_total = 100 + i;
                                 tx.save_counters(c);
                                 std::this_thread::sleep_for(std::chrono::microseconds(200));
                                 if (i % 3 == 1) return false;  // refused: rolled back
                                 if (i % 3 == 2)
                                     throw std::runtime_error("refused " + std::to_string(i));
                                 return true;
                             })
                             ? 1
                             : 0;
        } catch (const std::exception& e) {
            errors[i] = e.what();
        }
    });
    for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        if (i % 3 == 0) {
            CHECK(results[i] == 1);
            CHECK(errors[i].empty());
            CHECK(spend_of(*t.store, "p" + std::to_string(i)) == 100 + i);
        } else {
            CHECK(results[i] == (i % 3 == 1 ? 0 : -1));
            CHECK(errors[i] == (i % 3 == 2 ? "refused " + std::to_string(i) : ""));
            CHECK(spend_of(*t.store, "p" + std::to_string(i)) == 0);  // nothing of it stored
        }
    }
}

TEST_CASE("SQLite: writes of one member arriving together lose no update") {
    test::TempStore t(false);  // a fresh database file
    constexpr int n = 40;
    at_once(n, [&](int) {
        t.store->with_member("m", "same", [&](MemberTx& tx) {
            MemberCounters c = tx.counters();
            c.spend_total += 1;
            tx.save_counters(c);
            return true;
        });
    });
    CHECK(spend_of(*t.store, "same") == n);
}

TEST_CASE("SQLite: a read does not wait for a write in progress, and sees it once committed") {
    test::TempStore t(false);  // a fresh database file
    std::atomic<bool> read_done{false};
    std::atomic<std::int64_t> seen{-1};
    bool read_while_open = false;
    std::thread reader;
    t.store->with_member("m", "r", [&](MemberTx& tx) {
        MemberCounters c;
        c.spend_total = 7;
        tx.save_counters(c);
        reader = std::thread([&] {
            seen = spend_of(*t.store, "r");
            read_done = true;
        });
        for (int k = 0; k < 200 && !read_done; ++k)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        read_while_open = read_done;
        return true;
    });
    reader.join();
    CHECK(read_while_open);
    CHECK(seen == 0);  // what was committed when it read
    CHECK(spend_of(*t.store, "r") == 7);
}

}  // namespace
}  // namespace kopilka::server
