// The workers that run route handlers, with a bounded queue: when request_queue_max requests
// already wait, try_post says no at once and the caller answers 503, so a burst costs memory
// in proportion to the limit, never more.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kopilka::server {

class BoundedPool {
public:
  BoundedPool(std::size_t threads, std::size_t request_queue_max) : queue_max_(request_queue_max) {
      for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
    ~BoundedPool() { shutdown(); }
    BoundedPool(const BoundedPool&) = delete;
    BoundedPool& operator=(const BoundedPool&) = delete;

    // False when the queue is full or the pool is stopping.
    bool try_post(std::function<void()> fn) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_ || queue_.size() >= queue_max_) return false;
            queue_.push_back(std::move(fn));
        }
        ready_.notify_one();
        return true;
    }

    // Runs what is queued, then joins the workers.
    void shutdown() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_ && workers_.empty()) return;
            stopping_ = true;
        }
        ready_.notify_all();
        for (auto& w : workers_) w.join();
        workers_.clear();
    }

private:
    void work() {
        for (;;) {
            std::function<void()> fn;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping and nothing left to do
                fn = std::move(queue_.front());
                queue_.pop_front();
            }
            fn();
        }
    }

    std::size_t queue_max_;
    std::vector<std::thread> workers_;
    std::deque<std::function<void()>> queue_;
    std::mutex mutex_;
    std::condition_variable ready_;
    bool stopping_ = false;
};

}  // namespace kopilka::server
