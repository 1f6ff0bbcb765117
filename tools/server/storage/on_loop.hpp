// A thread that must never wait for the database: an HTTP event loop answering a request from
// what is in memory (the caches) without handing it to a worker first. While an OnLoop is alive
// on a thread, whatever would borrow a connection there throws WouldBlock instead (the caller
// hands the whole request to a worker and starts over), and work that may wait (a group of
// reads, storage/read_groups.hpp) is given to `spawn`, which runs it on a worker.
#pragma once

#include <exception>
#include <functional>
#include <utility>

namespace kopilka::server {

// Thrown on an event loop where a database connection would be borrowed. Nothing has been
// read or written when it is thrown.
struct WouldBlock : std::exception {
    const char* what() const noexcept override { return "would wait for the database"; }
};

class OnLoop {
  public:
    // Runs fn on a worker; false when none can take it now (the queue is full).
    using Spawn = std::function<bool(std::function<void()> fn)>;

    explicit OnLoop(Spawn spawn) : spawn_(std::move(spawn)), outer_(here_) { here_ = this; }
    ~OnLoop() { here_ = outer_; }
    OnLoop(const OnLoop&) = delete;
    OnLoop& operator=(const OnLoop&) = delete;

    // The OnLoop of this thread, or nullptr where waiting is allowed.
    static OnLoop* here() { return here_; }
    // Throws WouldBlock on an event loop.
    static void refuse_waiting() {
        if (here_) throw WouldBlock();
    }
    bool spawn(std::function<void()> fn) const { return spawn_(std::move(fn)); }

  private:
    static inline thread_local OnLoop* here_ = nullptr;
    Spawn spawn_;
    OnLoop* outer_;
};

}  // namespace kopilka::server
