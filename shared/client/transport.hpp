// Transport: how front-end logic reaches the server. The browser's adapter wraps fetch()
// (wasm/platform/fetch_transport.cpp); tests use an in-memory fake. Replies may arrive
// later (browser) or before the call returns (tests): callers must handle both.
#pragma once

#include <functional>
#include <string>

namespace kopilka::client {

struct TransportReply {
    bool delivered = false;  // false: no answer (offline, timeout, CORS, …)
    int status = 0;          // HTTP status when delivered
    std::string body;        // response body when delivered
};

class Transport {
public:
    virtual ~Transport() = default;
    // POST /v1/members/lookup {"code": code}
    virtual void lookup_member(const std::string& code, std::function<void(TransportReply)> done) = 0;
};

}  // namespace kopilka::client
