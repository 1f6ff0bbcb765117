// ReadGroups (read_groups.hpp): a lone read runs at once on its own thread; reads that arrive
// while the runners are busy are answered by one run, each with its own answer; a failed run
// fails every read of its group and no other. ReadQueue: the same for readers that don't wait,
// whose answers the runner hands on, each once.
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

// [SECTION] ReadQueue

using Queue = ReadQueue<int, std::string>;

// What each read's `then` got, by request.
struct Thens {
    std::mutex mutex;
    std::vector<std::string> got;  // by request: its answer, or "error: …"
    std::vector<int> calls;        // by request: how many times its then ran
    std::vector<std::thread::id> threads;
    explicit Thens(std::size_t n) : got(n), calls(n, 0), threads(n) {}
    Queue::Then then() {
        return [this](Queue::Slot& s) {
            std::lock_guard<std::mutex> lock(mutex);
            const auto i = static_cast<std::size_t>(std::abs(s.request));
            try {
                if (s.error) std::rethrow_exception(s.error);
                got[i] = s.answer;
            } catch (const std::exception& e) {
                got[i] = std::string("error: ") + e.what();
            }
            ++calls[i];
            threads[i] = std::this_thread::get_id();
        };
    }
};

TEST_CASE("ReadQueue: a lone read runs at once, on the submitter's thread, before submit returns") {
    Queue queue(2, 64);
    Recorder rec;
    Thens thens(2);
    queue.submit(1, thens.then(), [&](std::vector<Queue::Slot*>& g) { rec(g); });
    CHECK(thens.calls[1] == 1);
    CHECK(thens.got[1] == "answer 1");
    CHECK((thens.threads[1] == std::this_thread::get_id()));
    CHECK(rec.sizes == std::vector<std::size_t>{1});
    CHECK(queue.running() == 0);
}

TEST_CASE(
    "ReadQueue: reads submitted while the runner is busy return at once and are read by "
    "it, in groups of at most `most`, each answer handed on once") {
    Queue queue(1, 4);
    Recorder rec;
    Gate gate;
    constexpr int kQueued = 10;
    Thens thens(kQueued + 1);
    bool first = true;
    auto run = [&](std::vector<Queue::Slot*>& g) {
        if (first) {
            first = false;  // one runner: runs never overlap
            gate.wait_open();
        }
        rec(g);
    };
    std::thread runner([&] { queue.submit(0, thens.then(), run); });
    gate.wait_entered();
    for (int i = 1; i <= kQueued; ++i) queue.submit(i, thens.then(), run);  // none waits
    {
        std::lock_guard<std::mutex> lock(thens.mutex);
        CHECK(thens.calls == std::vector<int>(kQueued + 1, 0));
    }
    const std::thread::id runner_id = runner.get_id();
    gate.release();
    runner.join();  // the runner read the queue empty before it returned
    CHECK(thens.calls == std::vector<int>(kQueued + 1, 1));
    for (int i = 0; i <= kQueued; ++i) {
        CHECK(thens.got[i] == "answer " + std::to_string(i));
        CHECK((thens.threads[i] == runner_id));
    }
    CHECK(rec.sizes == std::vector<std::size_t>{1, 4, 4, 2});
    CHECK(queue.running() == 0);
}

TEST_CASE("ReadQueue: a run that throws fails its whole group and the next group still runs") {
    Queue queue(1, 3);
    Recorder rec;
    Gate gate;
    Thens thens(7);
    bool first = true;
    auto run = [&](std::vector<Queue::Slot*>& g) {
        if (first) {
            first = false;
            gate.wait_open();
        }
        rec(g);
    };
    std::thread runner([&] { queue.submit(0, thens.then(), run); });
    gate.wait_entered();
    for (int i : {1, -2, 3, 4, 5, 6}) queue.submit(i, thens.then(), run);
    gate.release();
    runner.join();
    for (int i : {1, 2, 3}) CHECK(thens.got[i] == "error: refused -2");  // one group: 1, -2, 3
    for (int i : {4, 5, 6}) CHECK(thens.got[i] == "answer " + std::to_string(i));
    CHECK(thens.calls == std::vector<int>(7, 1));
    CHECK(queue.running() == 0);
}

TEST_CASE("ReadQueue: two runners under a steady crowd of submitters hand every answer on once") {
    // A read left in the queue when its runner stopped would never get its answer (nobody
    // waits for it to notice): every then must run, once, and no runner stay counted.
    constexpr int kThreads = 32, kEach = 300;
    Queue queue(2, 8);
    Thens thens(kThreads * kEach);
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
        submitters.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i)
                queue.submit(t * kEach + i, thens.then(), [](std::vector<Queue::Slot*>& g) {
                    std::this_thread::sleep_for(std::chrono::microseconds(50 * (g.size() % 3)));
                    for (auto* slot : g) slot->answer = "answer " + std::to_string(slot->request);
                });
        });
    }
    for (auto& t : submitters) t.join();  // the runners are submitters: all have stopped
    CHECK(queue.running() == 0);
    int once = 0, right = 0;
    for (int i = 0; i < kThreads * kEach; ++i) {
        once += thens.calls[i] == 1;
        right += thens.got[i] == "answer " + std::to_string(i);
    }
    CHECK(once == kThreads * kEach);
    CHECK(right == kThreads * kEach);
}

TEST_CASE(
    "ReadQueue on an event loop: the submitter never runs a group; a free runner's place goes "
    "to a spawned worker, and with no worker to take it the read is refused, not queued") {
    Queue queue(1, 8);
    Recorder rec;
    Thens thens(5);
    auto run = [&](std::vector<Queue::Slot*>& g) { rec(g); };
    std::vector<std::function<void()>> spawned;
    bool workers_free = true;
    {
        const OnLoop loop([&](std::function<void()> work) {
            if (!workers_free) return false;
            spawned.push_back(std::move(work));
            return true;
        });
        queue.submit(1, thens.then(), run);  // the runner's place taken by a spawned worker
        queue.submit(2, thens.then(), run);  // queued behind it: nothing spawned
        CHECK(spawned.size() == 1);
        CHECK(rec.sizes.empty());
        CHECK(thens.calls == std::vector<int>(5, 0));
        CHECK(queue.running() == 1);
        CHECK_THROWS_AS(OnLoop::refuse_waiting(), WouldBlock);
    }
    CHECK_NOTHROW(OnLoop::refuse_waiting());  // off the loop again
    std::thread worker(spawned.front());
    const std::thread::id worker_id = worker.get_id();
    worker.join();
    CHECK(rec.sizes == std::vector<std::size_t>{2});  // both in one group, on the worker
    CHECK(thens.got[1] == "answer 1");
    CHECK(thens.got[2] == "answer 2");
    CHECK((thens.threads[1] == worker_id));
    CHECK(queue.running() == 0);

    workers_free = false;
    {
        const OnLoop loop([&](std::function<void()> work) {
            if (!workers_free) return false;
            spawned.push_back(std::move(work));
            return true;
        });
        CHECK_THROWS_AS(queue.submit(3, thens.then(), run), WouldBlock);
    }
    CHECK(queue.running() == 0);
    queue.submit(4, thens.then(), run);  // off the loop: runs here, alone (3 was never queued)
    CHECK(rec.sizes == std::vector<std::size_t>{2, 1});
    CHECK(thens.calls == std::vector<int>{0, 1, 1, 0, 1});
}

}  // namespace kopilka::server
