// client::Transport over the browser's fetch().
// Implemented: POST JSON to the same origin, timeout (AbortController), replies delivered
// on the main thread through kopilka_fetch_done; works in the browser and under Node.
// Missing: auth headers (device tokens), retries with backoff (the outbox, issue 5).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "client/transport.hpp"

namespace kopilka::wasm {

class FetchTransport final : public client::Transport {
public:
    explicit FetchTransport(std::string base_url = "", int timeout_ms = 10000);
    ~FetchTransport() override;
    void lookup_member(const std::string& code, std::function<void(client::TransportReply)> done) override;

    // Called from JavaScript when a fetch settles (status 0: not delivered).
    static void deliver(int request_id, int status, const char* body);

private:
    void post(const std::string& path, const std::string& body, std::function<void(client::TransportReply)> done);
    std::string base_url_;
    int timeout_ms_;
};

}  // namespace kopilka::wasm
