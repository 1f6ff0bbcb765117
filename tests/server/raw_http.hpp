// HTTP/1.1 over plain loopback sockets, for tests that need control over the bytes and their
// timing that an HTTP client library hides: races released at one instant (every request
// sent but its last byte, then all the last bytes together), slow or stalled clients.
// Implemented: connect to 127.0.0.1:port, send bytes, read one full response (Content-Length,
// chunked, or up to the close) before a deadline, parse status, headers and body.
// Missing: TLS, responses to HEAD (no body is expected then), 1xx interim responses.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace kopilka::test::raw_http {

using Clock = std::chrono::steady_clock;

// One parsed response; `error` is non-empty when none could be read (then status is 0).
struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case; the last value wins
    std::string body;
    std::string error;
    std::string header(const std::string& lower_case_name) const;
};

// A request as bytes: the request line, Host, Content-Length (when there is a body),
// Connection: close, the given headers, then the body.
std::string serialize(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      const std::string& body = "");

// A connected socket to 127.0.0.1:port from the loopback address `from` (any of 127.0.0.0/8,
// so a test can be several clients), closed on destruction; or fd() < 0 with why(). The
// socket is non-blocking: send and read_response wait with poll until their deadlines.
class Connection {
  public:
    Connection(int port, Clock::time_point deadline, const std::string& from = "127.0.0.1");
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    int fd() const { return fd_; }
    const std::string& why() const { return why_; }
    // Sends every byte before the deadline; false with why() otherwise.
    bool send(const std::string& bytes, Clock::time_point deadline);
    // Reads one full response before the deadline.
    Response read_response(Clock::time_point deadline);
    // True when the server closes the connection before the deadline (anything it sends
    // first is read and dropped).
    bool closed_within(Clock::time_point deadline);

  private:
    int fd_ = -1;
    std::string why_;
    std::string buffered_;  // bytes read past the last response
};

// Connects, sends the request and reads its response, all within timeout.
Response exchange(int port, const std::string& request,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct Outgoing {
    int port = 0;
    std::string bytes;  // a whole serialized request
};

// Opens one connection per request, sends each request but its last byte, and once every
// connection has that much in flight sends all the last bytes in one tight loop, so the
// server gets the requests complete at (nearly) the same instant. Returns the responses in
// the requests' order; a request that could not be sent or answered has `error` set.
std::vector<Response> send_together(const std::vector<Outgoing>& requests,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Raises this process's limit on open files to its hard limit, for tests that hold thousands
// of connections; returns the limit in force.
long raise_open_files_limit();

}  // namespace kopilka::test::raw_http
