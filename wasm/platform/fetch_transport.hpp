// client::Transport and client::OutboxSender over the browser's fetch().
// Implemented: same-origin requests with the device token as a bearer credential, ETags for
// the config (If-None-Match → 304), a timeout per request (AbortController); replies are
// delivered on the main thread through kopilka_fetch_done; works in the browser and under Node.
#pragma once

#include <functional>
#include <string>

#include "client/outbox.hpp"
#include "client/transport.hpp"

namespace kopilka::wasm {

class FetchTransport final : public client::Transport, public client::OutboxSender {
public:
    explicit FetchTransport(std::string base_url = "", int timeout_ms = 10000);
    void set_device_token(const std::string& token) override { token_ = token; }
    void lookup_member(const std::string& code, std::function<void(client::TransportReply)> done) override;
    void pair(const std::string& code, std::function<void(client::TransportReply)> done) override;
    void fetch_config(const std::string& version, std::function<void(client::TransportReply)> done) override;
    void send(const client::OutboxItem& item, std::function<void(client::TransportReply)> done) override;

    // Called from JavaScript when a fetch settles (status 0: not delivered).
    static void deliver(int request_id, int status, const char* body);

private:
    void request(const char* method, const std::string& path, const std::string& body, const std::string& etag,
                 std::function<void(client::TransportReply)> done);
    std::string base_url_;
    int timeout_ms_;
    std::string token_;
};

}  // namespace kopilka::wasm
