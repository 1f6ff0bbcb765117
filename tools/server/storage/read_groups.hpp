// Reads that arrive while others of their kind are running are read together, in one
// statement: the reads' group commit. A read that finds a runner free runs at once (with
// whatever else is waiting), so a lone read waits for nothing; under load each statement
// answers a group, and the database does one parse, plan and round trip where it did one a
// read (PostgreSQL spends a third of the CPU on a member lookup read in a group, tools/bench.sh
// server). The thread that runs a group is one of the readers; the others wait for it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

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
        bool runs = false;  // this reader runs the next group (it is the first waiting)
        std::condition_variable woken;
    };

    // runners: groups running at once (each holds a database connection while it runs);
    // most: the largest group.
    ReadGroups(std::size_t runners, std::size_t most) : runners_(runners), most_(most) {}

    // The answer to request: run(std::vector<Slot*>&) is called, on this thread or another
    // reader's, with a group this request is in. A reader is woken only for its answer or to
    // run the next group: a finished group hands the running on to the first reader waiting.
    template <class Run>
    Answer read(Request request, Run&& run) {
        Slot slot{std::move(request)};
        std::unique_lock<std::mutex> lock(mutex_);
        waiting_.push_back(&slot);
        if (running_ < runners_) {
            ++running_;
            slot.runs = true;
        }
        while (!slot.done) {
            if (!slot.runs) {
                slot.woken.wait(lock);
                continue;
            }
            slot.runs = false;
            const std::size_t n = waiting_.size() < most_ ? waiting_.size() : most_;
            std::vector<Slot*> group(waiting_.begin(), waiting_.begin() + n);
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
                waiting_.front()->runs = true;
                waiting_.front()->woken.notify_one();
            }
        }
        if (slot.error) std::rethrow_exception(slot.error);
        return std::move(slot.answer);
    }

  private:
    const std::size_t runners_, most_;
    std::mutex mutex_;
    std::vector<Slot*> waiting_;
    std::size_t running_ = 0;
};

}  // namespace kopilka::server
