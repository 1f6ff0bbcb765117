// A worker pool for cpp-httplib with a bounded queue: when request_queue_max connections are
// already waiting, the accept loop waits for room instead of queueing without limit, so the
// kernel's listen backlog absorbs bursts and memory stays bounded.
// (httplib 0.11's own ThreadPool queues without limit.)
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kopilka::server {

class BoundedPool final : public httplib::TaskQueue {
public:
    BoundedPool(std::size_t threads, std::size_t request_queue_max) : queue_max_(request_queue_max) {
        for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
    }
    ~BoundedPool() override = default;

    void enqueue(std::function<void()> fn) override {
        std::unique_lock<std::mutex> lock(mutex_);
        room_.wait(lock, [this] { return queue_.size() < queue_max_ || stopping_; });
        if (stopping_) return;
        queue_.push_back(std::move(fn));
        ready_.notify_one();
    }

    void shutdown() override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        room_.notify_all();
        for (auto& w : workers_) w.join();
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
            room_.notify_one();
            fn();
        }
    }

    std::size_t queue_max_;
    std::vector<std::thread> workers_;
    std::deque<std::function<void()>> queue_;
    std::mutex mutex_;
    std::condition_variable ready_, room_;
    bool stopping_ = false;
};

}  // namespace kopilka::server
