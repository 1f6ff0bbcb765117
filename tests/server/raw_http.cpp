#include "raw_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace kopilka::test::raw_http {

namespace {

// A server waits only so long for the rest of a request (kopilka-server: 10 s). When
// holding every request back took longer than this, typically because the server's accept
// queue overflowed and a connect waited for a SYN to be sent again (1 s), the attempt is
// dropped and made again, this often at most.
constexpr auto kSetupBudget = std::chrono::milliseconds(1000);
constexpr int kSetupAttemptsMax = 5;
// A SYN to a listening socket whose accept queue is full is dropped, and the kernel would
// send it again only after a second; a connect not done by then is started afresh.
constexpr auto kSynWait = std::chrono::milliseconds(50);

int ms_until(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; false when the deadline passed first.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, ms_until(deadline));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return false;
    }
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") + 1 - first);
}

// Parses the status line and headers (without the blank line); false if malformed.
bool parse_head(const std::string& head, Response* r) {
    std::size_t at = head.find("\r\n");
    const std::string status_line = head.substr(0, at);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return false;
    r->status = std::atoi(status_line.c_str() + 9);
    while (at != std::string::npos && at + 2 < head.size()) {
        const std::size_t next = head.find("\r\n", at + 2);
        const std::string line =
            head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) return false;
        r->headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
        at = next;
    }
    return r->status >= 100;
}

// Decodes a complete chunked body from `in` into *body (*used: the bytes it took); false
// while more bytes are needed.
bool dechunk(const std::string& in, std::string* body, std::size_t* used) {
    std::size_t at = 0;
    body->clear();
    for (;;) {
        const std::size_t eol = in.find("\r\n", at);
        if (eol == std::string::npos) return false;
        const std::size_t size = std::strtoul(in.substr(at, eol - at).c_str(), nullptr, 16);
        if (size == 0) {  // the last chunk; trailers, if any, end at the blank line
            const std::size_t end = in.find("\r\n\r\n", eol);
            if (end == std::string::npos) return false;
            *used = end + 4;
            return true;
        }
        if (in.size() < eol + 2 + size + 2) return false;
        body->append(in, eol + 2, size);
        at = eol + 2 + size + 2;
    }
}

}  // namespace

std::string Response::header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string serialize(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body) {
    std::string out =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT")
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

Connection::Connection(int port, Clock::time_point deadline, const std::string& from) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1) {
        why_ = "not an IPv4 address: " + from;
        return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string where = "connect to 127.0.0.1:" + std::to_string(port) + ": ";
    while (fd_ < 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd_ < 0) {
            why_ = std::string("socket: ") + std::strerror(errno);
            return;
        }
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one,
                     sizeof one);  // the last byte goes out alone, now
        const bool started =
            ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) == 0 &&
            (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ||
             errno == EINPROGRESS);
        const bool done =
            started && wait_for(fd_, POLLOUT, std::min(deadline, Clock::now() + kSynWait));
        int error = started ? 0 : errno;
        socklen_t size = sizeof error;
        if (done) ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size);
        if (done && error == 0) return;
        ::close(fd_);
        fd_ = -1;
        if (error != 0 || Clock::now() >= deadline) {
            why_ = where + (error != 0 ? std::strerror(error) : "timed out");
            return;
        }
    }
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

bool Connection::send(const std::string& bytes, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        if (!wait_for(fd_, POLLOUT, deadline)) {
            why_ = "send: timed out";
            return false;
        }
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n < 0) {
            why_ = std::string("send: ") + std::strerror(errno);
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

Response Connection::read_response(Clock::time_point deadline) {
    Response r;
    std::string& in = buffered_;
    bool closed = false;
    const auto more = [&]() {
        if (closed) return false;
        if (!wait_for(fd_, POLLIN, deadline)) {
            r.error = "read: timed out after " + std::to_string(in.size()) + " bytes";
            return false;
        }
        char buf[16384];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n < 0) {
            r.error = std::string("read: ") + std::strerror(errno);
            return false;
        }
        if (n == 0) closed = true;
        in.append(buf, static_cast<std::size_t>(n));
        return true;
    };
    std::size_t head_end = std::string::npos;
    while ((head_end = in.find("\r\n\r\n")) == std::string::npos)
        if (!more()) {
            if (r.error.empty())
                r.error = "closed before the response's headers (" + std::to_string(in.size()) +
                          " bytes)";
            return r;
        }
    if (!parse_head(in.substr(0, head_end), &r)) {
        r = Response{};
        r.error = "malformed response head: " + in.substr(0, head_end);
        return r;
    }
    const std::size_t body_at = head_end + 4;
    const std::string length = r.header("content-length");
    const auto failed = [&](const char* why) {
        if (r.error.empty()) r.error = why;
        r.status = 0;
        return r;
    };
    if (lower(r.header("transfer-encoding")).find("chunked") != std::string::npos) {
        std::size_t used = 0;
        while (!dechunk(in.substr(body_at), &r.body, &used))
            if (!more()) return failed("connection closed inside a chunked body");
        in.erase(0, body_at + used);
    } else if (!length.empty()) {
        const std::size_t n = std::strtoul(length.c_str(), nullptr, 10);
        while (in.size() < body_at + n)
            if (!more()) return failed("connection closed inside the body");
        r.body = in.substr(body_at, n);
        in.erase(0, body_at + n);
    } else {
        while (more()) {
        }
        if (!closed) return failed("no end of the body");
        r.body = in.substr(body_at);
        in.clear();
    }
    return r;
}

bool Connection::closed_within(Clock::time_point deadline) {
    while (wait_for(fd_, POLLIN, deadline)) {
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
            return true;
    }
    return false;
}

Response exchange(int port, const std::string& request, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    Connection c(port, deadline);
    Response r;
    if (c.fd() < 0 || !c.send(request, deadline)) {
        r.error = c.why();
        return r;
    }
    return c.read_response(deadline);
}

std::vector<Response> send_together(const std::vector<Outgoing>& requests,
                                    std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (int attempt = 1;; ++attempt) {
        const auto started = Clock::now();
        std::vector<Response> out(requests.size());
        std::vector<std::unique_ptr<Connection>> conns;
        std::vector<bool> live(requests.size(), false);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            conns.push_back(std::make_unique<Connection>(requests[i].port, deadline));
            const std::string& bytes = requests[i].bytes;
            if (bytes.empty())
                out[i].error = "empty request";
            else if (conns[i]->fd() < 0 ||
                     !conns[i]->send(bytes.substr(0, bytes.size() - 1), deadline))
                out[i].error = conns[i]->why();
            else
                live[i] = true;
        }
        // Dropping the connections now leaves the server nothing to act on: no request is whole.
        if (Clock::now() - started > kSetupBudget && attempt < kSetupAttemptsMax) continue;
        // Every request is held back by one byte; release them all at once.
        for (std::size_t i = 0; i < requests.size(); ++i)
            if (live[i] &&
                !conns[i]->send(requests[i].bytes.substr(requests[i].bytes.size() - 1), deadline)) {
                out[i].error = conns[i]->why();
                live[i] = false;
            }
        for (std::size_t i = 0; i < requests.size(); ++i)
            if (live[i]) out[i] = conns[i]->read_response(deadline);
        return out;
    }
}

long raise_open_files_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    return static_cast<long>(lim.rlim_cur);
}

}  // namespace kopilka::test::raw_http
