// Reads that arrive while others of their kind are running are read together, in one
// statement: the reads' group commit. A read that finds a runner free runs at once (with
// whatever else is waiting), so a lone read waits for nothing; under load each statement
// answers a group, and the database does one parse, plan and round trip where it did one a
// read (PostgreSQL spends a third of the CPU on a member lookup read in a group, tools/bench.sh
// server). The thread that runs a group is one of the readers; the others wait for it.
// ReadQueue below is the same for readers that don't wait: each leaves what to do with its
// answer, and the runner does it.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/on_loop.hpp"

namespace kopilka::server {

template <class Request, class Answer>
class ReadGroups {
  public:
    // One read: run() sets answer (or throws, and every read of the group throws the same).
    struct Slot {
        Request request;
        Answer answer{};
        std::exception_ptr error;
        bool done = false;
        // This reader runs the next group: it was handed the running and is out of the queue.
        bool runs = false;
        std::condition_variable woken;
    };

    // runners: groups running at once (each holds a database connection while it runs);
    // most: the largest group.
    ReadGroups(std::size_t runners, std::size_t most) : runners_(runners), most_(most) {}

    // The answer to request: run(std::vector<Slot*>&) is called, on this thread or another
    // reader's, with a group this request is in. A reader is woken only for its answer or to
    // run the next group: a finished group hands the running on to the first reader waiting,
    // taking it out of the queue, so no other runner can put it in a group or hand it the
    // running too (a reader handed it twice would leave a runner counted that nobody is).
    template <class Run>
    Answer read(Request request, Run&& run) {
        Slot slot{std::move(request)};
        std::unique_lock<std::mutex> lock(mutex_);
        if (running_ < runners_) {
            ++running_;
            slot.runs = true;
        } else {
            waiting_.push_back(&slot);
        }
        while (!slot.runs && !slot.done) slot.woken.wait(lock);
        if (slot.runs) {  // this reader runs a group: itself and the first of those waiting
            std::vector<Slot*> group{&slot};
            const std::size_t n = std::min(waiting_.size(), most_ - 1);
            group.insert(group.end(), waiting_.begin(), waiting_.begin() + n);
            waiting_.erase(waiting_.begin(), waiting_.begin() + n);
            lock.unlock();
            try {
                run(group);
            } catch (...) {
                for (Slot* s : group) s->error = std::current_exception();
            }
            lock.lock();
            for (Slot* s : group) {
                s->done = true;
                if (s != &slot) s->woken.notify_one();
            }
            if (waiting_.empty()) {
                --running_;
            } else {
                Slot* next = waiting_.front();
                waiting_.erase(waiting_.begin());
                next->runs = true;
                next->woken.notify_one();
            }
        }
        if (slot.error) std::rethrow_exception(slot.error);
        return std::move(slot.answer);
    }

    // Groups running now (0 once every read has its answer).
    std::size_t running() {
        std::lock_guard<std::mutex> lock(mutex_);
        return running_;
    }

  private:
    const std::size_t runners_, most_;
    std::mutex mutex_;
    std::vector<Slot*> waiting_;
    std::size_t running_ = 0;
};

// Reads in groups, as ReadGroups, for readers that don't wait for their answers: submit()
// queues a read with `then`, what to do with its answer, and returns; a submitter that finds a
// runner free becomes one and runs groups, its own read's and those queued meanwhile, until
// none is left, calling each read's `then` right after its group's run, on its own thread. So
// under a steady load a runner goes from group to group and no reader is woken: a request is
// handed on once, to the queue, where ReadGroups wakes each waiting reader for its answer.
template <class Request, class Answer>
class ReadQueue {
  public:
    using Slot = typename ReadGroups<Request, Answer>::Slot;  // the same run() serves both
    // Called once with the read's slot: its answer, or its error. Must not throw.
    using Then = std::function<void(Slot&)>;

    ReadQueue(std::size_t runners, std::size_t most) : runners_(runners), most_(most) {}

    // On an event loop (OnLoop), a submitter never runs groups itself: it starts a runner on a
    // worker when none is free, and throws WouldBlock, its read not queued, when no worker can
    // take one.
    template <class Run>
    void submit(Request request, Then then, Run&& run) {
        auto read = std::make_unique<Read>();
        read->slot.request = std::move(request);
        read->then = std::move(then);
        std::unique_lock<std::mutex> lock(mutex_);
        queued_.push_back(std::move(read));
        if (running_ == runners_) return;  // a runner will take it with its next group
        ++running_;
        if (const OnLoop* loop = OnLoop::here()) {  // the queue's lock held: ours stays last
            if (loop->spawn([this, run = std::decay_t<Run>(run)]() mutable {
                    std::unique_lock<std::mutex> relock(mutex_);
                    drain(relock, run);
                }))
                return;
            --running_;
            queued_.pop_back();
            throw WouldBlock();
        }
        drain(lock, run);
    }

    // Groups running now (0 once every read's `then` has run).
    std::size_t running() {
        std::lock_guard<std::mutex> lock(mutex_);
        return running_;
    }

  private:
    // Runs groups of what is queued until nothing is, then gives up its runner's place.
    template <class Run>
    void drain(std::unique_lock<std::mutex>& lock, Run& run) {
        while (!queued_.empty()) {
            const std::size_t n = std::min(queued_.size(), most_);
            std::vector<std::unique_ptr<Read>> reads(std::make_move_iterator(queued_.begin()),
                                                     std::make_move_iterator(queued_.begin() + n));
            queued_.erase(queued_.begin(), queued_.begin() + n);
            lock.unlock();
            std::vector<Slot*> group;
            for (auto& r : reads) group.push_back(&r->slot);
            try {
                run(group);
            } catch (...) {
                for (Slot* s : group) s->error = std::current_exception();
            }
            for (auto& r : reads) {
                try {
                    r->then(r->slot);
                } catch (...) {  // a broken promise: still, the runner must go on
                }
            }
            lock.lock();
        }
        --running_;
    }

    struct Read {
        Slot slot;
        Then then;
    };
    const std::size_t runners_, most_;
    std::mutex mutex_;
    std::deque<std::unique_ptr<Read>> queued_;
    std::size_t running_ = 0;
};

}  // namespace kopilka::server
