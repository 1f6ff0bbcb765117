// client::Transport over the browser's fetch(); the kiosk's reads and its outbox both go
// through request().
// Implemented: same-origin requests; a credential as "Authorization: Bearer <secret>" (device
// token, member token, staff session and API key alike: the server tells them apart by
// prefix); If-None-Match → 304 and the reply's ETag; If-Match (the console's
// writes); a timeout per request (AbortController);
// replies are delivered on the main thread through kopilka_fetch_done; works in the browser
// and under Node; the app's version in Kopilka-App-Version when set (the kiosk: same origin, so
// no CORS preflight; the widget never sets it).
// Missing: request bodies other than JSON; cookies (credentials: 'same-origin' is fetch's default).
#pragma once

#include <functional>
#include <string>

#include "client/transport.hpp"

namespace kopilka::wasm {

class FetchTransport final : public client::Transport {
  public:
    explicit FetchTransport(std::string base_url = "", int timeout_ms = 10000);
    void request(const client::Request& r,
                 std::function<void(client::TransportReply)> done) override;

    // Sent as Kopilka-App-Version on every request from now on ("" sends none).
    void set_app_version(std::string v) { app_version_ = std::move(v); }

    // Called from JavaScript when a fetch settles (status 0: not delivered).
    static void deliver(int request_id, int status, const char* body, const char* etag);

  private:
    std::string base_url_;
    int timeout_ms_;
    std::string app_version_;
};

}  // namespace kopilka::wasm
