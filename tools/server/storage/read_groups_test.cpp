// ReadGroups (read_groups.hpp): a lone read runs at once on its own thread; reads that arrive
// while the runners are busy are answered by one run, each with its own answer; a failed run
// fails every read of its group and no other.
#include "storage/read_groups.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kopilka::server {
namespace {

using Groups = ReadGroups<int, std::string>;

// Answers each read with its request, and records the size of every group it ran.
struct Recorder {
    std::mutex mutex;
    std::vector<std::size_t> sizes;
    std::vector<std::thread::id> threads;
    void operator()(std::vector<Groups::Slot*>& group) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            sizes.push_back(group.size());
            threads.push_back(std::this_thread::get_id());
        }
        for (auto* slot : group) {
            if (slot->request < 0)
                throw std::runtime_error("refused " + std::to_string(slot->request));
            slot->answer = "answer " + std::to_string(slot->request);
        }
    }
};

// Holds the first run until `release`, so the reads behind it queue up.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool open = false, entered = false;
    void wait_open() {
        std::unique_lock<std::mutex> lock(mutex);
        entered = true;
        changed.notify_all();
        changed.wait(lock, [this] { return open; });
    }
    void wait_entered() {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this] { return entered; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        open = true;
        changed.notify_all();
    }
};

}  // namespace

TEST_CASE("ReadGroups: a lone read runs at once, on the reader's own thread, alone") {
    Groups groups(2, 64);
    Recorder rec;
    CHECK(groups.read(7, [&](std::vector<Groups::Slot*>& g) { rec(g); }) == "answer 7");
    CHECK(groups.read(8, [&](std::vector<Groups::Slot*>& g) { rec(g); }) == "answer 8");
    REQUIRE(rec.sizes.size() == 2);
    CHECK(rec.sizes[0] == 1);
    CHECK(rec.sizes[1] == 1);
    CHECK((rec.threads[0] == std::this_thread::get_id()));
}

// One runner whose first run is held until every reader started behind it has queued.
struct HeldFirst {
    Groups groups;
    Recorder rec;
    Gate gate;
    bool first = true;
    explicit HeldFirst(std::size_t most) : groups(1, most) {}
    std::string read(int request) {
        return groups.read(request, [this](std::vector<Groups::Slot*>& g) {
            if (first) {
                first = false;  // runs never overlap with one runner
                gate.wait_open();
            }
            rec(g);
        });
    }
    // Reads 0 (held), then each of reads on a thread of its own; then lets the first run go.
    void run(const std::vector<std::function<void()>>& reads) {
        std::thread holder([this] { CHECK(read(0) == "answer 0"); });
        gate.wait_entered();
        std::vector<std::thread> readers;
        for (const auto& r : reads) readers.emplace_back(r);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all queue up
        gate.release();
        holder.join();
        for (auto& t : readers) t.join();
    }
};

TEST_CASE("ReadGroups: reads that wait while the runner is busy are read in one group") {
    constexpr int kWaiting = 20;
    HeldFirst h(64);
    std::vector<std::string> answers(kWaiting);
    std::vector<std::function<void()>> reads;
    for (int i = 0; i < kWaiting; ++i) reads.push_back([&, i] { answers[i] = h.read(i + 1); });
    h.run(reads);
    for (int i = 0; i < kWaiting; ++i) CHECK(answers[i] == "answer " + std::to_string(i + 1));
    REQUIRE(h.rec.sizes.size() == 2);
    CHECK(h.rec.sizes[0] == 1);
    CHECK(h.rec.sizes[1] == kWaiting);
}

TEST_CASE("ReadGroups: a group is at most `most` reads; the rest run next") {
    HeldFirst h(4);
    std::atomic<int> right{0};
    std::vector<std::function<void()>> reads;
    for (int i = 1; i <= 10; ++i)
        reads.push_back([&, i] { right += h.read(i) == "answer " + std::to_string(i); });
    h.run(reads);
    CHECK(right == 10);
    REQUIRE(h.rec.sizes.size() == 4);  // 1, then 4 + 4 + 2
    CHECK(h.rec.sizes[1] == 4);
    CHECK(h.rec.sizes[2] == 4);
    CHECK(h.rec.sizes[3] == 2);
}

TEST_CASE("ReadGroups: a run that throws fails its whole group and the next group still runs") {
    HeldFirst h(64);
    std::atomic<int> failed{0}, answered{0};
    std::vector<std::function<void()>> reads;
    for (int i : {1, -2, 3}) {
        reads.push_back([&, i] {
            try {
                h.read(i);
                ++answered;
            } catch (const std::runtime_error& e) {
                CHECK(std::string(e.what()) == "refused -2");
                ++failed;
            }
        });
    }
    h.run(reads);
    CHECK(failed == 3);  // one group: the refusal is every read's answer
    CHECK(answered == 0);
    CHECK(h.read(4) == "answer 4");
}

TEST_CASE("ReadGroups: two runners under a steady crowd of readers never lose a runner") {
    // Each finished group hands the running on; a reader handed it twice (by two runners
    // finishing at once) would leave a runner counted that nobody is (running() above 0 at
    // the end), and after two of those every reader would wait for ever.
    constexpr int kThreads = 32, kEach = 300;
    Groups groups(2, 8);
    std::atomic<int> right{0}, finished{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < kThreads; ++t) {
        readers.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const int request = t * kEach + i;
                const std::string answer = groups.read(request, [](std::vector<Groups::Slot*>& g) {
                    std::this_thread::sleep_for(std::chrono::microseconds(50 * (g.size() % 3)));
                    for (auto* slot : g) slot->answer = "answer " + std::to_string(slot->request);
                });
                right += answer == "answer " + std::to_string(request);
            }
            ++finished;
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (finished < kThreads && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (finished < kThreads) {
        FAIL_CHECK("readers still waiting after 60 s: " << kThreads - finished << " of "
                                                        << kThreads);
        std::_Exit(1);  // they would wait for ever: end here instead of hanging the suite
    }
    for (auto& t : readers) t.join();
    CHECK(right == kThreads * kEach);
    CHECK(groups.running() == 0);
}

}  // namespace kopilka::server
