#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstdint>

namespace kopilka::test {

RawSocket::RawSocket(int port, const std::string& from) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RawSocket::~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
}

RawSocket::RawSocket(RawSocket&& other) noexcept : fd_(other.fd_), pending_(std::move(other.pending_)) {
    other.fd_ = -1;
}

bool RawSocket::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (fd_ >= 0 && sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return fd_ >= 0;
}

namespace {
// The length of the first whole response in `data`, or 0 if it isn't all there yet.
std::size_t response_length(const std::string& data) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    std::size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
        const auto cl = data.find(name);
        if (cl != std::string::npos && cl < head_end) length = std::strtoul(data.c_str() + cl + 16, nullptr, 10);
    }
    return data.size() >= head_end + 4 + length ? head_end + 4 + length : 0;
}

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}
}  // namespace

std::string RawSocket::read_response(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (fd_ >= 0 && response_length(pending_) == 0) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, ms_left(deadline)) <= 0) break;
        char buf[8192];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) break;
        pending_.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t n = response_length(pending_);
    if (n == 0) n = pending_.size();
    std::string out = pending_.substr(0, n);
    pending_.erase(0, n);
    return out;
}

bool RawSocket::closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (fd_ >= 0) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, ms_left(deadline)) <= 0) return false;
        char buf[4096];
        if (::recv(fd_, buf, sizeof buf, 0) <= 0) return true;
    }
    return true;
}

int status_of(const std::string& response) {
    if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
    return std::atoi(response.c_str() + 9);
}

std::string body_of(const std::string& response) {
    const auto head_end = response.find("\r\n\r\n");
    return head_end == std::string::npos ? std::string() : response.substr(head_end + 4);
}

std::string raw_http(int port, const std::string& request) {
    RawSocket s(port);
    if (!s.ok() || !s.send(request)) return "";
    return s.read_response(std::chrono::seconds(3));
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

}  // namespace kopilka::test
