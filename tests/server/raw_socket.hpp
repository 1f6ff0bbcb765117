// Plain TCP for the server tests that need what an HTTP client library hides: bytes sent
// slowly or never finished, connections from chosen loopback addresses, many at once.
#pragma once

#include <chrono>
#include <string>

namespace kopilka::test {

// A connected socket to 127.0.0.1:port from the loopback address `from` (any of 127.0.0.0/8),
// or -1. Closed on destruction.
class RawSocket {
public:
    RawSocket(int port, const std::string& from = "127.0.0.1");
    ~RawSocket();
    RawSocket(RawSocket&& other) noexcept;
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    RawSocket& operator=(RawSocket&&) = delete;

    bool ok() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    bool send(const std::string& bytes);  // all of them; false if the peer is gone
    // The first whole response (head and Content-Length body) that arrives within timeout,
    // or what arrived by then ("" if nothing).
    std::string read_response(std::chrono::milliseconds timeout);
    // True when the server closed the connection within timeout (reading and dropping
    // anything it sent first).
    bool closed_within(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::string pending_;  // bytes read past the last response
};

// The status code of a raw response ("HTTP/1.1 404 …" → 404), or 0.
int status_of(const std::string& response);
// The body of a raw response (after the blank line).
std::string body_of(const std::string& response);

// Sends raw bytes on a fresh connection and returns the first response (or what came back).
std::string raw_http(int port, const std::string& request);

// Raises this process's limit on open files to its hard limit (tests that open thousands of
// connections); returns the limit in force.
long raise_open_files_limit();

}  // namespace kopilka::test
