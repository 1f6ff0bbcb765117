// The network side of kopilka-server (Boost.Beast on Asio): accepts connections, reads each
// request under one deadline for its head and body, answers what can't be read, offers every
// readable request to the application on its event loop (Application::handle_here) and hands
// what it does not take to a worker, and writes the answer. Idle kept-alive connections wait in
// the event loop and hold no worker.
// Implemented: HTTP/1.1 keep-alive and pipelining (one request at a time per connection),
// chunked request bodies, Expect: 100-continue, HEAD, limits on the head, target and body
// (431/414/413), a deadline per request (slow clients are cut off, not waited for), caps on
// connections in all and per address (503), a bounded request queue (503), a listen backlog
// for bursts, TCP_NODELAY, a graceful drain at stop (no new connections; idle ones and those
// still sending a head closed; requests whose head is in answered with Connection: close
// within drain_s; a request begun after the stop answered 503 draining).
// Missing: TLS (nginx terminates it in the scaled deployment), HTTP/2, response streaming
// (answers are built whole; the largest is a static file of about 1 MB).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http_server.hpp"

namespace kopilka::server::http {

// What the listener asks of the application. No call may throw.
class Application {
public:
    virtual ~Application() = default;
    // A request read whole whose target and headers passed the checks; runs on a worker.
    // reply gets its answer once, on this thread or another, during this call or after it.
    using Reply = std::function<void(Response answer)>;
    virtual void handle(Request& request, Reply reply) = 0;
    // The same request offered first on the event loop that read it, for answers made from
    // what is in memory: true when the application took it (reply as for handle()); false,
    // having replied nothing, when answering would wait (a database read), and the request
    // then goes to handle() on a worker. spawn runs work that may wait on a worker (false when
    // the workers' queue is full). The default takes nothing.
    using Spawn = std::function<bool(std::function<void()> work)>;
    virtual bool handle_here(Request& /*request*/, const Reply& /*reply*/, const Spawn& /*spawn*/) {
        return false;
    }
    // A request refused before routing (unreadable, too large, too many connections, server
    // busy): the answer in the one error shape, counted and logged like any other. `partial`
    // holds what could be read of it (at least remote_addr).
    virtual Response refuse(const Request& partial, int status, const std::string& code,
                            const std::string& message, const std::string& field) = 0;
};

class Listener {
public:
    Listener(Application& app, const ServerOptions& options);
    ~Listener();
    int bind(std::string* error);  // the port, or -1 with *error
    void run();                    // until stop() and the last answer is written
    void stop();                   // from any thread
    std::string handle_raw(std::string_view bytes, const std::string& remote_addr);

private:
    friend class Session;  // listener.cpp: one connection
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kopilka::server::http
