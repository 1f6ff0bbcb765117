// Transport: how front-end logic reaches the server. The browser's adapter wraps fetch()
// (wasm/platform/fetch_transport.cpp); tests use an in-memory fake. Replies may arrive
// later (browser) or before the call returns (tests): callers must handle both.
// Writes don't go through here but through the outbox (client/outbox.hpp), whose sender
// the same adapter implements.
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
    // Sent as "Authorization: Bearer <token>" from now on ("" sends none).
    virtual void set_device_token(const std::string& token) = 0;
    // POST /v1/members/lookup {"code": code}
    virtual void lookup_member(const std::string& code, std::function<void(TransportReply)> done) = 0;
    // POST /v1/devices/pair {"code": code}
    virtual void pair(const std::string& code, std::function<void(TransportReply)> done) = 0;
    // GET /v1/kiosk/config with If-None-Match: "<version>" when version is not empty (304: unchanged)
    virtual void fetch_config(const std::string& version, std::function<void(TransportReply)> done) = 0;
};

}  // namespace kopilka::client
